import { describe, expect, it } from '../../harness.ts'
import {
  ConfigError,
  DimensionMismatchError,
  EmbeddingError,
  FilterError,
  LLMError,
  NotFoundError,
  RemoteError,
  RemoteMemory,
  StorageError,
  ValidationError,
} from '../../../src/client/index.ts'

/**
 * RemoteMemory's side of the exchange against a scripted fetch: the wire shapes it sends, the errors it
 * maps back, the retries. In the runtime matrix (test/matrix.ts): the client is fetch-only and runs in
 * every runtime. The behaviour against the real Worker is the Memory contract suite
 * (test/workers/worker-remote-memory.test.ts); the bundle check is client-bundle.test.ts.
 */
interface Sent {
  method: string
  url: string
  headers: Headers
  body: unknown
}

function scripted(...answers: (Response | (() => Response))[]): {
  fetch: (url: string, init: RequestInit) => Promise<Response>
  sent: Sent[]
} {
  const sent: Sent[] = []
  return {
    sent,
    fetch: async (url, init) => {
      sent.push({
        method: init.method ?? 'GET',
        url,
        headers: new Headers(init.headers),
        body: typeof init.body === 'string' ? JSON.parse(init.body) : undefined,
      })
      const next = answers.shift()
      if (!next) throw new Error('no scripted answer left')
      return typeof next === 'function' ? next() : next
    },
  }
}

const json = (body: unknown, status = 200, headers: Record<string, string> = {}): Response =>
  new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json', ...headers } })
const apiError = (status: number, code: string, message: string, headers: Record<string, string> = {}): Response =>
  json({ error: { code, message } }, status, headers)

const ITEM = {
  id: '3.abc',
  memory: 'Likes tea',
  hash: 'f'.repeat(64),
  metadata: { role: 'user' },
  created_at: '2026-01-01T00:00:00.000Z',
  updated_at: '2026-01-02T00:00:00.000Z',
  user_id: 'u',
  run_id: 'r',
  expiration_date: '2030-01-01',
}

function client(fetch: (url: string, init: RequestInit) => Promise<Response>, extra: object = {}): RemoteMemory {
  return new RemoteMemory({ url: 'https://memory.example/base/', apiKey: 'em_key', fetch, retryBaseDelayMs: 1, ...extra })
}

describe('RemoteMemory options', () => {
  it('are validated synchronously: ConfigError naming the field', () => {
    const cases: [unknown, string][] = [
      [{ apiKey: 'k' }, 'url'],
      [{ url: 'ftp://x', apiKey: 'k' }, 'url'],
      [{ url: 'https://x' }, 'apiKey'],
      [{ url: 'https://x', apiKey: '' }, 'apiKey'],
      [{ url: 'https://x', apiKey: 'k', maxRetries: -1 }, 'maxRetries'],
      [{ url: 'https://x', apiKey: 'k', fetch: 'no' }, 'fetch'],
      [{ url: 'https://x', apiKey: 'k', colour: 1 }, 'colour'],
    ]
    for (const [options, field] of cases) {
      const error = (() => {
        try {
          new RemoteMemory(options as never)
        } catch (err) {
          return err
        }
      })()
      expect(error, field).toBeInstanceOf(ConfigError)
      expect((error as ConfigError).field).toBe(field)
    }
  })
})

describe('RemoteMemory on the wire', () => {
  it('sends snake_case with the key as Bearer, and reads the answers back as the core’s shapes', async () => {
    const { fetch, sent } = scripted(
      json({ results: [{ id: '3.abc', memory: 'Likes tea', event: 'UPDATE', previous_memory: 'Likes coffee' }] }),
      json({ results: [{ ...ITEM, score: 0.5 }] }),
      json({ results: [ITEM] }),
      json([{ id: 'h1', memory_id: '3.abc', event: 'ADD', previous_value: null, new_value: 'Likes tea', created_at: ITEM.created_at }]),
      json({ ...ITEM, memory: 'Likes green tea' }),
      json({ message: 'Memories deleted successfully', deleted: 2 }),
      json({ message: 'Memory deleted successfully' }),
    )
    const m = client(fetch)
    expect(
      await m.add([{ role: 'user', content: 'I like tea' }], {
        userId: 'u',
        runId: 'r',
        metadata: { a: 1 },
        infer: false,
        expirationDate: '2030-01-01',
      }),
    ).toEqual({ results: [{ id: '3.abc', memory: 'Likes tea', event: 'UPDATE', previousMemory: 'Likes coffee' }] })
    const found = await m.search('tea', { userId: 'u', filters: { a: { gte: 1 } }, topK: 3, threshold: 0.1 })
    expect(found.results[0]).toEqual({
      id: '3.abc',
      memory: 'Likes tea',
      hash: 'f'.repeat(64),
      metadata: { role: 'user' },
      score: 0.5,
      createdAt: ITEM.created_at,
      updatedAt: ITEM.updated_at,
      userId: 'u',
      runId: 'r',
      expirationDate: '2030-01-01',
    })
    await m.getAll({ agentId: 'bot', topK: 5, filters: { user_id: 'u' } })
    expect(await m.history('3.abc')).toEqual([
      { id: 'h1', memoryId: '3.abc', event: 'ADD', previousValue: null, newValue: 'Likes tea', createdAt: ITEM.created_at },
    ])
    expect((await m.update('3.abc', 'Likes green tea')).memory).toBe('Likes green tea')
    expect(await m.deleteAll({ userId: 'u' })).toEqual({ deleted: 2 })
    expect(await m.delete('a/b')).toBeUndefined()

    expect(sent.map((s) => `${s.method} ${s.url}`)).toEqual([
      'POST https://memory.example/base/memories',
      'POST https://memory.example/base/search',
      `GET https://memory.example/base/memories?agent_id=bot&top_k=5&filters=${encodeURIComponent('{"user_id":"u"}')}`,
      'GET https://memory.example/base/memories/3.abc/history',
      'PUT https://memory.example/base/memories/3.abc',
      'DELETE https://memory.example/base/memories?user_id=u',
      'DELETE https://memory.example/base/memories/a%2Fb',
    ])
    expect(sent[0]!.headers.get('authorization')).toBe('Bearer em_key')
    expect(sent[0]!.body).toEqual({
      messages: [{ role: 'user', content: 'I like tea' }],
      user_id: 'u',
      run_id: 'r',
      metadata: { a: 1 },
      infer: false,
      expiration_date: '2030-01-01',
    })
    expect(sent[1]!.body).toEqual({ query: 'tea', user_id: 'u', filters: { a: { gte: 1 } }, top_k: 3, threshold: 0.1 })
    expect(sent[4]!.body).toEqual({ text: 'Likes green tea' })
  })

  it('maps the Worker’s error codes back to the core’s classes, the RemoteError of the exchange as cause', async () => {
    const cases: [Response, new (...args: never[]) => Error][] = [
      [apiError(400, 'VALIDATION', 'add needs user_id'), ValidationError],
      [apiError(400, 'FILTER', 'unknown operator "like"'), FilterError],
      [apiError(404, 'NOT_FOUND', 'no memory'), NotFoundError],
      [apiError(500, 'CONFIG', 'EMBEDDING_MODEL: missing'), ConfigError],
      [apiError(502, 'EMBEDDING', 'embedding endpoint down'), EmbeddingError],
      [apiError(502, 'LLM', 'llm down'), LLMError],
      [apiError(500, 'STORAGE', 'kv failed'), StorageError],
      [
        apiError(500, 'DIMENSION_MISMATCH', 'search: vector has 8 dimensions but 384 are expected. The embedder and ...'),
        DimensionMismatchError,
      ],
      [apiError(502, 'REMOTE', 'Qdrant: HTTP 500: boom'), RemoteError],
      [apiError(403, 'FORBIDDEN', 'the admin key cannot use memory routes'), RemoteError],
      [new Response('<html>bad gateway</html>', { status: 404 }), RemoteError],
    ]
    for (const [answer, cls] of cases) {
      const m = client(scripted(answer).fetch, { maxRetries: 0 })
      const error = (await m.search('x', { userId: 'u' }).catch((e: unknown) => e)) as Error
      expect(error, cls.name).toBeInstanceOf(cls)
      if (cls !== RemoteError) expect(error.cause).toBeInstanceOf(RemoteError)
    }
    const dims = (await client(
      scripted(apiError(500, 'DIMENSION_MISMATCH', 'search: vector has 8 dimensions but 384 are expected. x')).fetch,
      { maxRetries: 0 },
    )
      .search('x', { userId: 'u' })
      .catch((e: unknown) => e)) as DimensionMismatchError
    expect([dims.expected, dims.actual]).toEqual([384, 8])
    const forbidden = (await client(scripted(apiError(403, 'FORBIDDEN', 'admin key only')).fetch)
      .reset()
      .catch((e: unknown) => e)) as RemoteError
    expect([forbidden.status, forbidden.serviceMessage]).toEqual([403, 'admin key only'])
  })

  it('get is null and history [] for an unknown id; other errors still throw', async () => {
    const { fetch } = scripted(
      apiError(404, 'NOT_FOUND', 'no memory'),
      apiError(404, 'NOT_FOUND', 'no memory'),
      apiError(401, 'UNAUTHORIZED', 'bad key'),
    )
    const m = client(fetch)
    expect(await m.get('nope')).toBeNull()
    expect(await m.history('nope')).toEqual([])
    await expect(m.get('x')).rejects.toMatchObject({ code: 'REMOTE', status: 401 })
    await expect(m.get('')).rejects.toBeInstanceOf(ValidationError)
  })

  it('retries 429 and 5xx, waiting what Retry-After asks; never retries a 400', async () => {
    const times: number[] = []
    const stamp = (r: Response) => () => {
      times.push(Date.now())
      return r
    }
    const { fetch, sent } = scripted(
      stamp(apiError(429, 'RATE_LIMITED', 'slow down', { 'Retry-After': '1' })),
      stamp(apiError(503, 'INTERNAL', 'busy')),
      stamp(json({ results: [] })),
    )
    const m = client(fetch)
    expect(await m.search('x', { userId: 'u' })).toEqual({ results: [] })
    expect(sent).toHaveLength(3)
    expect(times[1]! - times[0]!).toBeGreaterThanOrEqual(990)

    const once = scripted(apiError(400, 'VALIDATION', 'bad'), json({ results: [] }))
    await expect(client(once.fetch).search('x', { userId: 'u' })).rejects.toBeInstanceOf(ValidationError)
    expect(once.sent).toHaveLength(1)

    const tooLong = scripted(apiError(429, 'RATE_LIMITED', 'later', { 'Retry-After': '3600' }))
    const error = (await client(tooLong.fetch)
      .search('x', { userId: 'u' })
      .catch((e: unknown) => e)) as RemoteError
    expect([error.status, error.retryAfterMs]).toEqual([429, 3_600_000])
  })

  it('a closed RemoteMemory refuses further calls without a request', async () => {
    const { fetch, sent } = scripted()
    const m = client(fetch)
    await m.close()
    await expect(m.getAll({ userId: 'u' })).rejects.toThrow(/closed/)
    expect(sent).toEqual([])
  })
})
