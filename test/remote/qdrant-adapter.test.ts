import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { createQdrantVectorStore, type QdrantVectorStore } from '../../adapters/qdrant.ts'
import { uuidV5 } from '../../adapters/shared/uuid-v5.ts'
import { ConfigError, DimensionMismatchError, RemoteError } from '../../src/errors.ts'
import { eq, MATCH_ALL } from '../../src/filters/ast.ts'
import { startQdrantServer, type FakeQdrant } from '../servers/qdrant.ts'

const vec = (...values: number[]) => Float32Array.from(values)

describe('UUIDv5', () => {
  it('matches the RFC 9562 / Python reference value', () => {
    expect(uuidV5('www.example.com', '6ba7b810-9dad-11d1-80b4-00c04fd430c8')).toBe('2ed6657d-e927-568b-95e1-2665a8aea6a2')
  })
})

describe('Qdrant adapter', () => {
  let fake: FakeQdrant
  const make = (extra: Record<string, unknown> = {}, collection = 'mem') =>
    createQdrantVectorStore(
      { url: fake.url, apiKey: 'k', collection: 'shared', retryBaseDelayMs: 1, ...extra },
      { collection },
    ) as QdrantVectorStore

  beforeAll(async () => {
    fake = await startQdrantServer({ apiKey: 'k' })
  })
  afterAll(() => fake.close())
  beforeEach(() => fake.server.reset())

  it('validates its config', () => {
    expect(() => createQdrantVectorStore({ url: 'nope' }, { collection: 'c' })).toThrow(ConfigError)
    expect(() => createQdrantVectorStore({ url: fake.url, distance: 'Manhattan' }, { collection: 'c' })).toThrow(/distance/)
  })

  it('creates the collection with tenant indexes for the scope fields on first init with dimensions', async () => {
    const store = make()
    await store.init({})
    expect(fake.collections.has('shared')).toBe(false)
    await store.init({ dimensions: 3 })
    const collection = fake.collections.get('shared')!
    expect(collection.size).toBe(3)
    expect(collection.distance).toBe('Cosine')
    for (const field of ['user_id', 'agent_id', 'run_id', '_em_ns'])
      expect(collection.payloadSchema[field]).toEqual({ data_type: 'keyword', params: { type: 'keyword', is_tenant: true } })
    expect(collection.payloadSchema.created_at).toEqual({ data_type: 'float' })
    const creates = fake.server.requests.filter((r) => r.method === 'PUT' && r.path === '/collections/shared/index')
    expect(creates.every((r) => r.query === '?wait=true')).toBe(true)
    expect(fake.server.requests.every((r) => r.headers['api-key'] === 'k')).toBe(true)
  })

  it('creates the collection lazily from the first upsert', async () => {
    const store = make({ distance: 'Dot', payloadIndexes: { topic: 'keyword' } })
    await store.upsert([{ id: 'a', vector: vec(1, 0), payload: {} }])
    expect(fake.collections.get('shared')).toMatchObject({ size: 2, distance: 'Dot' })
    expect(fake.collections.get('shared')!.payloadSchema.topic).toEqual({ data_type: 'keyword' })
    expect(store.dimensions).toBe(2)
  })

  it("maps ids to UUIDv5, keeps the original id, and never returns another Memory collection's points", async () => {
    const a = make({}, 'alpha')
    const b = make({}, 'beta')
    await a.init({ dimensions: 2 })
    await a.upsert([{ id: 'memory-1', vector: vec(1, 0), payload: { user_id: 'u', memory: 'alpha says' } }])
    await b.upsert([{ id: 'memory-1', vector: vec(1, 0), payload: { user_id: 'u', memory: 'beta says' } }])
    const points = [...fake.collections.get('shared')!.points.values()]
    expect(points).toHaveLength(2)
    expect(points.map((p) => p.id)).toContain(uuidV5('alpha\u0000memory-1', '6f1c2b8e-4c1e-4d55-9a0e-5f3f2a9d7c41'))
    expect(points.map((p) => p.payload._em_id)).toEqual(['memory-1', 'memory-1'])
    expect((await a.get(['memory-1']))[0]?.payload).toEqual({ user_id: 'u', memory: 'alpha says' })
    const found = await b.search({ vector: vec(1, 0), topK: 10, filter: eq('user_id', 'u'), scope: { user_id: 'u' } })
    expect(found.map((r) => r.payload.memory)).toEqual(['beta says'])
    expect((await a.list({ filter: MATCH_ALL, scope: {}, limit: 10 })).records.map((r) => r.payload.memory)).toEqual(['alpha says'])
    await a.reset()
    expect(await a.get(['memory-1'])).toEqual([null])
    expect((await b.get(['memory-1']))[0]).not.toBeNull()
    expect(fake.collections.has('shared')).toBe(true)
  })

  it('queries through /points/query and reports cosine for Euclid collections too', async () => {
    const store = make({ distance: 'Euclid' })
    await store.upsert([
      { id: 'same', vector: vec(1, 0), payload: {} },
      { id: 'orthogonal', vector: vec(0, 1), payload: {} },
      { id: 'opposite', vector: vec(-1, 0), payload: {} },
    ])
    const results = await store.search({ vector: vec(1, 0), topK: 3, filter: MATCH_ALL, scope: {} })
    expect(results.map((r) => r.id)).toEqual(['same', 'orthogonal', 'opposite'])
    results.forEach((r, i) => {
      expect(r.score).toBeCloseTo([1, 0, -1][i]!, 6)
    })
    expect(fake.server.requests.some((r) => r.path.endsWith('/points/query'))).toBe(true)
    expect(fake.server.requests.some((r) => r.path.endsWith('/points/search'))).toBe(false)
  })

  it('throws DimensionMismatchError against an existing collection and maps the service 400', async () => {
    await make().init({ dimensions: 3 })
    const fresh = make()
    await expect(fresh.init({ dimensions: 4 })).rejects.toMatchObject({ code: 'DIMENSION_MISMATCH', expected: 3, actual: 4 })
    // The collection is recreated elsewhere with another size: the service's own check answers.
    fake.collections.get('shared')!.size = 5
    const error = await fresh.upsert([{ id: 'x', vector: vec(1, 2, 3), payload: {} }]).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(DimensionMismatchError)
    expect(error).toMatchObject({ expected: 5, actual: 3 })
  })

  it('surfaces plain-text 401s as RemoteError without retrying', async () => {
    const store = createQdrantVectorStore({ url: fake.url, apiKey: 'bad', retryBaseDelayMs: 1 }, { collection: 'c' })
    const error = (await store.init({}).catch((e: unknown) => e)) as RemoteError
    expect(error).toBeInstanceOf(RemoteError)
    expect(error).toMatchObject({ status: 401, serviceMessage: 'Invalid API key or JWT' })
    expect(fake.server.requests).toHaveLength(1)
  })

  it('retries 503 and 429 with Retry-After', async () => {
    fake.server.injectFault({ kind: 'status', status: 503, body: { status: { error: 'Service Unavailable: busy' }, time: 0 } })
    fake.server.injectFault({
      kind: 'status',
      status: 429,
      body: { status: { error: 'Too many requests' }, time: 0 },
      headers: { 'Retry-After': '0' },
    })
    await make().init({ dimensions: 2 })
    expect(fake.server.requests.slice(0, 3).map((r) => r.status)).toEqual([503, 429, 200])
  })

  it('pages through list with cursors over several scroll pages', async () => {
    const store = make()
    await store.upsert(
      Array.from({ length: 30 }, (_, i) => ({ id: `m${i}`, vector: vec(1, i), payload: { user_id: i % 2 ? 'odd' : 'even', i } })),
    )
    const seen: string[] = []
    let cursor: string | undefined
    do {
      const page = await store.list({ filter: eq('user_id', 'odd'), scope: { user_id: 'odd' }, limit: 4, ...(cursor ? { cursor } : {}) })
      expect(page.records.length).toBeLessThanOrEqual(4)
      seen.push(...page.records.map((r) => r.id))
      cursor = page.nextCursor
    } while (cursor)
    expect(seen.sort()).toEqual(Array.from({ length: 15 }, (_, k) => `m${2 * k + 1}`).sort())
  })
})
