import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { type ChromaVectorStore, createChromaVectorStore } from '../../adapters/chroma.ts'
import { ConfigError, DimensionMismatchError, RemoteError, ValidationError } from '../../src/errors.ts'
import { eq, MATCH_ALL } from '../../src/filters/ast.ts'
import { startChromaServer, type FakeChroma } from '../servers/chroma.ts'

const vec = (...values: number[]) => Float32Array.from(values)
const DB = '/api/v2/tenants/default_tenant/databases/default_database'

describe('fake Chroma server (HTTP API v2)', () => {
  let fake: FakeChroma
  beforeAll(async () => {
    fake = await startChromaServer({ token: 'tok' })
  })
  afterAll(() => fake.close())
  beforeEach(() => fake.server.reset())

  const call = async (method: string, path: string, body?: unknown, token = 'tok') => {
    const response = await fetch(fake.url + path, {
      method,
      headers: { 'x-chroma-token': token, 'content-type': 'application/json' },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    })
    return { status: response.status, body: (await response.json().catch(() => undefined)) as Record<string, unknown> }
  }

  it('answers with Chroma envelopes: 401, 404, 409, 400 with {error, message}', async () => {
    expect(await call('GET', `${DB}/collections/nope`, undefined, 'bad')).toEqual({
      status: 401,
      body: { error: 'ChromaAuthError', message: 'Unauthorized' },
    })
    expect(await call('GET', `${DB}/collections/nope`)).toEqual({
      status: 404,
      body: { error: 'NotFoundError', message: 'Collection [nope] does not exist' },
    })
    const created = await call('POST', `${DB}/collections`, { name: 'abc', configuration: { hnsw: { space: 'cosine' } } })
    expect(created.status).toBe(200)
    expect(created.body).toMatchObject({ name: 'abc', dimension: null, configuration_json: { hnsw: { space: 'cosine' } } })
    expect((await call('POST', `${DB}/collections`, { name: 'abc' })).status).toBe(409)
    expect((await call('POST', `${DB}/collections`, { name: 'abc', get_or_create: true })).body.id).toBe(created.body.id)
    expect((await call('POST', `${DB}/collections`, { name: 'a' })).status).toBe(400)
    const id = created.body.id as string
    expect(await call('POST', `${DB}/collections/${id}/get`, { where: { a: 1, b: 2 } })).toEqual({
      status: 400,
      body: { error: 'InvalidArgumentError', message: 'Invalid where clause' },
    })
    expect((await call('POST', `${DB}/collections/${id}/get`, { where: { a: { $in: ['x', 1] } } })).status).toBe(400)
    expect((await call('POST', `${DB}/collections/${id}/get`, { where: { a: { $gt: 'x' } } })).status).toBe(400)
    expect((await call('POST', `${DB}/collections/not-a-uuid/get`, {})).body.message).toBe('Collection ID is not a valid UUIDv4')
    expect((await call('POST', '/api/v2/tenants/default_tenant/databases/other/collections', { name: 'abc' })).body).toEqual({
      error: 'NotFoundError',
      message: 'Database [other] does not exist',
    })
  })

  it('upsert merges metadata (null deletes a key); $ne matches records without the key; distances per space', async () => {
    const { body } = await call('POST', `${DB}/collections`, { name: 'sp1', configuration: { hnsw: { space: 'l2' } } })
    const base = `${DB}/collections/${body.id as string}`
    await call('POST', `${base}/upsert`, {
      ids: ['a', 'b'],
      embeddings: [
        [1, 0],
        [0, 1],
      ],
      metadatas: [{ k: 'x', n: 1 }, null],
    })
    expect((await call('POST', `${base}/upsert`, { ids: ['a'], embeddings: [[1, 0, 0]] })).body.message).toBe(
      'Collection expecting embedding with dimension of 2, got 3',
    )
    await call('POST', `${base}/upsert`, { ids: ['a'], embeddings: [[1, 0]], metadatas: [{ k: null, m: true }] })
    expect((await call('POST', `${base}/get`, { ids: ['a'] })).body.metadatas).toEqual([{ n: 1, m: true }])
    expect((await call('POST', `${base}/get`, { where: { k: { $ne: 'x' } } })).body.ids).toEqual(['a', 'b'])
    expect((await call('POST', `${base}/get`, { where: { n: { $gte: 0.5 } } })).body.ids).toEqual(['a'])
    const query = await call('POST', `${base}/query`, { query_embeddings: [[0, 2]], n_results: 5, include: ['distances'] })
    expect(query.body.ids).toEqual([['b', 'a']])
    expect(query.body.distances).toEqual([[1, 5]])
    expect(query.body.metadatas).toBeNull()
  })
})

describe('Chroma adapter', () => {
  let fake: FakeChroma
  const make = (extra: Record<string, unknown> = {}, collection = 'mem') =>
    createChromaVectorStore(
      { url: fake.url, apiKey: 'tok', collection: 'shared', retryBaseDelayMs: 1, ...extra },
      { collection },
    ) as ChromaVectorStore

  beforeAll(async () => {
    fake = await startChromaServer({ token: 'tok' })
  })
  afterAll(() => fake.close())
  beforeEach(() => fake.server.reset())

  const shared = () => [...fake.collections.values()].find((c) => c.name === 'shared')

  it('validates its config', () => {
    expect(() => createChromaVectorStore({ url: 'nope' }, { collection: 'c' })).toThrow(ConfigError)
    expect(() => createChromaVectorStore({ url: fake.url, collection: 'a' }, { collection: 'c' })).toThrow(/collection/)
    expect(() => createChromaVectorStore({ url: fake.url, space: 'manhattan' }, { collection: 'c' })).toThrow(/space/)
  })

  it('creates the collection (and a missing database) on first init with dimensions, sending the token', async () => {
    const store = make({ database: 'memories' })
    await store.init({})
    expect(shared()).toBeUndefined()
    await store.init({ dimensions: 3 })
    expect(shared()).toMatchObject({ database: 'memories', space: 'cosine', metadata: { edgemem_dimensions: 3 } })
    expect(store.dimensions).toBe(3)
    expect(fake.server.requests.some((r) => r.path === '/api/v2/tenants/default_tenant/databases' && r.method === 'POST')).toBe(true)
    expect(fake.server.requests.every((r) => r.headers['x-chroma-token'] === 'tok')).toBe(true)
  })

  it('adopts a collection created elsewhere: its space and dimension; scores l2 as 1 - d²/2', async () => {
    const created = await fetch(`${fake.url}${DB}/collections`, {
      method: 'POST',
      headers: { 'x-chroma-token': 'tok' },
      body: JSON.stringify({ name: 'shared', configuration: { hnsw: { space: 'l2' } } }),
    })
    expect(created.ok).toBe(true)
    const empty = make()
    await expect(empty.init({})).rejects.toThrow(/edgemem_dimensions/)
    const writer = make({}, 'w')
    // The collection has no dimension yet: a store that knows it from the embedder adopts it and writes.
    const id = shared()!.id
    await fetch(`${fake.url}${DB}/collections/${id}/upsert`, {
      method: 'POST',
      headers: { 'x-chroma-token': 'tok' },
      body: JSON.stringify({ ids: ['seed'], embeddings: [[0, 0]] }),
    })
    await writer.init({ dimensions: 2 })
    expect(writer.metric).toBe('euclidean')
    await writer.upsert([{ id: 'a', vector: vec(0.6, 0.8), payload: {} }])
    const [hit] = await writer.search({ vector: vec(1, 0), topK: 1, filter: MATCH_ALL, scope: {} })
    expect(hit!.score).toBeCloseTo(1 - (0.4 * 0.4 + 0.8 * 0.8) / 2, 6)
    await expect(make({}, 'x').init({ dimensions: 3 })).rejects.toBeInstanceOf(DimensionMismatchError)
  })

  it('replaces payloads whole although Chroma merges metadata on upsert', async () => {
    const store = make()
    await store.upsert([{ id: 'a', vector: vec(1, 0), payload: { user_id: 'u', tags: ['x'], note: null, n: 2.5 } }])
    expect((await store.get(['a']))[0]!.payload).toEqual({ user_id: 'u', tags: ['x'], note: null, n: 2.5 })
    await store.upsert([{ id: 'a', vector: vec(0, 1), payload: { user_id: 'v' } }])
    expect((await store.get(['a'], { includeVectors: true }))[0]).toEqual({ id: 'a', payload: { user_id: 'v' }, vector: vec(0, 1) })
    // The old fields' shape flags went too: nothing of the old payload still matches.
    expect(await store.list({ filter: { op: 'exists', field: 'tags' }, scope: {}, limit: 5 })).toEqual({ records: [] })
    expect(await store.list({ filter: { op: 'gt', field: 'n', value: 1 }, scope: {}, limit: 5 })).toEqual({ records: [] })
    expect((await store.list({ filter: eq('user_id', 'v'), scope: {}, limit: 5 })).records.map((r) => r.id)).toEqual(['a'])
  })

  it('keeps Memory collections apart in one Chroma collection, and rejects reserved or operator-like keys', async () => {
    const a = make({}, 'alpha')
    const b = make({}, 'beta')
    await a.upsert([{ id: 'same', vector: vec(1, 0), payload: { who: 'a' } }])
    await b.upsert([{ id: 'same', vector: vec(1, 0), payload: { who: 'b' } }])
    expect((await a.get(['same']))[0]!.payload).toEqual({ who: 'a' })
    expect((await b.search({ vector: vec(1, 0), topK: 5, filter: MATCH_ALL, scope: {} })).map((r) => r.payload)).toEqual([{ who: 'b' }])
    await a.reset()
    expect(await a.get(['same'])).toEqual([null])
    expect((await b.get(['same']))[0]).not.toBeNull()
    for (const key of ['$x', '#document', '_em_id', '_em_t:s:x']) {
      await expect(a.upsert([{ id: 'k', vector: vec(1, 0), payload: { [key]: 1 } }])).rejects.toBeInstanceOf(ValidationError)
    }
  })

  it('reports the service message in RemoteError and maps dimension errors', async () => {
    const store = make({ maxRetries: 0 })
    await store.init({ dimensions: 2 })
    fake.server.injectFault({ kind: 'status', status: 500, body: { error: 'InternalError', message: 'sqlite is locked' } })
    const error = (await store.get(['a']).catch((e: unknown) => e)) as RemoteError
    expect(error).toBeInstanceOf(RemoteError)
    expect(error.serviceMessage).toBe('sqlite is locked')
    expect(error.status).toBe(500)
    await expect(store.search({ vector: vec(1, 0, 0), topK: 1, filter: MATCH_ALL, scope: {} })).rejects.toBeInstanceOf(
      DimensionMismatchError,
    )
  })
})
