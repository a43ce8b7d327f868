import {
  clone,
  isPlainObject,
  parseJsonBody,
  squaredL2,
  startFakeServer,
  type FakeHttpServer,
  type FakeRequest,
  type FakeResponse,
} from '../remote/support/fake-http.ts'
import { type SigV4Expectation, verifySigV4 } from './aws-sigv4.ts'
import { FakeCypherGraph } from './cypher-graph.ts'

/**
 * A local Amazon Neptune Analytics endpoint after the API reference: the control plane's
 * `GET /graphs/{graphIdentifier}` (with `vectorSearchConfiguration.dimension`) and the data plane's
 * `POST /queries` (ExecuteQuery: `{query, language: 'OPEN_CYPHER', parameters}`, `graphIdentifier`
 * header, `{results: [...]}`), both signed with SigV4 for `neptune-graph` (verified), errors as
 * `{code, message}`. It runs the openCypher statement shapes a vector store needs — UNWIND/MERGE/SET with
 * `neptune.algo.vectors.upsert`, MATCH by `id(n)` or properties with `neptune.algo.vectors.get`,
 * `neptune.algo.vectors.topKByEmbedding` (the k nearest nodes of the whole graph by L2 distance, filtered
 * afterwards by a WHERE), keyset pages ordered by `id(n)`, DETACH DELETE — with a boolean expression
 * language of `=`, `>`, `IN`, `CONTAINS`, `NOT`, `AND`, `OR` over `n.<property>`, `id(n)` and `$parameters`
 * (Cypher's three-valued logic: a missing property is null). Any other statement is a 400, and so is a
 * string literal in the query text: values must travel as parameters. The graph store's statements
 * (cypher-graph.ts, matched by their full text) run on a property graph of their own (`graph`).
 */
export interface NeptuneServerOptions {
  credentials: SigV4Expectation
  graphId: string
  dimension: number
}

interface Node {
  id: string
  label: string
  props: Record<string, unknown>
  embedding?: number[]
}

export interface FakeNeptune {
  server: FakeHttpServer
  url: string
  nodes: Map<string, Node>
  /** The graph memory nodes and relationships (labels EdgememEntity / EDGEMEM_RELATION). */
  graph: FakeCypherGraph
  close(): Promise<void>
}

class NeptuneError extends Error {
  readonly status: number
  readonly code: string
  constructor(status: number, code: string, message: string) {
    super(message)
    this.status = status
    this.code = code
  }
}
const bad = (message: string) => new NeptuneError(400, 'BadRequestException', message)

type Value = boolean | null
type Expr = (node: Node, params: Record<string, unknown>) => Value

/** Parses the WHERE language into a three-valued predicate. */
export function parseCypherCondition(text: string): Expr {
  const tokens = text.match(/\$\w+|id\(n\)|n\.\w+|\(|\)|=|>|[A-Za-z]+/g) ?? []
  if (tokens.join('').replace(/\s/g, '') !== text.replace(/\s/g, '')) throw bad(`Invalid input in WHERE: ${text}`)
  let pos = 0
  const peek = () => tokens[pos]
  const take = () => tokens[pos++]
  const operand = (): ((node: Node, params: Record<string, unknown>) => unknown) => {
    const t = take()
    if (t === 'id(n)') return (node) => node.id
    if (t?.startsWith('n.')) return (node) => node.props[t.slice(2)] ?? null
    if (t?.startsWith('$')) {
      const name = t.slice(1)
      return (_node, params) => {
        if (!(name in params)) throw bad(`Parameter missing: ${name}`)
        return params[name]
      }
    }
    throw bad(`Invalid input '${t}' in WHERE: ${text}`)
  }
  const orExpr = (): Expr => {
    let left = andExpr()
    while (peek() === 'OR') {
      take()
      const l = left
      const r = andExpr()
      left = (n, p) => {
        const a = l(n, p)
        const b = r(n, p)
        return a === true || b === true ? true : a === null || b === null ? null : false
      }
    }
    return left
  }
  const andExpr = (): Expr => {
    let left = unary()
    while (peek() === 'AND') {
      take()
      const l = left
      const r = unary()
      left = (n, p) => {
        const a = l(n, p)
        const b = r(n, p)
        return a === false || b === false ? false : a === null || b === null ? null : true
      }
    }
    return left
  }
  const unary = (): Expr => {
    if (peek() === 'NOT') {
      take()
      const inner = unary()
      return (n, p) => {
        const v = inner(n, p)
        return v === null ? null : !v
      }
    }
    if (peek() === '(') {
      take()
      const inner = orExpr()
      if (take() !== ')') throw bad(`Expected ')' in WHERE: ${text}`)
      return inner
    }
    if (peek() === 'true' || peek() === 'false') {
      const v = take() === 'true'
      return () => v
    }
    const left = operand()
    const op = take()
    const right = operand()
    return (n, p) => {
      const a = left(n, p)
      const b = right(n, p)
      if (a === null || b === null) return null
      switch (op) {
        case '=':
          return a === b
        case '>':
          return typeof a === typeof b ? (a as string) > (b as string) : null
        case 'IN':
          return Array.isArray(b) ? b.includes(a) : null
        case 'CONTAINS':
          return typeof a === 'string' && typeof b === 'string' ? a.includes(b) : null
        default:
          throw bad(`Invalid operator '${op}' in WHERE: ${text}`)
      }
    }
  }
  const expr = orExpr()
  if (pos !== tokens.length) throw bad(`Invalid input in WHERE: ${text}`)
  return expr
}

const STATEMENTS = {
  upsert:
    /^UNWIND \$rows AS row MERGE \(n:(\w+) \{`~id`: row\.key\}\) SET ((?:n\.\w+ = row\.\w+(?:, )?)+) WITH n, row CALL neptune\.algo\.vectors\.upsert\(n, row\.embedding\) YIELD success RETURN count\(success\) AS written$/,
  match:
    /^MATCH \(n:(\w+)\) WHERE (.+?)( WITH n ORDER BY id\(n\) LIMIT (\d+))?( CALL neptune\.algo\.vectors\.get\(n\) YIELD embedding)? RETURN (.+)$/,
  topK: /^WITH \$embedding AS embedding CALL neptune\.algo\.vectors\.topKByEmbedding\(embedding, \{topK: (\d+)\}\) YIELD node(, score)? (.+)$/,
  delete: /^MATCH \(n:(\w+)\) WHERE (.+) DETACH DELETE n$/,
}

export async function startNeptuneServer(options: NeptuneServerOptions): Promise<FakeNeptune> {
  const nodes = new Map<string, Node>()
  let graph = new FakeCypherGraph()
  const fail = (err: NeptuneError): FakeResponse => ({
    status: err.status,
    headers: { 'x-amzn-ErrorType': err.code },
    body: { code: err.code, message: err.message },
  })

  const project = (node: Node, items: string, extra: Record<string, unknown>): Record<string, unknown> => {
    const out: Record<string, unknown> = {}
    for (const item of items.split(', ')) {
      const m = /^(n\.(\w+)|id\(n\)) AS (\w+)$/.exec(item)
      if (m) out[m[3]!] = m[2] ? clone(node.props[m[2]] ?? null) : node.id
      else if (item in extra) out[item] = extra[item]
      else throw bad(`Variable \`${item}\` not defined`)
    }
    return out
  }
  const embeddingOf = (node: Node): number[] => {
    if (!node.embedding) throw bad(`Node ${node.id} has no embedding`)
    return node.embedding.slice()
  }

  const run = (query: string, params: Record<string, unknown>): unknown[] => {
    if (graph.knows(query)) {
      try {
        const { fields, rows } = graph.run(query, params)
        return rows.map((row) => Object.fromEntries(fields.map((f, i) => [f, row[i]])))
      } catch (err) {
        throw bad(err instanceof Error ? err.message : String(err))
      }
    }
    if (/['"]/.test(query)) throw bad('fake Neptune Analytics: literal strings in a query are refused; pass values as parameters')
    let m = STATEMENTS.upsert.exec(query)
    if (m) {
      const rows = params.rows
      if (!Array.isArray(rows)) throw bad('Parameter rows must be a list')
      const assignments = m[2]!.split(', ').map((a) => /^n\.(\w+) = row\.(\w+)$/.exec(a)!)
      for (const row of rows as Record<string, unknown>[]) {
        const embedding = row.embedding
        if (!Array.isArray(embedding) || embedding.length !== options.dimension)
          throw bad(
            `Vector dimension mismatch: the graph's vector search configuration has dimension ${options.dimension}, got ${Array.isArray(embedding) ? embedding.length : 0}`,
          )
      }
      for (const row of rows as Record<string, unknown>[]) {
        const id = String(row.key)
        const node = nodes.get(id) ?? { id, label: m[1]!, props: {} }
        for (const a of assignments) node.props[a[1]!] = clone(row[a[2]!])
        node.embedding = (row.embedding as number[]).slice()
        nodes.set(id, node)
      }
      return [{ written: rows.length }]
    }
    m = STATEMENTS.delete.exec(query)
    if (m) {
      const where = parseCypherCondition(m[2]!)
      for (const node of [...nodes.values()]) if (node.label === m[1] && where(node, params) === true) nodes.delete(node.id)
      return []
    }
    m = STATEMENTS.match.exec(query)
    if (m) {
      const where = parseCypherCondition(m[2]!)
      let matched = [...nodes.values()].filter((n) => n.label === m![1] && where(n, params) === true)
      if (m[3]) matched = matched.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)).slice(0, Number(m[4]))
      return matched.map((n) => project(n, m![6]!, m![5] ? { embedding: embeddingOf(n) } : {}))
    }
    m = STATEMENTS.topK.exec(query)
    if (m) {
      const embedding = params.embedding
      if (!Array.isArray(embedding) || embedding.length !== options.dimension)
        throw bad(`Vector dimension mismatch: expected ${options.dimension}`)
      const k = Number(m[1])
      const nearest = [...nodes.values()]
        .filter((n) => n.embedding)
        .map((n) => ({ n, score: Math.sqrt(squaredL2(embedding as number[], n.embedding!)) }))
        .sort((a, b) => a.score - b.score)
        .slice(0, k)
      const rest = m[3]!
      if (!m[2] && rest === 'RETURN count(node) AS candidates') return [{ candidates: nearest.length }]
      const tail = /^WITH node AS n, score WHERE (.+?) CALL neptune\.algo\.vectors\.get\(n\) YIELD embedding RETURN (.+)$/.exec(rest)
      if (!m[2] || !tail) throw bad(`fake Neptune Analytics: unsupported statement after topKByEmbedding: ${rest}`)
      const where = parseCypherCondition(tail[1]!)
      return nearest
        .filter(({ n }) => where(n, params) === true)
        .map(({ n, score }) => project(n, tail[2]!, { embedding: embeddingOf(n), score }))
    }
    throw bad(`fake Neptune Analytics: unsupported statement: ${query}`)
  }

  const handle = (req: FakeRequest): FakeResponse => {
    const signed = verifySigV4(req, options.credentials)
    if (!signed.ok) return fail(new NeptuneError(signed.status, signed.code, signed.message))
    try {
      const graph = /^\/graphs\/([^/]+)$/.exec(req.path)
      if (graph && req.method === 'GET') {
        if (decodeURIComponent(graph[1]!) !== options.graphId)
          throw new NeptuneError(404, 'ResourceNotFoundException', `Graph ${graph[1]} not found`)
        return {
          status: 200,
          body: {
            id: options.graphId,
            name: 'edgemem-test',
            arn: `arn:aws:neptune-graph:${options.credentials.region}:123456789012:graph/${options.graphId}`,
            status: 'AVAILABLE',
            provisionedMemory: 16,
            vectorSearchConfiguration: { dimension: options.dimension },
          },
        }
      }
      if (req.path !== '/queries' || req.method !== 'POST')
        throw new NeptuneError(404, 'ResourceNotFoundException', `No route ${req.method} ${req.path}`)
      if (req.headers.graphidentifier !== options.graphId)
        throw new NeptuneError(404, 'ResourceNotFoundException', 'Graph not found: check the graphIdentifier header')
      const parsed = parseJsonBody(req.bodyText)
      if (!parsed.ok || !isPlainObject(parsed.value)) throw bad('Request body must be a JSON object')
      const { query, language, parameters = {} } = parsed.value as { query?: unknown; language?: unknown; parameters?: unknown }
      if (language !== 'OPEN_CYPHER')
        throw new NeptuneError(
          400,
          'ValidationException',
          "Value at 'language' failed to satisfy constraint: Member must satisfy enum value set: [OPEN_CYPHER]",
        )
      if (typeof query !== 'string' || !isPlainObject(parameters)) throw bad('query must be a string and parameters an object')
      return { status: 200, body: { results: run(query, parameters) } }
    } catch (err) {
      if (err instanceof NeptuneError) return fail(err)
      throw err
    }
  }

  const server = await startFakeServer(handle, () => {
    nodes.clear()
    graph = new FakeCypherGraph()
  })
  return {
    server,
    url: server.url,
    nodes,
    get graph() {
      return graph
    },
    close: () => server.close(),
  }
}
