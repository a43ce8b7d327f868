import {
  checkDate,
  checkMemoryIds,
  checkName,
  cleanScope,
  DEFAULT_RESOLVE_SIMILARITY,
  dot,
  type EntityQuery,
  type GraphEntity,
  type GraphListQuery,
  GRAPH_SCOPE_KEYS,
  type GraphRelation,
  type GraphScope,
  type GraphStore,
  type GraphWrite,
  type GraphWriteResult,
  inScope,
  type NeighbourhoodQuery,
  nameForMatching,
  normalizeEntityName,
  normalizeRelationship,
  type ReachedRelation,
  RemoteError,
  sameScope,
  type ScoredEntity,
  toUnitVector,
  union,
  uuidv4,
  ValidationError,
  wordsForMatching,
} from '../../src/internal.ts'
import { uuidV5 } from './uuid-v5.ts'

/**
 * The graph stores of graph databases that speak openCypher (Neo4j's Query API, Neptune Database,
 * Neptune Analytics): one implementation of the GraphStore contract over a `CypherRunner`, which each
 * adapter supplies (its wire protocol, auth and error mapping). The store issues only the fixed,
 * parameterised statements of `GRAPH_STATEMENTS`: no user text ever becomes statement text. Labels and
 * the relationship type are fixed (`EdgememEntity`, `EDGEMEM_RELATION`); the relation's own type
 * ("works_at") is a property. Lists (memory ids, name embeddings) are JSON strings, since Neptune keeps
 * no list-valued properties. See docs/graph.md, "Remote graph databases".
 */
export type CypherRunner = (statement: string, parameters: Record<string, unknown>) => Promise<Record<string, unknown>[]>

export const ENTITY_LABEL = 'EdgememEntity'
/** UUIDv5 namespace of entity ids: one id per (collection, exact scope, normalised name). */
const ENTITY_ID_NAMESPACE = '8f0c6a52-4d3b-4e1f-9a7c-2b5e8d1f6c3a'
export const RELATION_TYPE = 'EDGEMEM_RELATION'
const SCOPE_KEYS = GRAPH_SCOPE_KEYS
/** Longest entity name (in words) that text matching looks for; longer names match by embedding only. */
export const MAX_MATCH_WORDS = 12
const MAX_QUERY_WORDS = 512

/** `($user_id = '' OR x.user_id = $user_id) AND …`: a record matches every id the query gives. */
const scopeCondition = (x: string): string => SCOPE_KEYS.map((k) => `($${k} = '' OR ${x}.${k} = $${k})`).join(' AND ')
const ENTITY_FIELDS =
  'e.id AS id, e.name AS name, e.norm AS norm, e.type AS type, e.mem AS mem, e.emb AS emb, e.createdAt AS createdAt, ' +
  'e.ord AS ord, e.user_id AS user_id, e.agent_id AS agent_id, e.run_id AS run_id'
const RELATION_FIELDS =
  'r.id AS id, s.id AS sourceId, s.name AS source, t.id AS targetId, t.name AS target, r.relationship AS relationship, r.validFrom AS validFrom, ' +
  'r.invalidatedAt AS invalidatedAt, r.mem AS mem, r.ord AS ord, r.user_id AS user_id, r.agent_id AS agent_id, r.run_id AS run_id'
const EDGE = `(s:${ENTITY_LABEL})-[r:${RELATION_TYPE}]->(t:${ENTITY_LABEL})`

/** Every statement the remote graph stores send; values travel only as parameters. */
export const GRAPH_STATEMENTS = {
  entities: `MATCH (e:${ENTITY_LABEL}) WHERE e.ns = $ns AND ${scopeCondition('e')} RETURN ${ENTITY_FIELDS} ORDER BY e.ord`,
  entitiesByWords: `MATCH (e:${ENTITY_LABEL}) WHERE e.ns = $ns AND ${scopeCondition('e')} AND e.words IN $words RETURN ${ENTITY_FIELDS} ORDER BY e.ord`,
  entitiesByNorm: `MATCH (e:${ENTITY_LABEL}) WHERE e.ns = $ns AND e.sk = $sk AND e.norm IN $norms RETURN ${ENTITY_FIELDS} ORDER BY e.ord`,
  /** `$mems` holds JSON-quoted memory ids, so CONTAINS finds whole elements of the JSON list in `mem`. */
  entitiesWithMemories: `UNWIND $mems AS m MATCH (e:${ENTITY_LABEL}) WHERE e.ns = $ns AND ${scopeCondition('e')} AND e.mem CONTAINS m RETURN DISTINCT ${ENTITY_FIELDS}`,
  relationsWithMemories: `UNWIND $mems AS m MATCH ${EDGE} WHERE r.ns = $ns AND ${scopeCondition('r')} AND r.mem CONTAINS m RETURN DISTINCT ${RELATION_FIELDS}`,
  entitiesWithEmbedding: `MATCH (e:${ENTITY_LABEL}) WHERE e.ns = $ns AND ${scopeCondition('e')} AND e.emb <> '' RETURN ${ENTITY_FIELDS} ORDER BY e.ord`,
  relations: `MATCH ${EDGE} WHERE r.ns = $ns AND ${scopeCondition('r')} AND ($all OR r.invalidatedAt = '') RETURN ${RELATION_FIELDS} ORDER BY r.ord`,
  relationsTouching: `MATCH ${EDGE} WHERE r.ns = $ns AND ${scopeCondition('r')} AND ($all OR r.invalidatedAt = '') AND (s.id IN $ids OR t.id IN $ids) RETURN ${RELATION_FIELDS} ORDER BY r.ord`,
  relationsById: `MATCH ${EDGE} WHERE r.ns = $ns AND r.id IN $ids RETURN ${RELATION_FIELDS}`,
  entitiesById: `MATCH (e:${ENTITY_LABEL}) WHERE e.ns = $ns AND e.id IN $ids RETURN ${ENTITY_FIELDS}`,
  /** One change set in one statement, so in one transaction: deletions, then entities, then relations. */
  write:
    `UNWIND $dropRelations AS d MATCH ${EDGE} WHERE r.ns = $ns AND r.id = d DELETE r WITH count(*) AS dropped ` +
    `UNWIND $dropEntities AS d MATCH (e:${ENTITY_LABEL}) WHERE e.ns = $ns AND e.id = d DETACH DELETE e WITH count(*) AS removed ` +
    `UNWIND $putEntities AS p MERGE (e:${ENTITY_LABEL} {ns: $ns, id: p.id}) ` +
    'SET e.sk = p.sk, e.user_id = p.user_id, e.agent_id = p.agent_id, e.run_id = p.run_id, e.name = p.name, e.norm = p.norm, ' +
    'e.words = p.words, e.type = p.type, e.mem = p.mem, e.emb = p.emb, e.createdAt = p.createdAt, e.ord = p.ord WITH count(*) AS put ' +
    `UNWIND $putRelations AS p MATCH (s:${ENTITY_LABEL} {ns: $ns, id: p.sourceId}), (t:${ENTITY_LABEL} {ns: $ns, id: p.targetId}) ` +
    `MERGE (s)-[r:${RELATION_TYPE} {ns: $ns, id: p.id}]->(t) ` +
    'SET r.sk = p.sk, r.user_id = p.user_id, r.agent_id = p.agent_id, r.run_id = p.run_id, r.relationship = p.relationship, ' +
    'r.validFrom = p.validFrom, r.invalidatedAt = p.invalidatedAt, r.mem = p.mem, r.ord = p.ord RETURN count(*) AS written',
  deleteScopeRelations: `MATCH ${EDGE} WHERE r.ns = $ns AND ${scopeCondition('r')} DELETE r RETURN count(*) AS removed`,
  deleteScopeEntities: `MATCH (e:${ENTITY_LABEL}) WHERE e.ns = $ns AND ${scopeCondition('e')} DETACH DELETE e RETURN count(*) AS removed`,
  reset: `MATCH (e:${ENTITY_LABEL}) WHERE e.ns = $ns DETACH DELETE e RETURN count(*) AS removed`,
} as const

/** Stored form of an entity ('' for an absent type, scope id or embedding: Neptune keeps no nulls). */
interface EntityRow {
  id: string
  sk: string
  user_id: string
  agent_id: string
  run_id: string
  name: string
  norm: string
  words: string
  type: string
  mem: string
  emb: string
  createdAt: string
  ord: string
}
interface RelationRow {
  id: string
  sk: string
  user_id: string
  agent_id: string
  run_id: string
  sourceId: string
  targetId: string
  relationship: string
  validFrom: string
  invalidatedAt: string
  mem: string
  ord: string
}

/** An entity or relation in memory while a write is computed. */
interface Entity {
  id: string
  scope: GraphScope
  name: string
  norm: string
  type?: string
  memoryIds: string[]
  vector?: Float32Array
  createdAt: string
  ord: string
}
interface Relation {
  id: string
  scope: GraphScope
  sourceId: string
  source: string
  targetId: string
  target: string
  relationship: string
  validFrom: string
  invalidatedAt: string | null
  memoryIds: string[]
  ord: string
}

let counter = 0
/** Creation order: time, then a per-process counter (ORDER BY on a fixed-width string). */
function nextOrd(): string {
  counter = (counter + 1) % 36 ** 6
  return `${Date.now().toString(36).padStart(10, '0')}${counter.toString(36).padStart(6, '0')}`
}

const scopeKey = (scope: GraphScope): string => JSON.stringify(SCOPE_KEYS.map((k) => scope[k] ?? ''))
function scopeParams(scope: GraphScope): Record<string, string> {
  return Object.fromEntries(SCOPE_KEYS.map((k) => [k, scope[k] ?? '']))
}
function checkVector(value: Float32Array | undefined, what: string): Float32Array | undefined {
  if (value === undefined) return undefined
  if (!(value instanceof Float32Array) || value.length === 0 || value.some((x) => !Number.isFinite(x))) {
    throw new ValidationError(`graph: ${what}.embedding must be a Float32Array of finite numbers`)
  }
  return toUnitVector(value)
}

const text = (row: Record<string, unknown>, key: string): string => {
  const v = row[key]
  if (typeof v !== 'string') throw new RemoteError('graph store', 0, `expected a string in column "${key}" of the answer`)
  return v
}
const optionalText = (row: Record<string, unknown>, key: string): string => (typeof row[key] === 'string' ? (row[key] as string) : '')
function scopeOf(row: Record<string, unknown>): GraphScope {
  const scope: GraphScope = {}
  for (const k of SCOPE_KEYS) {
    const v = optionalText(row, k)
    if (v) scope[k] = v
  }
  return scope
}
function jsonList<T>(value: string, what: string): T[] {
  try {
    const parsed = JSON.parse(value) as unknown
    if (Array.isArray(parsed)) return parsed as T[]
  } catch {
    // reported below
  }
  throw new RemoteError('graph store', 0, `${what} is not a JSON list`)
}
function entityFromRow(row: Record<string, unknown>): Entity {
  const entity: Entity = {
    id: text(row, 'id'),
    scope: scopeOf(row),
    name: text(row, 'name'),
    norm: text(row, 'norm'),
    memoryIds: jsonList<string>(text(row, 'mem'), 'an entity\'s "mem"'),
    createdAt: text(row, 'createdAt'),
    ord: text(row, 'ord'),
  }
  const type = optionalText(row, 'type')
  if (type) entity.type = type
  const emb = optionalText(row, 'emb')
  if (emb) entity.vector = Float32Array.from(jsonList<number>(emb, 'an entity\'s "emb"'))
  return entity
}
function relationFromRow(row: Record<string, unknown>): Relation {
  const invalidatedAt = optionalText(row, 'invalidatedAt')
  return {
    id: text(row, 'id'),
    scope: scopeOf(row),
    sourceId: text(row, 'sourceId'),
    source: text(row, 'source'),
    targetId: text(row, 'targetId'),
    target: text(row, 'target'),
    relationship: text(row, 'relationship'),
    validFrom: text(row, 'validFrom'),
    invalidatedAt: invalidatedAt || null,
    memoryIds: jsonList<string>(text(row, 'mem'), 'a relation\'s "mem"'),
    ord: text(row, 'ord'),
  }
}
function entityRow(e: Entity): EntityRow {
  return {
    id: e.id,
    sk: scopeKey(e.scope),
    user_id: e.scope.user_id ?? '',
    agent_id: e.scope.agent_id ?? '',
    run_id: e.scope.run_id ?? '',
    name: e.name,
    norm: e.norm,
    words: nameForMatching(e.norm).trim(),
    type: e.type ?? '',
    mem: JSON.stringify(e.memoryIds),
    emb: e.vector ? JSON.stringify(Array.from(e.vector)) : '',
    createdAt: e.createdAt,
    ord: e.ord,
  }
}
function relationRow(r: Relation): RelationRow {
  return {
    id: r.id,
    sk: scopeKey(r.scope),
    user_id: r.scope.user_id ?? '',
    agent_id: r.scope.agent_id ?? '',
    run_id: r.scope.run_id ?? '',
    sourceId: r.sourceId,
    targetId: r.targetId,
    relationship: r.relationship,
    validFrom: r.validFrom,
    invalidatedAt: r.invalidatedAt ?? '',
    mem: JSON.stringify(r.memoryIds),
    ord: r.ord,
  }
}
function entityView(e: Entity): GraphEntity {
  const view: GraphEntity = { id: e.id, name: e.name, scope: { ...e.scope }, memoryIds: [...e.memoryIds], createdAt: e.createdAt }
  if (e.type !== undefined) view.type = e.type
  if (e.vector) view.embedding = e.vector
  return view
}

/** A change of the graph computed in memory: what to write, and what undo puts back. */
class ChangeSet {
  readonly entities: Map<string, Entity>
  readonly relations: Map<string, Relation>
  private readonly beforeEntities = new Map<string, Entity | null>()
  private readonly beforeRelations = new Map<string, Relation | null>()

  constructor(entities: Entity[], relations: Relation[]) {
    this.entities = new Map(entities.map((e) => [e.id, e]))
    this.relations = new Map(relations.map((r) => [r.id, r]))
  }
  putEntity(e: Entity): void {
    if (!this.beforeEntities.has(e.id)) this.beforeEntities.set(e.id, this.entities.get(e.id) ?? null)
    this.entities.set(e.id, e)
  }
  dropEntity(id: string): void {
    if (!this.beforeEntities.has(id)) this.beforeEntities.set(id, this.entities.get(id) ?? null)
    this.entities.delete(id)
  }
  putRelation(r: Relation): void {
    if (!this.beforeRelations.has(r.id)) this.beforeRelations.set(r.id, this.relations.get(r.id) ?? null)
    this.relations.set(r.id, r)
  }
  dropRelation(id: string): void {
    if (!this.beforeRelations.has(id)) this.beforeRelations.set(id, this.relations.get(id) ?? null)
    this.relations.delete(id)
  }
  get empty(): boolean {
    return this.beforeEntities.size === 0 && this.beforeRelations.size === 0
  }
  /** Parameters of the write statement that takes the graph from before to now. */
  forward(): Record<string, unknown> {
    return this.params(
      (id) => this.entities.get(id) ?? null,
      (id) => this.relations.get(id) ?? null,
    )
  }
  /** Parameters of the write statement that puts every touched record back. */
  backward(): Record<string, unknown> {
    return this.params(
      (id) => this.beforeEntities.get(id) ?? null,
      (id) => this.beforeRelations.get(id) ?? null,
    )
  }
  private params(entity: (id: string) => Entity | null, relation: (id: string) => Relation | null): Record<string, unknown> {
    const dropEntities: string[] = []
    const putEntities: EntityRow[] = []
    const dropRelations: string[] = []
    const putRelations: RelationRow[] = []
    for (const id of this.beforeEntities.keys()) {
      const e = entity(id)
      if (e) putEntities.push(entityRow(e))
      else dropEntities.push(id)
    }
    for (const id of this.beforeRelations.keys()) {
      const r = relation(id)
      if (r) putRelations.push(relationRow(r))
      else dropRelations.push(id)
    }
    return { dropRelations, dropEntities, putEntities, putRelations }
  }
}

/**
 * Drops the memories from the records of `scope` that hold them: relations and unused entities left with
 * none go. Only records holding a forgotten memory change (the change set holds those and every relation
 * touching them, not the whole scope).
 */
function forgetIn(change: ChangeSet, scope: GraphScope, gone: ReadonlySet<string>): void {
  if (gone.size === 0) return
  for (const r of [...change.relations.values()]) {
    if (!inScope(scope, r.scope) || !r.memoryIds.some((id) => gone.has(id))) continue
    const left = r.memoryIds.filter((id) => !gone.has(id))
    if (left.length === 0) change.dropRelation(r.id)
    else change.putRelation({ ...r, memoryIds: left })
  }
  const used = new Set<string>()
  for (const r of change.relations.values()) used.add(r.sourceId).add(r.targetId)
  for (const e of [...change.entities.values()]) {
    if (!inScope(scope, e.scope) || !e.memoryIds.some((id) => gone.has(id))) continue
    const left = e.memoryIds.filter((id) => !gone.has(id))
    if (left.length === 0 && !used.has(e.id)) change.dropEntity(e.id)
    else if (left.length !== e.memoryIds.length) change.putEntity({ ...e, memoryIds: left })
  }
}

export interface CypherGraphStoreOptions {
  /** Provider name ("neo4j", "neptune", "neptune-analytics"). */
  name: string
  run: CypherRunner
  /** The Memory collection: every node and relationship carries it (`ns`), so collections share a database. */
  collection: string
  resolveSimilarity?: number | undefined
  /** Statements `init()` runs once (Neo4j's constraints and indexes); each must be idempotent. */
  setup?: readonly string[]
}

/**
 * The GraphStore over openCypher. Writes read the records they can touch (`load`), compute the change
 * exactly as the local store does (resolution by normalised name, then by name-embedding similarity,
 * within the exact scope) and send it as ONE statement, which the database runs as one transaction: all
 * of it or nothing. Name matching and the neighbourhood are graph queries; matching by embedding reads the
 * scope's entities that have one (the databases' vector indexes are not used). Concurrent writers of one scope can lose each other's updates (the read-compute-write
 * is not guarded): one writer per scope, as the Memory's own write lock gives within a process.
 */
export class CypherGraphStore implements GraphStore {
  readonly name: string
  private readonly run: CypherRunner
  private readonly ns: string
  private readonly resolveSimilarity: number
  private readonly setup: readonly string[]
  private initialised: Promise<void> | undefined

  constructor(options: CypherGraphStoreOptions) {
    if (options.collection.length === 0) throw new ValidationError('graph: the Memory collection must not be empty')
    this.name = options.name
    this.run = options.run
    this.ns = options.collection
    this.resolveSimilarity = options.resolveSimilarity ?? DEFAULT_RESOLVE_SIMILARITY
    this.setup = options.setup ?? []
  }

  init(): Promise<void> {
    this.initialised ??= (async () => {
      for (const statement of this.setup) await this.run(statement, {})
    })().catch((err: unknown) => {
      this.initialised = undefined
      throw err
    })
    return this.initialised
  }

  /**
   * The records a change of `scope` can touch, not the whole scope: entities of the exact scope with these
   * normalised names (and, when one of `embeddedNorms` — the names of mentions that carry an embedding —
   * is not among them, every entity of the scope with a name embedding, for resolution by similarity), the records holding the memories to forget, the relations to invalidate,
   * and every relation touching a loaded entity (for merging repeated triples and for knowing whether an
   * entity is still used).
   */
  private async load(
    scope: GraphScope,
    need: { norms?: string[]; embeddedNorms?: string[]; forget?: ReadonlySet<string>; relationIds?: string[] },
  ): Promise<{ entities: Entity[]; relations: Relation[] }> {
    const params = { ns: this.ns, ...scopeParams(scope) }
    const mems = [...(need.forget ?? [])].map((id) => JSON.stringify(id))
    const none = Promise.resolve([] as Record<string, unknown>[])
    const [byNorm, entitiesHolding, relationsHolding, byId] = await Promise.all([
      need.norms?.length ? this.run(GRAPH_STATEMENTS.entitiesByNorm, { ns: this.ns, sk: scopeKey(scope), norms: need.norms }) : none,
      mems.length ? this.run(GRAPH_STATEMENTS.entitiesWithMemories, { ...params, mems }) : none,
      mems.length ? this.run(GRAPH_STATEMENTS.relationsWithMemories, { ...params, mems }) : none,
      need.relationIds?.length ? this.run(GRAPH_STATEMENTS.relationsById, { ns: this.ns, ids: need.relationIds }) : none,
    ])
    const known = new Set(byNorm.map((row) => row.norm))
    const embedded = need.embeddedNorms?.some((norm) => !known.has(norm))
      ? await this.run(GRAPH_STATEMENTS.entitiesWithEmbedding, params)
      : []
    const entities = new Map<string, Entity>()
    /** Entities a fact may name (found by name) or the forgetting may drop: their relations are needed. */
    const touched = new Set<string>()
    for (const [rows, touch] of [
      [embedded, false],
      [byNorm, true],
      [entitiesHolding, true],
    ] as const) {
      for (const row of rows) {
        const e = entityFromRow(row)
        entities.set(e.id, e)
        if (touch) touched.add(e.id)
      }
    }
    const relations = new Map<string, Relation>()
    for (const row of [...relationsHolding, ...byId]) {
      const r = relationFromRow(row)
      if (inScope(scope, r.scope)) relations.set(r.id, r)
    }
    if (touched.size > 0) {
      for (const row of await this.run(GRAPH_STATEMENTS.relationsTouching, { ...params, all: true, ids: [...touched] })) {
        const r = relationFromRow(row)
        relations.set(r.id, r)
      }
    }
    const ord = (a: { ord: string }, b: { ord: string }) => (a.ord < b.ord ? -1 : a.ord > b.ord ? 1 : 0)
    return { entities: [...entities.values()].sort(ord), relations: [...relations.values()].sort(ord) }
  }

  private async commit(params: Record<string, unknown>): Promise<void> {
    await this.run(GRAPH_STATEMENTS.write, { ns: this.ns, ...params })
  }

  async apply(write: GraphWrite): Promise<GraphWriteResult> {
    await this.init()
    const scope = cleanScope(write.scope)
    if (Object.keys(scope).length === 0) throw new ValidationError('graph: a write needs a scope (user_id, agent_id or run_id)')
    const mentions = write.entities.map((m, i) => ({
      name: checkName(m.name, `entities[${i}].name`),
      type: m.type === undefined ? undefined : checkName(m.type, `entities[${i}].type`),
      vector: checkVector(m.embedding, `entities[${i}]`),
      memoryIds: checkMemoryIds(m.memoryIds, `entities[${i}]`),
    }))
    const facts = write.relations.map((r, i) => {
      const relationship = normalizeRelationship(checkName(r.relationship, `relations[${i}].relationship`))
      if (relationship.length === 0) throw new ValidationError(`graph: relationship "${r.relationship}" has no letters or digits`)
      return {
        source: checkName(r.source, `relations[${i}].source`),
        relationship,
        target: checkName(r.target, `relations[${i}].target`),
        memoryIds: checkMemoryIds(r.memoryIds, `relations[${i}]`),
        validFrom: checkDate(r.validFrom, `relations[${i}].validFrom`),
      }
    })
    const invalidations = write.invalidate.map((x, i) => ({
      id: checkName(x.id, `invalidate[${i}].id`),
      at: checkDate(x.at, `invalidate[${i}].at`),
    }))
    const forget = new Set(checkMemoryIds(write.forget ?? [], 'forget'))
    const now = new Date().toISOString()

    const norms = new Set<string>()
    for (const m of mentions) norms.add(normalizeEntityName(m.name))
    for (const f of facts) norms.add(normalizeEntityName(f.source)).add(normalizeEntityName(f.target))
    const current = await this.load(scope, {
      norms: [...norms],
      embeddedNorms: mentions.filter((m) => m.vector !== undefined).map((m) => normalizeEntityName(m.name)),
      forget,
      relationIds: invalidations.map((x) => x.id),
    })
    const change = new ChangeSet(current.entities, current.relations)
    forgetIn(change, scope, forget)
    const resolve = (m: { name: string; type?: string | undefined; vector?: Float32Array | undefined; memoryIds: string[] }): Entity => {
      const norm = normalizeEntityName(m.name)
      let found: Entity | undefined
      for (const e of change.entities.values()) if (e.norm === norm && sameScope(e.scope, scope)) found = e
      if (!found && m.vector) {
        let best = this.resolveSimilarity
        for (const e of change.entities.values()) {
          if (!e.vector || !sameScope(e.scope, scope)) continue
          const s = dot(m.vector, e.vector)
          if (s >= best) {
            best = s
            found = e
          }
        }
      }
      if (found) {
        const memoryIds = union(found.memoryIds, m.memoryIds)
        const type = found.type ?? m.type
        const vector = found.vector ?? m.vector
        if (memoryIds.length === found.memoryIds.length && type === found.type && vector === found.vector) return found
        const next: Entity = { ...found, memoryIds }
        if (type !== undefined) next.type = type
        if (vector !== undefined) next.vector = vector
        change.putEntity(next)
        return next
      }
      const created: Entity = {
        // Derived from the name, so two writers creating the same new entity at once make one node.
        id: uuidV5(`${this.ns}\u0000${scopeKey(scope)}\u0000${norm}`, ENTITY_ID_NAMESPACE),
        scope,
        name: m.name,
        norm,
        memoryIds: [...new Set(m.memoryIds)],
        createdAt: now,
        ord: nextOrd(),
      }
      if (m.type !== undefined) created.type = m.type
      if (m.vector) created.vector = m.vector
      change.putEntity(created)
      return created
    }
    const resolved = mentions.map(resolve)

    const invalidated: Relation[] = []
    for (const { id, at } of invalidations) {
      const r = change.relations.get(id)
      if (!r || !inScope(scope, r.scope)) throw new ValidationError(`graph: no relation with id "${id}" in this scope to invalidate`)
      if (r.invalidatedAt !== null) continue
      const next = { ...r, invalidatedAt: at }
      change.putRelation(next)
      invalidated.push(next)
    }
    const added: Relation[] = []
    for (const fact of facts) {
      const source = resolve({ name: fact.source, memoryIds: fact.memoryIds })
      const target = resolve({ name: fact.target, memoryIds: fact.memoryIds })
      let existing: Relation | undefined
      for (const r of change.relations.values()) {
        if (r.sourceId === source.id && r.targetId === target.id && r.relationship === fact.relationship && r.invalidatedAt === null)
          existing = r
      }
      if (existing) {
        const memoryIds = union(existing.memoryIds, fact.memoryIds)
        if (memoryIds.length !== existing.memoryIds.length) change.putRelation({ ...existing, memoryIds })
        continue
      }
      const record: Relation = {
        id: uuidv4(),
        scope,
        sourceId: source.id,
        source: source.name,
        targetId: target.id,
        target: target.name,
        relationship: fact.relationship,
        validFrom: fact.validFrom,
        invalidatedAt: null,
        memoryIds: [...new Set(fact.memoryIds)],
        ord: nextOrd(),
      }
      change.putRelation(record)
      added.push(record)
    }
    if (!change.empty) await this.commit(change.forward())
    const view = (r: Relation): GraphRelation => relationView(change.relations.get(r.id) ?? r)
    return {
      entities: resolved.map((e) => entityView(change.entities.get(e.id) ?? e)),
      added: added.map(view),
      invalidated: invalidated.map(view),
      undo: async () => {
        if (!change.empty) await this.commit(change.backward())
      },
    }
  }

  async findEntities(query: EntityQuery): Promise<ScoredEntity[]> {
    const scope = cleanScope(query.scope)
    const params = { ns: this.ns, ...scopeParams(scope) }
    const scored = new Map<string, ScoredEntity>()
    const consider = (e: Entity, score: number): void => {
      const known = scored.get(e.id)
      if (!known || known.score < score) scored.set(e.id, { ...entityView(e), score })
    }
    const ords = new Map<string, string>()
    if (query.text !== undefined) {
      const words = wordsForMatching(query.text).trim().split(' ').filter(Boolean).slice(0, MAX_QUERY_WORDS)
      const phrases = new Set<string>()
      for (let i = 0; i < words.length; i++) {
        for (let n = 1; n <= MAX_MATCH_WORDS && i + n <= words.length; n++) phrases.add(words.slice(i, i + n).join(' '))
      }
      if (phrases.size > 0) {
        for (const row of await this.run(GRAPH_STATEMENTS.entitiesByWords, { ...params, words: [...phrases] })) {
          const e = entityFromRow(row)
          ords.set(e.id, e.ord)
          consider(e, 1)
        }
      }
    }
    if (query.vector) {
      const unit = toUnitVector(query.vector)
      const minSimilarity = query.minSimilarity ?? this.resolveSimilarity
      for (const row of await this.run(GRAPH_STATEMENTS.entitiesWithEmbedding, params)) {
        const e = entityFromRow(row)
        if (!e.vector) continue
        const s = dot(unit, e.vector)
        if (s >= minSimilarity) {
          ords.set(e.id, e.ord)
          consider(e, s)
        }
      }
    }
    const out = [...scored.values()]
    out.sort((a, b) => b.score - a.score || (ords.get(a.id)! < ords.get(b.id)! ? -1 : 1))
    return out.slice(0, query.limit)
  }

  async neighbourhood(query: NeighbourhoodQuery): Promise<ReachedRelation[]> {
    const scope = cleanScope(query.scope)
    if (!Number.isInteger(query.hops) || query.hops < 1 || query.hops > 2) throw new ValidationError('graph: hops must be 1 or 2')
    const params = { ns: this.ns, ...scopeParams(scope), all: query.includeInvalidated === true }
    const starts = await this.run(GRAPH_STATEMENTS.entitiesById, { ns: this.ns, ids: [...new Set(query.entityIds)] })
    let frontier = new Map<string, string>()
    for (const e of starts.map(entityFromRow)) if (inScope(scope, e.scope)) frontier.set(e.id, e.id)
    const visited = new Set(frontier.keys())
    const seen = new Set<string>()
    const out: ReachedRelation[] = []
    for (let hop = 1; hop <= query.hops && frontier.size > 0 && out.length < query.limit; hop++) {
      const rows = await this.run(GRAPH_STATEMENTS.relationsTouching, { ...params, ids: [...frontier.keys()] })
      const next = new Map<string, string>()
      const found: Relation[] = []
      for (const row of rows) {
        const r = relationFromRow(row)
        if (seen.has(r.id)) continue
        seen.add(r.id)
        found.push(r)
      }
      for (const r of found) {
        const from = frontier.get(r.sourceId) ?? frontier.get(r.targetId)!
        out.push({ ...relationView(r), hops: hop, fromEntityId: from })
        for (const end of [r.sourceId, r.targetId]) {
          if (!visited.has(end)) {
            visited.add(end)
            next.set(end, from)
          }
        }
      }
      frontier = next
    }
    return out.slice(0, query.limit)
  }

  async listEntities(query: GraphListQuery): Promise<GraphEntity[]> {
    const scope = cleanScope(query.scope)
    const rows = await this.run(GRAPH_STATEMENTS.entities, { ns: this.ns, ...scopeParams(scope) })
    return rows.map((row) => entityView(entityFromRow(row)))
  }

  async listRelations(query: GraphListQuery): Promise<GraphRelation[]> {
    const scope = cleanScope(query.scope)
    const rows = await this.run(GRAPH_STATEMENTS.relations, { ns: this.ns, ...scopeParams(scope), all: query.includeInvalidated === true })
    return rows.map((row) => relationView(relationFromRow(row)))
  }

  async forgetMemories(scope: GraphScope, memoryIds: string[]): Promise<void> {
    const clean = cleanScope(scope)
    const gone = new Set(checkMemoryIds(memoryIds, 'forgetMemories'))
    if (gone.size === 0) return
    const current = await this.load(clean, { forget: gone })
    const change = new ChangeSet(current.entities, current.relations)
    forgetIn(change, clean, gone)
    if (!change.empty) await this.commit(change.forward())
  }

  async deleteScope(scope: GraphScope): Promise<number> {
    const clean = cleanScope(scope)
    if (Object.keys(clean).length === 0) throw new ValidationError('graph: deleteScope needs a scope; use reset() to delete everything')
    const params = { ns: this.ns, ...scopeParams(clean) }
    const relations = await this.run(GRAPH_STATEMENTS.deleteScopeRelations, params)
    const entities = await this.run(GRAPH_STATEMENTS.deleteScopeEntities, params)
    return count(relations) + count(entities)
  }

  async reset(): Promise<void> {
    await this.run(GRAPH_STATEMENTS.reset, { ns: this.ns })
  }
}

function count(rows: Record<string, unknown>[]): number {
  const value = rows[0]?.removed
  const n = typeof value === 'string' ? Number(value) : value
  return typeof n === 'number' && Number.isFinite(n) ? n : 0
}

function relationView(r: Relation): GraphRelation {
  return {
    id: r.id,
    scope: { ...r.scope },
    sourceId: r.sourceId,
    source: r.source,
    relationship: r.relationship,
    targetId: r.targetId,
    target: r.target,
    validFrom: r.validFrom,
    invalidatedAt: r.invalidatedAt,
    memoryIds: [...r.memoryIds],
  }
}
