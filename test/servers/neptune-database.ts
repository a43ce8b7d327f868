import {
  isPlainObject,
  parseJsonBody,
  startFakeServer,
  type FakeHttpServer,
  type FakeRequest,
  type FakeResponse,
} from '../remote/support/fake-http.ts'
import { type SigV4Expectation, verifySigV4 } from './aws-sigv4.ts'
import { CypherParameterError, CypherSyntaxError, CypherTypeError, FakeCypherGraph } from './cypher-graph.ts'

/**
 * A local Amazon Neptune Database openCypher endpoint after the Neptune User Guide ("openCypher HTTPS
 * endpoint", "openCypher parameterized queries", "Neptune engine error codes"): `POST /openCypher` with
 * the form fields `query` and `parameters` (a JSON object), or GET with them in the query string;
 * answers `200 {results: [...]}` (one object per row); errors `{requestId, code, detailedMessage}` —
 * 400 MalformedQueryException (syntax errors: any statement outside the graph store's fixed set),
 * 400 InvalidParameterException (missing or mistyped parameters, malformed `parameters`), 400
 * BadRequestException (no query), 403 AccessDeniedException / MissingAuthenticationToken when IAM database
 * authentication is on and the SigV4 signature (service neptune-db, verified) is missing or wrong.
 */
export interface NeptuneDatabaseServerOptions {
  /** IAM database authentication: requests must be SigV4-signed with these. Without it, any request is served. */
  credentials?: SigV4Expectation
}

export interface FakeNeptuneDatabase {
  server: FakeHttpServer
  url: string
  graph: FakeCypherGraph
  close(): Promise<void>
}

export async function startNeptuneDatabaseServer(options: NeptuneDatabaseServerOptions = {}): Promise<FakeNeptuneDatabase> {
  let graph = new FakeCypherGraph()
  let requests = 0
  const error = (status: number, code: string, detailedMessage: string): FakeResponse => ({
    status,
    body: { requestId: `fake-${++requests}`, code, detailedMessage },
  })

  const handle = (req: FakeRequest): FakeResponse => {
    if (options.credentials) {
      if (!req.headers.authorization) return error(403, 'AccessDeniedException', 'Missing Authentication Token')
      const signed = verifySigV4(req, options.credentials)
      if (!signed.ok) return error(403, 'AccessDeniedException', signed.message)
    }
    if (req.path !== '/openCypher') return error(400, 'BadRequestException', `Bad request: unknown path ${req.path}`)
    let form: URLSearchParams
    if (req.method === 'GET') form = req.query
    else if (req.method === 'POST') {
      const contentType = String(req.headers['content-type'] ?? '')
      if (contentType.startsWith('application/x-www-form-urlencoded')) form = new URLSearchParams(req.bodyText)
      else if (contentType.startsWith('application/json')) {
        const parsed = parseJsonBody(req.bodyText)
        if (!parsed.ok || !isPlainObject(parsed.value)) return error(400, 'BadRequestException', 'Bad request: body is not a JSON object')
        const body = parsed.value as { query?: unknown; parameters?: unknown }
        form = new URLSearchParams()
        if (typeof body.query === 'string') form.set('query', body.query)
        if (body.parameters !== undefined)
          form.set('parameters', typeof body.parameters === 'string' ? body.parameters : JSON.stringify(body.parameters))
      } else return error(400, 'BadRequestException', `Bad request: unsupported content type ${contentType}`)
    } else return error(405, 'MethodNotAllowedException', `Method ${req.method} not allowed`)
    const query = form.get('query')
    if (!query) return error(400, 'BadRequestException', 'Bad request: missing query parameter')
    let parameters: Record<string, unknown> = {}
    const rawParameters = form.get('parameters')
    if (rawParameters !== null) {
      const parsed = parseJsonBody(rawParameters)
      if (!parsed.ok || !isPlainObject(parsed.value)) return error(400, 'InvalidParameterException', 'parameters must be a JSON object')
      parameters = parsed.value
    }
    try {
      const { fields, rows } = graph.run(query, parameters)
      return { status: 200, body: { results: rows.map((row) => Object.fromEntries(fields.map((f, i) => [f, row[i]]))) } }
    } catch (err) {
      if (err instanceof CypherSyntaxError) return error(400, 'MalformedQueryException', err.message)
      if (err instanceof CypherParameterError || err instanceof CypherTypeError) return error(400, 'InvalidParameterException', err.message)
      throw err
    }
  }

  const server = await startFakeServer(handle, () => {
    graph = new FakeCypherGraph()
  })
  return {
    server,
    url: server.url,
    get graph() {
      return graph
    },
    close: () => server.close(),
  }
}
