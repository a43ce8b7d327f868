/**
 * The graph behind the fake graph databases (test/servers/neo4j.ts, neptune-database.ts and the graph
 * part of neptune-analytics.ts): an in-memory property graph that executes exactly the openCypher
 * statements the remote graph stores issue (adapters/shared/cypher-graph-store.ts), matched by their
 * full text, with Cypher's semantics written out by hand (MATCH filters, MERGE on a key, SET, DELETE,
 * DETACH DELETE, ORDER BY, count(*), UNWIND of empty lists). The statement texts are this file's own copy:
 * if the adapter's text drifts, the fake answers with the database's syntax error instead of pretending.
 * Any other statement is a syntax error too, and a statement naming a parameter that was not sent is the
 * database's missing-parameter error.
 */

export class CypherSyntaxError extends Error {}
export class CypherParameterError extends Error {}
export class CypherTypeError extends Error {}

interface GraphNode {
  labels: string[]
  props: Record<string, unknown>
}
interface GraphEdge {
  type: string
  start: GraphNode
  end: GraphNode
  props: Record<string, unknown>
}

export interface CypherResult {
  fields: string[]
  rows: unknown[][]
}

const SCOPE = (x: string) =>
  `($user_id = '' OR ${x}.user_id = $user_id) AND ($agent_id = '' OR ${x}.agent_id = $agent_id) AND ($run_id = '' OR ${x}.run_id = $run_id)`
const E_FIELDS =
  'e.id AS id, e.name AS name, e.norm AS norm, e.type AS type, e.mem AS mem, e.emb AS emb, e.createdAt AS createdAt, e.ord AS ord, e.user_id AS user_id, e.agent_id AS agent_id, e.run_id AS run_id'
const R_FIELDS =
  'r.id AS id, s.id AS sourceId, s.name AS source, t.id AS targetId, t.name AS target, r.relationship AS relationship, r.validFrom AS validFrom, r.invalidatedAt AS invalidatedAt, r.mem AS mem, r.ord AS ord, r.user_id AS user_id, r.agent_id AS agent_id, r.run_id AS run_id'
const EDGE = '(s:EdgememEntity)-[r:EDGEMEM_RELATION]->(t:EdgememEntity)'

const ENTITY_SETS = ['sk', 'user_id', 'agent_id', 'run_id', 'name', 'norm', 'words', 'type', 'mem', 'emb', 'createdAt', 'ord']
const RELATION_SETS = ['sk', 'user_id', 'agent_id', 'run_id', 'relationship', 'validFrom', 'invalidatedAt', 'mem', 'ord']

/** The statements the fake knows, by name, as the databases receive them. */
export const KNOWN_STATEMENTS = {
  entities: `MATCH (e:EdgememEntity) WHERE e.ns = $ns AND ${SCOPE('e')} RETURN ${E_FIELDS} ORDER BY e.ord`,
  entitiesByWords: `MATCH (e:EdgememEntity) WHERE e.ns = $ns AND ${SCOPE('e')} AND e.words IN $words RETURN ${E_FIELDS} ORDER BY e.ord`,
  entitiesByNorm: `MATCH (e:EdgememEntity) WHERE e.ns = $ns AND e.sk = $sk AND e.norm IN $norms RETURN ${E_FIELDS} ORDER BY e.ord`,
  entitiesWithMemories: `UNWIND $mems AS m MATCH (e:EdgememEntity) WHERE e.ns = $ns AND ${SCOPE('e')} AND e.mem CONTAINS m RETURN DISTINCT ${E_FIELDS}`,
  relationsWithMemories: `UNWIND $mems AS m MATCH ${EDGE} WHERE r.ns = $ns AND ${SCOPE('r')} AND r.mem CONTAINS m RETURN DISTINCT ${R_FIELDS}`,
  entitiesWithEmbedding: `MATCH (e:EdgememEntity) WHERE e.ns = $ns AND ${SCOPE('e')} AND e.emb <> '' RETURN ${E_FIELDS} ORDER BY e.ord`,
  relations: `MATCH ${EDGE} WHERE r.ns = $ns AND ${SCOPE('r')} AND ($all OR r.invalidatedAt = '') RETURN ${R_FIELDS} ORDER BY r.ord`,
  relationsTouching: `MATCH ${EDGE} WHERE r.ns = $ns AND ${SCOPE('r')} AND ($all OR r.invalidatedAt = '') AND (s.id IN $ids OR t.id IN $ids) RETURN ${R_FIELDS} ORDER BY r.ord`,
  relationsById: `MATCH ${EDGE} WHERE r.ns = $ns AND r.id IN $ids RETURN ${R_FIELDS}`,
  entitiesById: `MATCH (e:EdgememEntity) WHERE e.ns = $ns AND e.id IN $ids RETURN ${E_FIELDS}`,
  write:
    `UNWIND $dropRelations AS d MATCH ${EDGE} WHERE r.ns = $ns AND r.id = d DELETE r WITH count(*) AS dropped ` +
    'UNWIND $dropEntities AS d MATCH (e:EdgememEntity) WHERE e.ns = $ns AND e.id = d DETACH DELETE e WITH count(*) AS removed ' +
    `UNWIND $putEntities AS p MERGE (e:EdgememEntity {ns: $ns, id: p.id}) SET ${ENTITY_SETS.map((k) => `e.${k} = p.${k}`).join(', ')} WITH count(*) AS put ` +
    'UNWIND $putRelations AS p MATCH (s:EdgememEntity {ns: $ns, id: p.sourceId}), (t:EdgememEntity {ns: $ns, id: p.targetId}) ' +
    `MERGE (s)-[r:EDGEMEM_RELATION {ns: $ns, id: p.id}]->(t) SET ${RELATION_SETS.map((k) => `r.${k} = p.${k}`).join(', ')} RETURN count(*) AS written`,
  deleteScopeRelations: `MATCH ${EDGE} WHERE r.ns = $ns AND ${SCOPE('r')} DELETE r RETURN count(*) AS removed`,
  deleteScopeEntities: `MATCH (e:EdgememEntity) WHERE e.ns = $ns AND ${SCOPE('e')} DETACH DELETE e RETURN count(*) AS removed`,
  reset: 'MATCH (e:EdgememEntity) WHERE e.ns = $ns DETACH DELETE e RETURN count(*) AS removed',
} as const

type StatementName = keyof typeof KNOWN_STATEMENTS

/** Neo4j's schema statements (indexes), which only Neo4j accepts. */
export const NEO4J_SCHEMA_STATEMENTS = [
  'CREATE INDEX edgemem_entity_id IF NOT EXISTS FOR (e:EdgememEntity) ON (e.ns, e.id)',
  'CREATE INDEX edgemem_entity_words IF NOT EXISTS FOR (e:EdgememEntity) ON (e.ns, e.words)',
  'CREATE INDEX edgemem_relation_id IF NOT EXISTS FOR ()-[r:EDGEMEM_RELATION]-() ON (r.ns, r.id)',
]

const prop = (x: { props: Record<string, unknown> }, key: string): unknown => x.props[key] ?? null
/** Cypher equality: null compared with anything is null (not true). */
const eq = (a: unknown, b: unknown): boolean | null => (a === null || b === null ? null : a === b)
const inScope = (x: { props: Record<string, unknown> }, params: Record<string, unknown>): boolean =>
  (['user_id', 'agent_id', 'run_id'] as const).every((k) => params[k] === '' || eq(prop(x, k), params[k]) === true)

function fieldsOf(statement: string): string[] {
  const returned = statement.slice(statement.lastIndexOf(' RETURN ') + 8).replace(/ ORDER BY .*$/, '')
  return returned.split(', ').map((item) => item.slice(item.lastIndexOf(' AS ') + 4))
}

function list(params: Record<string, unknown>, name: string): unknown[] {
  const value = params[name]
  if (!Array.isArray(value))
    throw new CypherTypeError(`Type mismatch: expected List<T> but was ${value === null ? 'NULL' : typeof value} (parameter $${name})`)
  return value
}
function map(value: unknown, name: string): Record<string, unknown> {
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw new CypherTypeError(`Type mismatch: expected Map for ${name}`)
  return value as Record<string, unknown>
}
/** A property value as Cypher stores it: strings, numbers, booleans; null removes the property. */
function storable(value: unknown, where: string): unknown {
  if (value === null || value === undefined) return undefined
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value
  throw new CypherTypeError(`Property values can only be of primitive types or arrays thereof (${where})`)
}

export class FakeCypherGraph {
  readonly nodes: GraphNode[] = []
  readonly edges: GraphEdge[] = []
  /** Every statement received, for tests that check nothing but the fixed set was sent. */
  readonly received: string[] = []
  private readonly byText = new Map<string, StatementName>(Object.entries(KNOWN_STATEMENTS).map(([k, v]) => [v, k as StatementName]))

  private readonly extra: readonly string[]

  /** `extra`: further statements the database accepts and that change nothing here (Neo4j's index creation). */
  constructor(extra: readonly string[] = []) {
    this.extra = extra
  }

  /** Is this one of the statements this graph executes? */
  knows(statement: string): boolean {
    return this.byText.has(statement) || this.extra.includes(statement)
  }

  run(statement: string, parameters: Record<string, unknown>): CypherResult {
    this.received.push(statement)
    if (this.extra.includes(statement)) return { fields: [], rows: [] }
    const name = this.byText.get(statement)
    if (!name) throw new CypherSyntaxError(`Invalid input: the fake graph does not know this statement: ${statement.slice(0, 200)}`)
    const missing = [...new Set(statement.match(/\$\w+/g) ?? [])].map((p) => p.slice(1)).filter((p) => !(p in parameters))
    if (missing.length > 0) throw new CypherParameterError(`Expected parameter(s): ${missing.join(', ')}`)
    const fields = fieldsOf(statement)
    const objects = this.execute(name, parameters)
    return { fields, rows: objects.map((o) => fields.map((f) => o[f] ?? null)) }
  }

  private entities(params: Record<string, unknown>): GraphNode[] {
    return this.nodes.filter((n) => n.labels.includes('EdgememEntity') && eq(prop(n, 'ns'), params.ns) === true)
  }
  private relations(params: Record<string, unknown>): GraphEdge[] {
    return this.edges.filter((r) => r.type === 'EDGEMEM_RELATION' && eq(prop(r, 'ns'), params.ns) === true)
  }
  private static entityRow(e: GraphNode): Record<string, unknown> {
    const row: Record<string, unknown> = {}
    for (const k of ['id', 'name', 'norm', 'type', 'mem', 'emb', 'createdAt', 'ord', 'user_id', 'agent_id', 'run_id']) row[k] = prop(e, k)
    return row
  }
  private static relationRow(r: GraphEdge): Record<string, unknown> {
    const row: Record<string, unknown> = {
      sourceId: prop(r.start, 'id'),
      source: prop(r.start, 'name'),
      targetId: prop(r.end, 'id'),
      target: prop(r.end, 'name'),
    }
    for (const k of ['id', 'relationship', 'validFrom', 'invalidatedAt', 'mem', 'ord', 'user_id', 'agent_id', 'run_id']) row[k] = prop(r, k)
    return row
  }
  private static byOrd<T extends { props: Record<string, unknown> }>(xs: T[]): T[] {
    return [...xs].sort((a, b) => String(prop(a, 'ord')).localeCompare(String(prop(b, 'ord'))))
  }
  private detach(node: GraphNode): void {
    for (let i = this.edges.length - 1; i >= 0; i--)
      if (this.edges[i]!.start === node || this.edges[i]!.end === node) this.edges.splice(i, 1)
    this.nodes.splice(this.nodes.indexOf(node), 1)
  }

  private execute(name: StatementName, params: Record<string, unknown>): Record<string, unknown>[] {
    const all = params.all === true
    const valid = (r: GraphEdge) => all || eq(prop(r, 'invalidatedAt'), '') === true
    switch (name) {
      case 'entities':
        return FakeCypherGraph.byOrd(this.entities(params).filter((e) => inScope(e, params))).map(FakeCypherGraph.entityRow)
      case 'entitiesByWords': {
        const words = list(params, 'words')
        return FakeCypherGraph.byOrd(this.entities(params).filter((e) => inScope(e, params) && words.includes(prop(e, 'words')))).map(
          FakeCypherGraph.entityRow,
        )
      }
      case 'entitiesByNorm': {
        const norms = list(params, 'norms')
        return FakeCypherGraph.byOrd(
          this.entities(params).filter((e) => eq(prop(e, 'sk'), params.sk) === true && norms.includes(prop(e, 'norm'))),
        ).map(FakeCypherGraph.entityRow)
      }
      case 'entitiesWithMemories': {
        // UNWIND then MATCH: one row per (memory, record) pair; DISTINCT keeps the first of each record
        const rows: GraphNode[] = []
        for (const m of list(params, 'mems')) {
          if (typeof m !== 'string') throw new CypherTypeError('Type mismatch: CONTAINS expects a String')
          for (const e of this.entities(params))
            if (inScope(e, params) && String(prop(e, 'mem')).includes(m) && !rows.includes(e)) rows.push(e)
        }
        return rows.map(FakeCypherGraph.entityRow)
      }
      case 'relationsWithMemories': {
        const rows: GraphEdge[] = []
        for (const m of list(params, 'mems')) {
          if (typeof m !== 'string') throw new CypherTypeError('Type mismatch: CONTAINS expects a String')
          for (const r of this.relations(params))
            if (inScope(r, params) && String(prop(r, 'mem')).includes(m) && !rows.includes(r)) rows.push(r)
        }
        return rows.map(FakeCypherGraph.relationRow)
      }
      case 'entitiesWithEmbedding':
        return FakeCypherGraph.byOrd(
          this.entities(params).filter((e) => inScope(e, params) && prop(e, 'emb') !== null && prop(e, 'emb') !== ''),
        ).map(FakeCypherGraph.entityRow)
      case 'entitiesById': {
        const ids = list(params, 'ids')
        return this.entities(params)
          .filter((e) => ids.includes(prop(e, 'id')))
          .map(FakeCypherGraph.entityRow)
      }
      case 'relations':
        return FakeCypherGraph.byOrd(this.relations(params).filter((r) => inScope(r, params) && valid(r))).map(FakeCypherGraph.relationRow)
      case 'relationsTouching': {
        const ids = list(params, 'ids')
        return FakeCypherGraph.byOrd(
          this.relations(params).filter(
            (r) => inScope(r, params) && valid(r) && (ids.includes(prop(r.start, 'id')) || ids.includes(prop(r.end, 'id'))),
          ),
        ).map(FakeCypherGraph.relationRow)
      }
      case 'relationsById': {
        const ids = list(params, 'ids')
        return this.relations(params)
          .filter((r) => ids.includes(prop(r, 'id')))
          .map(FakeCypherGraph.relationRow)
      }
      case 'write':
        return [{ written: this.write(params) }]
      case 'deleteScopeRelations': {
        const gone = this.relations(params).filter((r) => inScope(r, params))
        for (const r of gone) this.edges.splice(this.edges.indexOf(r), 1)
        return [{ removed: gone.length }]
      }
      case 'deleteScopeEntities': {
        const gone = this.entities(params).filter((e) => inScope(e, params))
        for (const e of gone) this.detach(e)
        return [{ removed: gone.length }]
      }
      case 'reset': {
        const gone = this.entities(params)
        for (const e of gone) this.detach(e)
        return [{ removed: gone.length }]
      }
    }
  }

  /** The change-set statement, in one transaction: on any error nothing of it stays. */
  private write(params: Record<string, unknown>): number {
    const nodes = [...this.nodes]
    const edges = [...this.edges]
    const props = new Map<object, Record<string, unknown>>([...nodes, ...edges].map((x) => [x, { ...x.props }]))
    try {
      for (const d of list(params, 'dropRelations')) {
        for (const r of this.relations(params).filter((r) => eq(prop(r, 'id'), d) === true)) this.edges.splice(this.edges.indexOf(r), 1)
      }
      for (const d of list(params, 'dropEntities')) {
        for (const e of this.entities(params).filter((e) => eq(prop(e, 'id'), d) === true)) this.detach(e)
      }
      for (const raw of list(params, 'putEntities')) {
        const p = map(raw, 'p')
        if (p.id === null || p.id === undefined)
          throw new CypherTypeError("Cannot merge the following node because of null property value for 'id'")
        let node = this.entities(params).find((e) => eq(prop(e, 'id'), p.id) === true)
        if (!node) {
          node = { labels: ['EdgememEntity'], props: { ns: params.ns, id: p.id } }
          this.nodes.push(node)
        }
        for (const k of ENTITY_SETS) {
          const v = storable(p[k], `e.${k}`)
          if (v === undefined) delete node.props[k]
          else node.props[k] = v
        }
      }
      let written = 0
      for (const raw of list(params, 'putRelations')) {
        const p = map(raw, 'p')
        const s = this.entities(params).find((e) => eq(prop(e, 'id'), p.sourceId) === true)
        const t = this.entities(params).find((e) => eq(prop(e, 'id'), p.targetId) === true)
        if (!s || !t) continue // MATCH found no row: nothing merged for this one
        let edge = this.edges.find(
          (r) =>
            r.type === 'EDGEMEM_RELATION' &&
            r.start === s &&
            r.end === t &&
            eq(prop(r, 'ns'), params.ns) === true &&
            eq(prop(r, 'id'), p.id) === true,
        )
        if (!edge) {
          if (p.id === null || p.id === undefined)
            throw new CypherTypeError("Cannot merge relationship because of null property value for 'id'")
          edge = { type: 'EDGEMEM_RELATION', start: s, end: t, props: { ns: params.ns, id: p.id } }
          this.edges.push(edge)
        }
        for (const k of RELATION_SETS) {
          const v = storable(p[k], `r.${k}`)
          if (v === undefined) delete edge.props[k]
          else edge.props[k] = v
        }
        written++
      }
      return written
    } catch (err) {
      this.nodes.splice(0, this.nodes.length, ...nodes)
      this.edges.splice(0, this.edges.length, ...edges)
      for (const [x, saved] of props) (x as { props: Record<string, unknown> }).props = saved
      throw err
    }
  }
}
