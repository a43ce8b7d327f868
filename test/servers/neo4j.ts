import {
  isPlainObject,
  parseJsonBody,
  startFakeServer,
  type FakeHttpServer,
  type FakeRequest,
  type FakeResponse,
} from '../remote/support/fake-http.ts'
import { CypherParameterError, CypherSyntaxError, CypherTypeError, FakeCypherGraph, NEO4J_SCHEMA_STATEMENTS } from './cypher-graph.ts'

/**
 * A local Neo4j HTTP Query API v2 after Neo4j's documentation ("Query API": run a query, result formats,
 * bookmarks, authentication, errors): `POST /db/{database}/query/v2` with `{statement, parameters?,
 * bookmarks?}`, Basic or Bearer auth, answering `202 Accepted` with `{data: {fields, values}, bookmarks}`
 * in plain JSON; failures as `{errors: [{code, message}]}` — 401 Neo.ClientError.Security.Unauthorized,
 * 404 Neo.ClientError.Database.DatabaseNotFound, 400 for a malformed request
 * (Neo.ClientError.Request.Invalid), a syntax error (Neo.ClientError.Statement.SyntaxError), a missing
 * parameter (Neo.ClientError.Statement.ParameterMissing), a type error (Neo.ClientError.Statement.TypeError)
 * or an unknown bookmark (Neo.ClientError.Transaction.InvalidBookmark). Statements run on the in-memory
 * graph of cypher-graph.ts (the fixed set the graph stores send, plus their index creation).
 */
export interface Neo4jServerOptions {
  database?: string
  username?: string
  password?: string
  /** Accepted as `Authorization: Bearer <token>` besides the user and password. */
  token?: string
}

export interface FakeNeo4j {
  server: FakeHttpServer
  url: string
  graph: FakeCypherGraph
  /** The bookmarks each query request carried, in order. */
  bookmarksSeen: (string[] | undefined)[]
  close(): Promise<void>
}

export async function startNeo4jServer(options: Neo4jServerOptions = {}): Promise<FakeNeo4j> {
  const database = options.database ?? 'neo4j'
  const username = options.username ?? 'neo4j'
  const password = options.password ?? 'fake-password'
  let graph = new FakeCypherGraph(NEO4J_SCHEMA_STATEMENTS)
  let transactions = 0
  const issued = new Set<string>()
  const bookmarksSeen: (string[] | undefined)[] = []
  const error = (status: number, code: string, message: string): FakeResponse => ({ status, body: { errors: [{ code, message }] } })

  const handle = (req: FakeRequest): FakeResponse => {
    const auth = typeof req.headers.authorization === 'string' ? req.headers.authorization : ''
    const basic = `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`
    if (auth !== basic && !(options.token !== undefined && auth === `Bearer ${options.token}`)) {
      return error(401, 'Neo.ClientError.Security.Unauthorized', 'The client is unauthorized due to authentication failure.')
    }
    const route = /^\/db\/([^/]+)\/query\/v2$/.exec(req.path)
    if (!route || req.method !== 'POST') return error(404, 'Neo.ClientError.Request.Invalid', `No route ${req.method} ${req.path}`)
    if (decodeURIComponent(route[1]!) !== database) {
      return error(404, 'Neo.ClientError.Database.DatabaseNotFound', `Graph not found: ${decodeURIComponent(route[1]!)}`)
    }
    const contentType = String(req.headers['content-type'] ?? '')
    if (!contentType.startsWith('application/json')) return error(415, 'Neo.ClientError.Request.Invalid', 'Unsupported media type')
    const parsed = parseJsonBody(req.bodyText)
    if (!parsed.ok || !isPlainObject(parsed.value)) return error(400, 'Neo.ClientError.Request.Invalid', 'Bad Request')
    const { statement, parameters = {}, bookmarks } = parsed.value as { statement?: unknown; parameters?: unknown; bookmarks?: unknown }
    if (typeof statement !== 'string' || statement.trim() === '' || !isPlainObject(parameters)) {
      return error(400, 'Neo.ClientError.Request.Invalid', 'Bad Request: statement must be a non-empty string and parameters an object')
    }
    if (bookmarks !== undefined) {
      if (!Array.isArray(bookmarks) || bookmarks.some((b) => typeof b !== 'string' || !issued.has(b))) {
        return error(400, 'Neo.ClientError.Transaction.InvalidBookmark', `Supplied bookmark(s) are not valid: ${JSON.stringify(bookmarks)}`)
      }
    }
    bookmarksSeen.push(bookmarks as string[] | undefined)
    try {
      const result = graph.run(statement, parameters)
      const bookmark = `FB:fake-neo4j-${database}-${++transactions}`
      issued.add(bookmark)
      return { status: 202, body: { data: { fields: result.fields, values: result.rows }, bookmarks: [bookmark] } }
    } catch (err) {
      if (err instanceof CypherSyntaxError) return error(400, 'Neo.ClientError.Statement.SyntaxError', err.message)
      if (err instanceof CypherParameterError) return error(400, 'Neo.ClientError.Statement.ParameterMissing', err.message)
      if (err instanceof CypherTypeError) return error(400, 'Neo.ClientError.Statement.TypeError', err.message)
      throw err
    }
  }

  const server = await startFakeServer(handle, () => {
    graph = new FakeCypherGraph(NEO4J_SCHEMA_STATEMENTS)
  })
  return {
    server,
    url: server.url,
    get graph() {
      return graph
    },
    bookmarksSeen,
    close: () => server.close(),
  }
}
