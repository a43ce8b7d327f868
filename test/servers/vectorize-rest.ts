import { parseJsonBody, startFakeServer, type FakeHttpServer, type FakeRequest, type FakeResponse } from '../remote/support/fake-http.ts'
import { FakeVectorizeIndex, VectorizeError, type FakeVectorizeOptions } from './vectorize.ts'

/**
 * Cloudflare's Vectorize REST API (v2) over the fake index of vectorize.ts:
 * /client/v4/accounts/{account}/vectorize/v2/indexes/{name}[/query|/upsert|/insert|/get_by_ids|
 * /delete_by_ids|/info], Bearer-token auth, NDJSON upserts (at most 5000 vectors), and Cloudflare's
 * envelope `{ success, errors: [{ code, message }], messages, result }` on every answer.
 */
export interface FakeVectorizeRest {
  server: FakeHttpServer
  /** The apiBase to configure: `${url}/client/v4`. */
  apiBase: string
  accountId: string
  apiToken: string
  indexes: Map<string, FakeVectorizeIndex>
  close(): Promise<void>
}

const ok = (result: unknown): FakeResponse => ({ status: 200, body: { success: true, errors: [], messages: [], result } })
const fail = (status: number, code: number, message: string): FakeResponse => ({
  status,
  body: { success: false, errors: [{ code, message }], messages: [], result: null },
})

export async function startVectorizeRestServer(options: {
  accountId?: string
  apiToken?: string
  indexes: Record<string, FakeVectorizeOptions>
}): Promise<FakeVectorizeRest> {
  const accountId = options.accountId ?? '0123456789abcdef0123456789abcdef'
  const apiToken = options.apiToken ?? 'cf-test-token'
  const indexes = new Map<string, FakeVectorizeIndex>()
  const make = () => {
    indexes.clear()
    for (const [name, settings] of Object.entries(options.indexes))
      indexes.set(name, new FakeVectorizeIndex({ maxUpsertBatch: 5000, ...settings }))
  }
  make()
  const prefix = `/client/v4/accounts/${accountId}/vectorize/v2/indexes/`

  const handle = async (req: FakeRequest): Promise<FakeResponse> => {
    if (req.headers.authorization !== `Bearer ${apiToken}`) return fail(401, 10000, 'Authentication error')
    if (!req.path.startsWith(prefix)) return fail(404, 7003, 'Could not route to the requested path')
    const [name, action = '', ...rest] = req.path.slice(prefix.length).split('/')
    if (rest.length > 0) return fail(404, 7003, 'Could not route to the requested path')
    const index = indexes.get(decodeURIComponent(name!))
    if (!index) return fail(410, 3000, 'vectorize.index.not_found')
    const json = () => {
      const parsed = parseJsonBody(req.bodyText)
      if (!parsed.ok) throw new VectorizeError('VECTORIZE_BAD_REQUEST', 40000, 'invalid JSON body')
      return parsed.value as Record<string, unknown>
    }
    try {
      if (req.method === 'GET' && action === '') {
        return ok({
          name,
          config: { dimensions: index.dimensions, metric: index.metric },
          created_on: '2026-01-01T00:00:00Z',
          modified_on: '2026-01-01T00:00:00Z',
        })
      }
      if (req.method === 'GET' && action === 'info') return ok(await index.describe())
      if (req.method !== 'POST') return fail(405, 10405, 'Method not allowed')
      switch (action) {
        case 'query': {
          const body = json()
          const { vector, ...rest } = body
          if (!Array.isArray(vector)) return fail(400, 40006, 'vector is required')
          return ok(await index.query(vector as number[], rest))
        }
        case 'upsert':
        case 'insert': {
          if (!/application\/x-ndjson/.test(String(req.headers['content-type'] ?? ''))) return fail(400, 40000, 'expected an NDJSON body')
          const lines = req.bodyText.split('\n').filter((l) => l.trim() !== '')
          const vectors = lines.map((line) => {
            const parsed = parseJsonBody(line)
            if (!parsed.ok) throw new VectorizeError('VECTOR_UPSERT_ERROR', 40000, 'invalid NDJSON line')
            return parsed.value as { id: string; values: number[] }
          })
          return ok(await (action === 'upsert' ? index.upsert(vectors) : index.insert(vectors)))
        }
        case 'get_by_ids':
          return ok(await index.getByIds((json().ids as string[]) ?? []))
        case 'delete_by_ids':
          return ok(await index.deleteByIds((json().ids as string[]) ?? []))
        default:
          return fail(404, 7003, 'Could not route to the requested path')
      }
    } catch (err) {
      if (err instanceof VectorizeError) return fail(400, err.code, err.message)
      throw err
    }
  }

  const server = await startFakeServer(handle, make)
  return { server, apiBase: `${server.url}/client/v4`, accountId, apiToken, indexes, close: () => server.close() }
}
