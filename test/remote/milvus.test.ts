import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { createMilvusVectorStore, type MilvusVectorStore } from '../../adapters/milvus.ts'
import { compileMilvusFilter, milvusNumber, milvusString } from '../../adapters/milvus/filter.ts'
import { ConfigError, DimensionMismatchError, RemoteError, ValidationError } from '../../src/errors.ts'
import { and, eq, MATCH_ALL } from '../../src/filters/ast.ts'
import { compileMilvusExpr, parseMilvusExpr } from '../servers/milvus-expr.ts'
import { startMilvusServer, type FakeMilvus } from '../servers/milvus.ts'

const vec = (...values: number[]) => Float32Array.from(values)
const transport = { retryBaseDelayMs: 1, maxRetries: 1, timeoutMs: 5_000 }

describe('fake Milvus server (RESTful API v2)', () => {
  let fake: FakeMilvus
  beforeAll(async () => {
    fake = await startMilvusServer({ token: 'root:Milvus' })
  })
  afterAll(() => fake.close())
  beforeEach(() => fake.server.reset())

  const call = async (path: string, body: unknown, token: string | null = 'root:Milvus') => {
    const response = await fetch(`${fake.url}/v2/vectordb/${path}`, {
      method: 'POST',
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), 'content-type': 'application/json' },
      body: JSON.stringify(body),
    })
    return { status: response.status, body: (await response.json()) as { code: number; data?: any; message?: string } }
  }
  const schema = {
    autoId: false,
    fields: [
      { fieldName: 'pk', dataType: 'VarChar', isPrimary: true, elementTypeParams: { max_length: 4 } },
      { fieldName: 'v', dataType: 'FloatVector', elementTypeParams: { dim: 2 } },
      { fieldName: 'meta', dataType: 'JSON' },
    ],
  }

  it('answers {code, data} with HTTP 200 and errors as {code, message} with HTTP 200; 401 without the token', async () => {
    expect(await call('collections/describe', { collectionName: 'c' }, null)).toEqual({
      status: 401,
      body: { code: 1800, message: "user hasn't authenticated" },
    })
    expect(await call('collections/describe', { collectionName: 'c' })).toEqual({
      status: 200,
      body: { code: 100, message: 'collection not found[database=default][collection=c]' },
    })
    expect((await call('collections/has', { collectionName: 'c' })).body).toEqual({ code: 0, cost: 0, data: { has: false } })
    const created = await call('collections/create', {
      collectionName: 'c',
      schema,
      indexParams: [{ fieldName: 'v', metricType: 'L2', indexType: 'AUTOINDEX' }],
    })
    expect(created.body.code).toBe(0)
    expect((await call('collections/describe', { collectionName: 'c' })).body.data).toMatchObject({
      fields: [
        { name: 'pk', type: 'VarChar', primaryKey: true, params: [{ key: 'max_length', value: '4' }] },
        { name: 'v', params: [{ key: 'dim', value: '2' }] },
        { name: 'meta', type: 'JSON' },
      ],
      indexes: [{ fieldName: 'v', metricType: 'L2' }],
      load: 'LoadStateLoaded',
    })
    const bad = await call('entities/insert', { collectionName: 'c', data: [{ pk: 'a', v: [1, 0, 0], meta: {} }] })
    expect(bad).toEqual({ status: 200, body: { code: 1100, message: 'the dim (3) of field data(v) is not equal to schema dim (2)' } })
    expect((await call('entities/insert', { collectionName: 'c', data: [{ pk: 'abcde', v: [1, 0], meta: {} }] })).body.message).toMatch(
      /exceeds max length/,
    )
    expect((await call('entities/insert', { collectionName: 'c', data: [{ pk: 'a', v: [1, 0], meta: {}, extra: 1 }] })).body.code).toBe(
      1100,
    )
  })

  it('inserts without dedup, upserts replace, queries in primary-key order within the 16 384 window, searches with per-metric distances', async () => {
    await call('collections/create', { collectionName: 'c', schema, indexParams: [{ fieldName: 'v', metricType: 'L2' }] })
    await call('entities/insert', {
      collectionName: 'c',
      data: [
        { pk: 'b', v: [0, 2], meta: { k: 'x' } },
        { pk: 'a', v: [1, 0], meta: { k: 1 } },
      ],
    })
    await call('entities/insert', { collectionName: 'c', data: [{ pk: 'a', v: [1, 0], meta: { k: 2 } }] })
    expect((await call('entities/query', { collectionName: 'c', filter: 'pk == "a"', outputFields: ['meta'] })).body.data).toHaveLength(2)
    await call('entities/upsert', { collectionName: 'c', data: [{ pk: 'a', v: [1, 0], meta: { k: [3, 'y'] } }] })
    const all = await call('entities/query', { collectionName: 'c', filter: '', limit: 10, outputFields: ['meta'] })
    expect(all.body.data).toEqual([
      { pk: 'a', meta: { k: [3, 'y'] } },
      { pk: 'b', meta: { k: 'x' } },
    ])
    expect((await call('entities/query', { collectionName: 'c', filter: '', outputFields: [] })).body.message).toBe(
      'empty expression should be used with limit',
    )
    expect((await call('entities/query', { collectionName: 'c', filter: 'pk > ""', limit: 16_000, offset: 385 })).body.code).toBe(1100)
    expect((await call('entities/query', { collectionName: 'c', filter: 'json_contains(meta["k"], "y")', limit: 5 })).body.data).toEqual([
      { pk: 'a' },
    ])
    expect((await call('entities/query', { collectionName: 'c', filter: 'meta["k"] = "x"', limit: 5 })).body.message).toMatch(
      /cannot parse expression/,
    )
    const search = await call('entities/search', { collectionName: 'c', data: [[0, 1]], annsField: 'v', limit: 5, outputFields: ['pk'] })
    expect(search.body.data).toEqual([
      { distance: 1, pk: 'b' },
      { distance: 2, pk: 'a' },
    ])
    await call('entities/delete', { collectionName: 'c', filter: 'pk in ["a"]' })
    expect(fake.collections.get('default/c')!.entities).toHaveLength(1)
    await call('collections/release', { collectionName: 'c' })
    expect((await call('entities/query', { collectionName: 'c', filter: 'pk == "b"', limit: 1 })).body.code).toBe(101)
  })

  it('reads Go string escapes and evaluates missing JSON keys under both readings', () => {
    const text = 'a"b\\c\n\u0001 \u2028 é 😀'
    const expr = `meta[${milvusString('we"ird')}] == ${milvusString(text)}`
    const types = { meta: 'JSON' }
    expect(compileMilvusExpr(parseMilvusExpr(expr), types, 'false')({ meta: { 'we"ird': text } })).toBe(true)
    const notMissing = parseMilvusExpr('not (meta["x"] == 1)')
    expect(compileMilvusExpr(notMissing, types, 'false')({ meta: {} })).toBe(true)
    expect(compileMilvusExpr(notMissing, types, 'null')({ meta: {} })).toBe(null)
    expect(() => parseMilvusExpr('meta["x"] == "a\nb"')).toThrow(/newline/)
  })
})

describe('Milvus adapter', () => {
  let fake: FakeMilvus
  beforeAll(async () => {
    fake = await startMilvusServer({ token: 'tok' })
  })
  afterAll(() => fake.close())
  beforeEach(() => fake.server.reset())

  const store = (collection = 'm', extra: Record<string, unknown> = {}) =>
    createMilvusVectorStore({ url: fake.url, token: 'tok', ...transport, ...extra }, { collection }) as MilvusVectorStore

  it('creates the collection (VarChar key, vector, JSON payload, COSINE AUTOINDEX, Strong) and sends the Bearer token', async () => {
    const s = store()
    await s.init({ dimensions: 2 })
    const created = JSON.parse(fake.server.requests.find((r) => r.path === '/v2/vectordb/collections/create')!.body)
    expect(created).toMatchObject({
      collectionName: 'edgemem',
      schema: { autoID: false, enableDynamicField: false },
      indexParams: [{ fieldName: 'vector', metricType: 'COSINE', indexType: 'AUTOINDEX' }],
      params: { consistencyLevel: 'Strong' },
    })
    expect(fake.server.requests.every((r) => r.headers.authorization === 'Bearer tok')).toBe(true)
    const database = store('m', { database: 'prod', collection: 'mem' })
    await database.init({ dimensions: 2 })
    expect(fake.collections.has('prod/mem')).toBe(true)
  })

  it('escapes hostile keys and values: they match only themselves and cannot widen the filter', async () => {
    const s = store('tenant"] or true or ns == "x')
    const hostileKey = 'k"] == 1 or metadata["k'
    const hostileValue = '" or 1 == 1 or metadata["k"] == "'
    const payload = { [hostileKey]: hostileValue, 'back\\slash': 'a\\"b', ctl: 'line\nbreak\u0000', plain: 'x' }
    await s.upsert([
      { id: 'hostile', vector: vec(1, 0), payload },
      { id: 'other', vector: vec(0, 1), payload: { plain: 'y', [hostileKey]: 'no' } },
    ])
    const ids = async (node: Parameters<typeof compileMilvusFilter>[0]) =>
      (await s.list({ filter: node, scope: {}, limit: 10 })).records.map((r) => r.id).sort()
    expect(await ids(eq(hostileKey, hostileValue))).toEqual(['hostile'])
    expect(await ids(eq('back\\slash', 'a\\"b'))).toEqual(['hostile'])
    expect(await ids(eq('ctl', 'line\nbreak\u0000'))).toEqual(['hostile'])
    expect(await ids(eq(hostileKey, '" or ""=="'))).toEqual([])
    expect((await s.get(['hostile']))[0]?.payload).toEqual(payload)
    // The native filter alone (no post-filter) selects exactly the hostile record.
    const compiled = compileMilvusFilter(and(eq(hostileKey, hostileValue), eq('plain', 'x')))
    expect(compiled.exact).toBe(true)
    const collection = fake.collections.get('default/edgemem')!
    const types = Object.fromEntries(collection.fields.map((f) => [f.name, f.type]))
    const where = compileMilvusExpr(parseMilvusExpr((compiled.native as { expr: string }).expr), types, 'null')
    expect(collection.entities.filter((e) => where(e) === true).map((e) => e.rid)).toEqual(['hostile'])
    const query = fake.server.requests
      .filter((r) => r.path === '/v2/vectordb/entities/query')
      .map((r) => JSON.parse(r.body).filter as string)
    expect(query.some((f) => f.includes(milvusString(hostileValue)))).toBe(true)
    const other = store('x')
    await other.upsert([{ id: 'mine', vector: vec(1, 0), payload: {} }])
    expect((await other.list({ filter: MATCH_ALL, scope: {}, limit: 10 })).records.map((r) => r.id)).toEqual(['mine'])
  })

  it('writes numbers Milvus can parse and unsendable strings as post-filtered supersets', () => {
    expect(milvusNumber(1e21)).toBe('1e+21')
    expect(milvusNumber(2 ** 60)).toBe('1.152921504606847e+18')
    expect(milvusNumber(-1)).toBe('-1')
    expect(milvusString('\u007f\t')).toBe('"\\u007f\\u0009"')
    expect(compileMilvusFilter(eq('k', 'lone \ud800'))).toEqual({ native: { kind: 'true' }, exact: false })
  })

  it('scores IP and L2 collections like the other stores (dot product; 1 - d²/2)', async () => {
    const ip = store('d', { collection: 'dotty', metric: 'IP' })
    await ip.upsert([{ id: 'a', vector: vec(0.6, 0.8), payload: {} }])
    expect((await ip.search({ vector: vec(1, 0), topK: 1, filter: MATCH_ALL, scope: {} }))[0]!.score).toBeCloseTo(0.6, 6)
    const l2 = store('e', { collection: 'euclid', metric: 'L2' })
    await l2.upsert([{ id: 'a', vector: vec(0.6, 0.8), payload: {} }])
    expect((await l2.search({ vector: vec(1, 0), topK: 1, filter: MATCH_ALL, scope: {} }))[0]!.score).toBeCloseTo(0.6, 6)
    expect(l2.metric).toBe('euclidean')
  })

  it('adopts an existing collection (loading a released one), refuses a foreign one, reports dimension mismatches', async () => {
    await store('a').init({ dimensions: 3 })
    fake.collections.get('default/edgemem')!.loaded = false
    const again = store('b')
    await again.init()
    expect(again.dimensions).toBe(3)
    expect(fake.collections.get('default/edgemem')!.loaded).toBe(true)
    await expect(again.init({ dimensions: 4 })).rejects.toBeInstanceOf(DimensionMismatchError)
    await fetch(`${fake.url}/v2/vectordb/collections/create`, {
      method: 'POST',
      headers: { authorization: 'Bearer tok' },
      body: JSON.stringify({
        collectionName: 'foreign',
        schema: {
          fields: [
            { fieldName: 'id', dataType: 'Int64', isPrimary: true },
            { fieldName: 'v', dataType: 'FloatVector', elementTypeParams: { dim: 2 } },
          ],
        },
      }),
    })
    await expect(store('a', { collection: 'foreign' }).init()).rejects.toBeInstanceOf(ConfigError)
  })

  it('accepts code 200 as success and types described as FloatVector(8) (older proxies)', async () => {
    const old = await startMilvusServer({ token: 'tok', successCode: 200, typesWithParams: true })
    try {
      const s = createMilvusVectorStore({ url: old.url, token: 'tok', ...transport }, { collection: 'm' })
      await s.upsert([{ id: 'a', vector: vec(1, 0), payload: { k: 1 } }])
      expect((await s.get(['a']))[0]?.payload).toEqual({ k: 1 })
      const reopened = createMilvusVectorStore({ url: old.url, token: 'tok', ...transport }, { collection: 'm' })
      await reopened.init({})
      expect(reopened.dimensions).toBe(2)
    } finally {
      await old.close()
    }
  })

  it('turns code != 0 (HTTP 200) into RemoteError with the service message; refuses oversized payloads before writing', async () => {
    const s = store()
    await s.init({ dimensions: 2 })
    fake.server.injectFault({ kind: 'status', status: 200, body: { code: 1100, message: 'rate limit exceeded[rate=0.1]' } })
    const error = (await s.search({ vector: vec(1, 0), topK: 1, filter: MATCH_ALL, scope: {} }).catch((e: unknown) => e)) as RemoteError
    expect(error).toBeInstanceOf(RemoteError)
    expect(error.serviceMessage).toBe('rate limit exceeded[rate=0.1]')
    fake.server.injectFault({
      kind: 'status',
      status: 200,
      body: { code: 1100, message: 'the dim (3) of field data(vector) is not equal to schema dim (2)' },
    })
    await expect(s.upsert([{ id: 'a', vector: vec(1, 0), payload: {} }])).rejects.toBeInstanceOf(DimensionMismatchError)
    const before = fake.server.requests.length
    await expect(s.upsert([{ id: 'big', vector: vec(1, 0), payload: { text: 'x'.repeat(70_000) } }])).rejects.toBeInstanceOf(
      ValidationError,
    )
    expect(fake.server.requests.length).toBe(before)
  })
})
