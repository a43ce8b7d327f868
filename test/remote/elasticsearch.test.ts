import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { createElasticsearchVectorStore } from '../../adapters/elasticsearch.ts'
import { fieldName } from '../../adapters/elasticsearch/document.ts'
import { createOpenSearchVectorStore } from '../../adapters/opensearch.ts'
import { ConfigError, DimensionMismatchError, RemoteError } from '../../src/errors.ts'
import { eq, MATCH_ALL } from '../../src/filters/ast.ts'
import { startSearchEngineServer, type FakeSearchEngine } from '../servers/search-engine.ts'

const vec = (...values: number[]) => Float32Array.from(values)

describe('search-engine document layout', () => {
  it('escapes field names into single, distinct path segments', () => {
    expect(fieldName('user_id')).toBe('user_id')
    expect(fieldName('a.b')).toBe('a%2Eb')
    expect(fieldName('a*')).toBe('a%2A')
    expect(fieldName('a%2Eb')).toBe('a%252Eb')
    expect(fieldName('ünï')).toBe('%C3%BCn%C3%AF')
  })
})

describe('Elasticsearch adapter', () => {
  let fake: FakeSearchEngine
  const make = (extra: Record<string, unknown> = {}, collection = 'mem') =>
    createElasticsearchVectorStore({ url: fake.url, apiKey: 'key', index: 'shared', retryBaseDelayMs: 1, ...extra }, { collection })

  beforeAll(async () => {
    fake = await startSearchEngineServer({ engine: 'elasticsearch', apiKey: 'key' })
  })
  afterAll(() => fake.close())
  beforeEach(() => fake.server.reset())

  it('validates its config', () => {
    expect(() => createElasticsearchVectorStore({ url: 'nope' }, { collection: 'c' })).toThrow(ConfigError)
    expect(() => createElasticsearchVectorStore({ url: fake.url, index: 'Upper' }, { collection: 'c' })).toThrow(/index/)
    expect(() => createElasticsearchVectorStore({ url: fake.url, engine: 'faiss' }, { collection: 'c' })).toThrow(/engine/)
  })

  it('creates the index with a dense_vector mapping and typed dynamic templates; sends the API key', async () => {
    const store = make()
    await store.init({})
    expect(fake.indices.has('shared')).toBe(false)
    await store.init({ dimensions: 3 })
    const index = fake.indices.get('shared')!
    expect(index.mappings.properties.vector).toEqual({ type: 'dense_vector', dims: 3, index: true, similarity: 'cosine' })
    expect(index.mappings.properties.p).toEqual({ type: 'object', enabled: false })
    expect(fake.server.requests.every((r) => r.headers.authorization === 'ApiKey key')).toBe(true)
    await store.upsert([{ id: 'a', vector: vec(1, 0, 0), payload: { topic: 'x', n: 1, ok: true, 'a.b': ['y', 2] } }])
    expect(index.fields.get('s.topic')).toEqual({ type: 'keyword', ignore_above: 1024 })
    expect(index.fields.get('n.n')).toEqual({ type: 'double' })
    expect(index.fields.get('s.a%2Eb')).toBeDefined()
    expect(fake.server.requests.find((r) => r.path === '/_bulk')!.query).toBe('?refresh=wait_for')
  })

  it('adopts an index created elsewhere and converts its scores (l2_norm: 1 / (1 + d²))', async () => {
    await make({ metric: 'euclidean' }, 'w').init({ dimensions: 2 })
    const store = make({}, 'w')
    await store.upsert([{ id: 'a', vector: vec(0.6, 0.8), payload: {} }])
    const [hit] = await store.search({ vector: vec(1, 0), topK: 1, filter: MATCH_ALL, scope: {} })
    expect(hit!.score).toBeCloseTo(1 - (0.4 * 0.4 + 0.8 * 0.8) / 2, 5)
    await expect(make({}, 'x').init({ dimensions: 3 })).rejects.toBeInstanceOf(DimensionMismatchError)
  })

  it('reports bulk item failures, security errors and missing indexes', async () => {
    const store = make()
    await store.init({ dimensions: 2 })
    // A 200 answer whose items failed is still a failure; a dimension error becomes DimensionMismatchError.
    fake.indices.get('shared')!.mappings.properties.vector!.dims = 3
    await expect(store.upsert([{ id: 'a', vector: vec(1, 0), payload: {} }])).rejects.toBeInstanceOf(DimensionMismatchError)
    const wrongKey = createElasticsearchVectorStore({ url: fake.url, apiKey: 'nope', index: 'shared', maxRetries: 0 }, { collection: 'c' })
    const error = (await wrongKey.init({}).catch((e: unknown) => e)) as RemoteError
    expect(error).toBeInstanceOf(RemoteError)
    expect(error.status).toBe(401)
    expect(error.serviceMessage).toMatch(/^security_exception: unable to authenticate/)
    const missing = make({ index: 'absent' })
    expect(await missing.get(['a'])).toEqual([null])
    expect(await missing.search({ vector: vec(1, 0), topK: 3, filter: MATCH_ALL, scope: {} })).toEqual([])
  })

  it('keeps Memory collections apart in one index; reset deletes only its own', async () => {
    const a = make({}, 'alpha')
    const b = make({}, 'beta')
    await a.upsert([{ id: 'same', vector: vec(1, 0), payload: { who: 'a' } }])
    await b.upsert([{ id: 'same', vector: vec(1, 0), payload: { who: 'b' } }])
    expect((await a.list({ filter: eq('who', 'b'), scope: {}, limit: 5 })).records).toEqual([])
    await a.reset()
    expect(await a.get(['same'])).toEqual([null])
    expect((await b.get(['same']))[0]?.payload).toEqual({ who: 'b' })
  })
})

describe('OpenSearch adapter', () => {
  let fake: FakeSearchEngine
  beforeAll(async () => {
    fake = await startSearchEngineServer({ engine: 'opensearch' })
  })
  afterAll(() => fake.close())
  beforeEach(() => fake.server.reset())

  it('creates a k-NN index (index.knn, lucene hnsw) and queries with query.knn and a filter', async () => {
    const store = createOpenSearchVectorStore({ url: fake.url, username: 'admin', password: 'pw', metric: 'dot' }, { collection: 'c' })
    await store.upsert([
      { id: 'a', vector: vec(0.6, 0.8), payload: { user_id: 'u' } },
      { id: 'b', vector: vec(-1, 0), payload: { user_id: 'u' } },
    ])
    expect(fake.indices.get('edgemem')!.mappings.properties.vector).toEqual({
      type: 'knn_vector',
      dimension: 2,
      method: { name: 'hnsw', engine: 'lucene', space_type: 'innerproduct' },
    })
    expect(fake.server.requests[0]!.headers.authorization).toBe(`Basic ${btoa('admin:pw')}`)
    const hits = await store.search({ vector: vec(1, 0), topK: 2, filter: eq('user_id', 'u'), scope: {} })
    // innerproduct scores are dot + 1 above zero and 1 / (1 - dot) below: both map back to the dot product.
    expect(hits.map((h) => h.id)).toEqual(['a', 'b'])
    expect(hits[0]!.score).toBeCloseTo(0.6, 5)
    expect(hits[1]!.score).toBeCloseTo(-1, 5)
    const search = fake.server.requests.find((r) => r.path === '/edgemem/_search')!
    expect(JSON.parse(search.body).query.knn.vector.k).toBe(2)
  })

  it('signs every request with SigV4 for Amazon OpenSearch Service', async () => {
    const store = createOpenSearchVectorStore(
      { url: fake.url, aws: { region: 'eu-west-1', accessKeyId: 'AKID', secretAccessKey: 'secret', service: 'aoss' } },
      { collection: 'c' },
    )
    await store.init({ dimensions: 2 })
    for (const request of fake.server.requests) {
      expect(request.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKID\/\d{8}\/eu-west-1\/aoss\/aws4_request, /)
      expect(request.headers['x-amz-date']).toMatch(/^\d{8}T\d{6}Z$/)
    }
  })
})
