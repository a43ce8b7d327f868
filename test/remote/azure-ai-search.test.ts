import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { AzureAiSearchVectorStore, createAzureAiSearchVectorStore } from '../../adapters/azure-ai-search.ts'
import { compileAzureFilter } from '../../adapters/azure-ai-search/filter.ts'
import { valueToken } from '../../adapters/shared/tokens.ts'
import { ConfigError, DimensionMismatchError, RemoteError } from '../../src/errors.ts'
import { and, eq, MATCH_ALL } from '../../src/filters/ast.ts'
import { startAzureSearchServer, type FakeAzureSearch } from '../servers/azure-ai-search.ts'
import { uniqueCollection } from './support/fixtures.ts'

// The fake's behaviour on the service's documented answers, and what the adapter does with them.

let fake: FakeAzureSearch
const api = (path: string, init: { method?: string; body?: unknown; key?: string | null; headers?: Record<string, string> } = {}) =>
  fetch(`${fake.url}${path}${path.includes('?') ? '&' : '?'}api-version=2024-07-01`, {
    method: init.method ?? 'GET',
    headers: {
      ...(init.key === null ? {} : { 'api-key': init.key ?? fake.apiKey }),
      'content-type': 'application/json',
      ...init.headers,
    },
    ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
  })
const transport = { retryBaseDelayMs: 1, timeoutMs: 5_000 }
const store = (collection = uniqueCollection('az'), extra: Record<string, unknown> = {}) =>
  createAzureAiSearchVectorStore({ endpoint: fake.url, apiKey: fake.apiKey, index: 'unit', ...transport, ...extra }, { collection })
const unit = (values: number[]) => Float32Array.from(values)

beforeAll(async () => {
  fake = await startAzureSearchServer()
})
afterAll(async () => {
  await fake?.close()
})

describe('fake Azure AI Search', () => {
  it('401 without a key, 403 with a wrong one, 400 without api-version, 404 for a missing index', async () => {
    expect((await api('/indexes/nope', { key: null })).status).toBe(401)
    expect((await api('/indexes/nope', { key: 'wrong' })).status).toBe(403)
    const noVersion = await fetch(`${fake.url}/indexes/nope`, { headers: { 'api-key': fake.apiKey } })
    expect(noVersion.status).toBe(400)
    expect(await noVersion.json()).toEqual({ error: { code: '', message: 'Invalid or missing api-version query string parameter.' } })
    const missing = await api('/indexes/nope')
    expect(missing.status).toBe(404)
    expect(((await missing.json()) as { error: { message: string } }).error.message).toMatch(/nope/)
  })

  it('creates an index once with If-None-Match: *, answers 207 with per-document results, enforces lambda rules', async () => {
    const definition = {
      name: 'docs-example',
      fields: [
        { name: 'id', type: 'Edm.String', key: true, filterable: true },
        { name: 'tags', type: 'Collection(Edm.String)', filterable: true },
        { name: 'note', type: 'Edm.String' },
      ],
    }
    expect((await api('/indexes/docs-example', { method: 'PUT', body: definition, headers: { 'If-None-Match': '*' } })).status).toBe(201)
    expect((await api('/indexes/docs-example', { method: 'PUT', body: definition, headers: { 'If-None-Match': '*' } })).status).toBe(412)
    const batch = await api('/indexes/docs-example/docs/index', {
      method: 'POST',
      body: {
        value: [
          { '@search.action': 'upload', id: 'a', tags: ['x'] },
          { '@search.action': 'upload', id: 'bad key!', tags: [] },
        ],
      },
    })
    expect(batch.status).toBe(207)
    const results = ((await batch.json()) as { value: { key: string; status: boolean; statusCode: number }[] }).value
    expect(results.map((r) => [r.key, r.status, r.statusCode])).toEqual([
      ['a', true, 201],
      ['bad key!', false, 400],
    ])
    const search = (filter: string) => api('/indexes/docs-example/docs/search', { method: 'POST', body: { search: '*', filter } })
    expect((await search("tags/any(t: t eq 'x')")).status).toBe(200)
    expect((await search("tags/any(t: t ne 'x')")).status).toBe(400)
    expect((await search("tags/any(t: not (t eq 'x'))")).status).toBe(400)
    expect((await search("note eq 'x'")).status).toBe(400)
    expect((await search("id eq 'a")).status).toBe(400)
    const ok = (await (await search("not tags/any(t: t eq 'y') and id eq 'a'")).json()) as { value: { id: string }[] }
    expect(ok.value.map((d) => d.id)).toEqual(['a'])
  })
})

describe('Azure AI Search adapter', () => {
  it('sends the api-key header and api-version on every request and creates the index with the vector profile', async () => {
    const s = store()
    const start = fake.server.requests.length
    await s.init({ dimensions: 3 })
    const sent = fake.server.requests.slice(start)
    expect(sent.every((r) => r.headers['api-key'] === fake.apiKey && r.query.includes('api-version=2024-07-01'))).toBe(true)
    const created = fake.indexes.get('unit')!.definition as unknown as {
      fields: { name: string; dimensions?: number }[]
      vectorSearch: unknown
    }
    expect(created.fields.find((f) => f.name === 'em_vector')?.dimensions).toBe(3)
    expect(created.vectorSearch).toMatchObject({ profiles: [{ name: 'em-profile', algorithm: 'em-hnsw' }] })
  })

  it('converts @search.score back to cosine similarity and to 1 - d²/2 on a euclidean index', async () => {
    const cosine = store()
    await cosine.upsert([
      { id: 'same', vector: unit([1, 0, 0]), payload: {} },
      { id: 'orthogonal', vector: unit([0, 1, 0]), payload: {} },
      { id: 'opposite', vector: unit([-1, 0, 0]), payload: {} },
    ])
    const hits = await cosine.search({ vector: unit([1, 0, 0]), topK: 3, filter: MATCH_ALL, scope: {} })
    expect(hits.map((h) => h.id)).toEqual(['same', 'orthogonal', 'opposite'])
    hits.forEach((h, i) => {
      expect(h.score).toBeCloseTo([1, 0, -1][i]!, 6)
    })

    const euclid = createAzureAiSearchVectorStore(
      { endpoint: fake.url, apiKey: fake.apiKey, index: 'unit-l2', metric: 'euclidean', ...transport },
      { collection: 'e' },
    )
    await euclid.upsert([{ id: 'x', vector: unit([0, 1, 0]), payload: {} }])
    const [hit] = await euclid.search({ vector: unit([1, 0, 0]), topK: 1, filter: MATCH_ALL, scope: {} })
    expect(hit!.score).toBeCloseTo(0, 6) // d² = 2 between orthogonal unit vectors
  })

  it('keeps the service message, reports dimension errors and refuses indexes it did not create', async () => {
    const wrongKey = createAzureAiSearchVectorStore(
      { endpoint: fake.url, apiKey: 'nope', index: 'unit', maxRetries: 0 },
      { collection: 'x' },
    )
    await expect(wrongKey.init({})).rejects.toMatchObject({ name: 'RemoteError', status: 403 })
    const s = store()
    await s.init({ dimensions: 3 })
    await expect(s.upsert([{ id: 'a', vector: unit([1, 0]), payload: {} }])).rejects.toBeInstanceOf(DimensionMismatchError)
    await expect(s.init({ dimensions: 4 })).rejects.toBeInstanceOf(DimensionMismatchError)
    // The service's own 400 for a vector of the wrong length, bypassing the local check.
    const stale = new AzureAiSearchVectorStore({ endpoint: fake.url, apiKey: fake.apiKey, index: 'unit', ...transport }, 'stale')
    ;(stale as unknown as { state: unknown }).state = { dimensions: 2, metric: 'cosine' }
    const error = await stale.upsert([{ id: 'a', vector: unit([1, 0]), payload: {} }]).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(DimensionMismatchError)
    expect(error).toMatchObject({ expected: 3, actual: 2 })

    await api('/indexes/foreign', {
      method: 'PUT',
      body: { name: 'foreign', fields: [{ name: 'id', type: 'Edm.String', key: true }] },
    })
    const foreign = createAzureAiSearchVectorStore({ endpoint: fake.url, apiKey: fake.apiKey, index: 'foreign' }, { collection: 'x' })
    await expect(foreign.init({})).rejects.toBeInstanceOf(ConfigError)
  })

  it('retries 503 and 429 with Retry-After, resends throttled documents of a 207, surfaces a refused one as RemoteError with its message', async () => {
    const s = store()
    await s.init({ dimensions: 3 })
    fake.server.injectFault({ kind: 'status', status: 503, body: { error: { code: '', message: 'busy' } } })
    fake.server.injectFault({
      kind: 'status',
      status: 429,
      body: { error: { code: '', message: 'slow down' } },
      headers: { 'Retry-After': '0' },
    })
    await s.upsert([{ id: 'a', vector: unit([1, 0, 0]), payload: { user_id: 'u' } }])
    expect((await s.get(['a']))[0]?.payload).toEqual({ user_id: 'u' })
    // A 207 whose refused documents are throttled (503) is sent again, with only those documents.
    const key = (s as unknown as { documentKey(id: string): string }).documentKey('c')
    fake.server.injectFault({
      kind: 'status',
      status: 207,
      body: { value: [{ key, status: false, errorMessage: 'Service unavailable', statusCode: 503 }] },
    })
    const before = fake.server.requests.length
    await s.upsert([
      { id: 'c', vector: unit([0, 0, 1]), payload: { n: 1 } },
      { id: 'd', vector: unit([0, 1, 1]), payload: {} },
    ])
    expect(fake.server.requests.length - before).toBe(2)
    const resent = JSON.parse(fake.server.requests.at(-1)!.body) as { value: { id: string }[] }
    expect(resent.value.map((d) => d.id)).toEqual([key])
    expect((await s.get(['c']))[0]?.payload).toEqual({ n: 1 })
    fake.server.injectFault({
      kind: 'status',
      status: 207,
      body: { value: [{ key: 'k', status: false, errorMessage: 'Document is too large', statusCode: 400 }] },
    })
    const error = (await s.upsert([{ id: 'b', vector: unit([0, 1, 0]), payload: {} }]).catch((e: unknown) => e)) as RemoteError
    expect(error).toBeInstanceOf(RemoteError)
    expect(error.serviceMessage).toBe('Document is too large')
  })

  it('compiles equality, negation and exists to exact OData on the token and tag collections', () => {
    expect(compileAzureFilter(eq('color', "it's")).native).toEqual({ kind: 'expr', expr: `em_kv/any(t: t eq 's5:color=it''s')` })
    const compiled = compileAzureFilter(and({ op: 'not', child: eq('n', 2) }, { op: 'exists', field: 'x' }))
    expect(compiled.exact).toBe(true)
    expect(compiled.native).toMatchObject({ kind: 'expr', expr: expect.stringContaining(`not (em_kv/any(t: t eq 'n1:n=2'))`) })
    expect(compileAzureFilter({ op: 'gt', field: 'n', value: 1 }).exact).toBe(false)
    expect(valueToken('memory', 'x'.repeat(400))).toMatch(/^s6:memory#[0-9a-f]{32}$/)
    expect(valueToken('a=b', 'c')).not.toBe(valueToken('a', 'b=c'))
  })
})
