import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { createPineconeVectorStore, type PineconeVectorStore } from '../../adapters/pinecone.ts'
import { decodeMetadata, ENCODED_PREFIX, encodeMetadata } from '../../adapters/pinecone/metadata.ts'
import { DimensionMismatchError, RemoteError, ValidationError } from '../../src/errors.ts'
import { type FilterNode, MATCH_ALL } from '../../src/filters/ast.ts'
import { matchesPineconeFilter } from '../servers/pinecone-filter.ts'
import { startPineconeServer, type FakePinecone } from '../servers/pinecone.ts'

const vec = (...values: number[]) => Float32Array.from(values)
const mongo = { listNegation: 'none-equal', negationMatchesMissing: true } as const

describe('Pinecone filter semantics (fake)', () => {
  const movie = { genre: ['comedy', 'documentary'], year: 2020, title: 'x', free: true }
  it('follows the documented examples for lists and operators', () => {
    expect(matchesPineconeFilter(movie, { genre: 'comedy' }, mongo)).toBe(true)
    expect(matchesPineconeFilter(movie, { genre: { $in: ['documentary', 'action'] } }, mongo)).toBe(true)
    expect(matchesPineconeFilter(movie, { $and: [{ genre: 'comedy' }, { genre: 'documentary' }] }, mongo)).toBe(true)
    expect(matchesPineconeFilter(movie, { $and: [{ genre: 'comedy' }, { genre: 'drama' }] }, mongo)).toBe(false)
    expect(matchesPineconeFilter(movie, { year: { $gte: 2020, $lt: 2021 } }, mongo)).toBe(true)
    expect(matchesPineconeFilter(movie, { $or: [{ year: { $gt: 2021 } }, { free: true }] }, mongo)).toBe(true)
    expect(matchesPineconeFilter(movie, { rating: { $exists: false } }, mongo)).toBe(true)
    expect(matchesPineconeFilter(movie, { year: '2020' }, mongo)).toBe(false)
  })
  it('applies both readings of negations on lists and missing fields', () => {
    expect(matchesPineconeFilter(movie, { genre: { $ne: 'comedy' } }, mongo)).toBe(false)
    expect(matchesPineconeFilter(movie, { genre: { $ne: 'comedy' } }, { listNegation: 'some-differs', negationMatchesMissing: true })).toBe(
      true,
    )
    expect(matchesPineconeFilter(movie, { rating: { $ne: 1 } }, mongo)).toBe(true)
    expect(matchesPineconeFilter(movie, { rating: { $nin: [1] } }, { listNegation: 'none-equal', negationMatchesMissing: false })).toBe(
      false,
    )
  })
  it('rejects operators and operands Pinecone rejects', () => {
    for (const bad of [
      { year: { $regex: 'x' } },
      { year: { $gt: '1' } },
      { free: { $in: [true] } },
      { $and: [] },
      { $not: {} },
      { year: { $exists: 1 } },
    ]) {
      expect(() => matchesPineconeFilter(movie, bad, mongo), JSON.stringify(bad)).toThrow()
    }
  })
})

describe('Pinecone metadata encoding', () => {
  it('stores flat values natively and encodes the rest, reversibly', () => {
    const payload = {
      s: 'text',
      n: 1.5,
      b: false,
      list: ['a', 'b'],
      empty: [],
      nums: [1, 2],
      obj: { k: [null] },
      gone: null,
      sneaky: `${ENCODED_PREFIX}[1]`,
    }
    const metadata = encodeMetadata(payload)
    expect(metadata).toMatchObject({ s: 'text', n: 1.5, b: false, list: ['a', 'b'], nums: `${ENCODED_PREFIX}[1,2]` })
    expect('gone' in metadata).toBe(false)
    for (const value of Object.values(metadata)) {
      const flat =
        ['string', 'number', 'boolean'].includes(typeof value) || (Array.isArray(value) && value.every((v) => typeof v === 'string'))
      expect(flat).toBe(true)
    }
    expect(decodeMetadata(metadata)).toEqual(payload)
    expect(() => encodeMetadata({ $bad: 1 })).toThrow(ValidationError)
  })
})

describe('fake Pinecone server and adapter', () => {
  let fake: FakePinecone
  const make = (extra: Record<string, unknown> = {}, collection = 'mem') =>
    createPineconeVectorStore({ host: fake.url, apiKey: fake.apiKey, retryBaseDelayMs: 1, ...extra }, { collection }) as PineconeVectorStore
  const raw = async (path: string, body: unknown, key = fake.apiKey) => {
    const response = await fetch(`${fake.url}${path}`, {
      method: 'POST',
      headers: { 'Api-Key': key, 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
    })
    const text = await response.text()
    return {
      status: response.status,
      text,
      json: (() => {
        try {
          return JSON.parse(text)
        } catch {
          return undefined
        }
      })(),
    }
  }

  beforeAll(async () => {
    fake = await startPineconeServer({ dimension: 3 })
  })
  afterAll(() => fake.close())
  beforeEach(() => fake.server.reset())

  it('answers 401 in plain text and errors as {code, message, details}', async () => {
    const unauthorized = await raw('/describe_index_stats', {}, 'wrong')
    expect(unauthorized).toMatchObject({ status: 401, text: 'Invalid API Key' })
    const wrongDim = await raw('/vectors/upsert', { vectors: [{ id: 'a', values: [1, 0] }] })
    expect(wrongDim).toMatchObject({
      status: 400,
      json: { code: 3, message: 'Vector dimension 2 does not match the dimension of the index 3', details: [] },
    })
    const nulls = await raw('/vectors/upsert', { vectors: [{ id: 'a', values: [1, 0, 0], metadata: { x: null } }] })
    expect(nulls.status).toBe(400)
    expect(nulls.json.message).toMatch(/string, number, boolean or list of strings/)
    expect((await raw('/vectors/upsert', { vectors: [{ id: 'a', values: [1, 0, 0], metadata: { x: { y: 1 } } }] })).status).toBe(400)
    expect((await raw('/query', { vector: [1, 0, 0], topK: 10_001 })).status).toBe(400)
  })

  it('enforces the 1000-record batch, reports stats per namespace and scores raw cosine', async () => {
    const batch = Array.from({ length: 1001 }, (_, i) => ({ id: `v${i}`, values: [1, 0, 0] }))
    expect((await raw('/vectors/upsert', { vectors: batch })).status).toBe(400)
    expect(
      (
        await raw('/vectors/upsert', {
          vectors: [
            { id: 'a', values: [2, 0, 0] },
            { id: 'b', values: [-1, 0, 0] },
          ],
          namespace: 'ns',
        })
      ).json,
    ).toEqual({ upsertedCount: 2 })
    expect((await raw('/describe_index_stats', {})).json).toMatchObject({
      namespaces: { ns: { vectorCount: 2 } },
      dimension: 3,
      metric: 'cosine',
      totalVectorCount: 2,
    })
    const query = (await raw('/query', { vector: [1, 0, 0], topK: 2, namespace: 'ns' })).json
    expect(query).toEqual({
      matches: [
        { id: 'a', score: 1 },
        { id: 'b', score: -1 },
      ],
      namespace: 'ns',
      usage: { readUnits: 5 },
    })
  })

  it('lists ids with pagination tokens', async () => {
    await raw('/vectors/upsert', { vectors: ['c', 'a', 'b'].map((id) => ({ id, values: [1, 0, 0] })) })
    const first = await fetch(`${fake.url}/vectors/list?limit=2`, { headers: { 'Api-Key': fake.apiKey } }).then(
      (r) => r.json() as Promise<any>,
    )
    expect(first.vectors).toEqual([{ id: 'a' }, { id: 'b' }])
    const second = await fetch(`${fake.url}/vectors/list?limit=2&paginationToken=${first.pagination.next}`, {
      headers: { 'Api-Key': fake.apiKey },
    }).then((r) => r.json() as Promise<any>)
    expect(second.vectors).toEqual([{ id: 'c' }])
    expect(second.pagination).toBeUndefined()
  })

  it('accepts a host without scheme (as the control plane returns it), and sends the API version', async () => {
    const url = new URL(fake.url)
    const store = createPineconeVectorStore({ host: `${url.host}`, apiKey: fake.apiKey }, { collection: 'c' })
    // No TLS on the fake: a bare host means https, which must fail to connect rather than silently use http.
    await expect(store.init({})).rejects.toBeInstanceOf(RemoteError)
    await make().init({})
    expect(fake.server.requests.at(-1)?.headers['x-pinecone-api-version']).toBe('2025-10')
  })

  it('keeps nested values and nulls through the adapter, and uses the Memory collection as namespace', async () => {
    const store = make()
    const payload = { user_id: 'u', meta: { deep: [1, { x: null }] }, nums: [3, 4], none: null }
    await store.upsert([{ id: 'a', vector: vec(1, 0, 0), payload }])
    expect(fake.namespaces.get('mem')?.size).toBe(1)
    expect((await store.get(['a']))[0]?.payload).toEqual(payload)
    const hits = await store.search({ vector: vec(1, 0, 0), topK: 1, filter: { op: 'eq', field: 'nums', value: 4 }, scope: {} })
    expect(hits.map((h) => h.id)).toEqual(['a'])
  })

  it('matches an in-list that mixes an operand with the encoding prefix and a plain one (found by the equivalence property)', async () => {
    const store = make()
    await store.upsert([
      { id: 'bool', vector: vec(1, 0, 0), payload: { user_id: 'u', tags: false } },
      { id: 'missing', vector: vec(1, 0, 0), payload: { user_id: 'u' } },
      { id: 'prefixed', vector: vec(1, 0, 0), payload: { user_id: 'u', tags: `${ENCODED_PREFIX}1` } },
      { id: 'other', vector: vec(1, 0, 0), payload: { user_id: 'u', tags: 'x' } },
    ])
    const inList: FilterNode = { op: 'in', field: 'tags', values: [`${ENCODED_PREFIX}1`, false] }
    const ids = async (filter: FilterNode) => {
      const listed = (await store.list({ filter, scope: {}, limit: 10 })).records.map((r) => r.id).sort()
      const found = (await store.search({ vector: vec(1, 0, 0), topK: 10, filter, scope: {} })).map((r) => r.id).sort()
      expect(found).toEqual(listed)
      return listed
    }
    expect(await ids(inList)).toEqual(['bool', 'prefixed'])
    expect(await ids({ op: 'not', child: { op: 'nin', field: 'tags', values: [`${ENCODED_PREFIX}1`, false] } })).toEqual([
      'bool',
      'prefixed',
    ])
  })

  it('rejects oversize metadata and long ids with ValidationError', async () => {
    const store = make()
    await expect(store.upsert([{ id: 'a', vector: vec(1, 0, 0), payload: { text: 'x'.repeat(41 * 1024) } }])).rejects.toThrow(
      ValidationError,
    )
    await expect(store.upsert([{ id: 'x'.repeat(513), vector: vec(1, 0, 0), payload: {} }])).rejects.toThrow(ValidationError)
  })

  it('chunks upserts by count and by the 2 MB request limit', async () => {
    const store = make()
    const big = 'y'.repeat(30 * 1024)
    await store.upsert(Array.from({ length: 150 }, (_, i) => ({ id: `r${i}`, vector: vec(1, i, 0), payload: { big } })))
    const upserts = fake.server.requests.filter((r) => r.path === '/vectors/upsert')
    expect(upserts.length).toBeGreaterThan(1)
    for (const request of upserts) expect(Buffer.byteLength(request.body)).toBeLessThanOrEqual(2 * 1024 * 1024)
    expect(fake.namespaces.get('mem')?.size).toBe(150)
  })

  it('maps the service dimension error and resets only its namespace', async () => {
    const store = make()
    await store.init({ dimensions: 3 })
    await expect(make().init({ dimensions: 4 })).rejects.toMatchObject({ expected: 3, actual: 4 })
    fake.settings.dimension = 5
    const error = await store.upsert([{ id: 'a', vector: vec(1, 0, 0), payload: {} }]).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(DimensionMismatchError)
    expect(error).toMatchObject({ expected: 5, actual: 3 })
    fake.settings.dimension = 3
    const other = make({ namespace: 'other' })
    await store.upsert([{ id: 'a', vector: vec(1, 0, 0), payload: {} }])
    await other.upsert([{ id: 'a', vector: vec(1, 0, 0), payload: {} }])
    await store.reset()
    await store.reset()
    expect(await store.get(['a'])).toEqual([null])
    expect((await other.get(['a']))[0]).not.toBeNull()
    expect((await store.list({ filter: MATCH_ALL, scope: {}, limit: 5 })).records).toEqual([])
  })

  it('retries 429 and 500 but not 400', async () => {
    fake.server.injectFault({
      kind: 'status',
      status: 429,
      body: { code: 8, message: 'Too many requests', details: [] },
      headers: { 'Retry-After': '0' },
    })
    fake.server.injectFault({ kind: 'status', status: 500, body: { code: 13, message: 'internal', details: [] } })
    await make().init({})
    expect(fake.server.requests.map((r) => r.status)).toEqual([429, 500, 200])
    fake.server.reset()
    fake.server.injectFault({ kind: 'status', status: 400, body: { code: 3, message: 'bad', details: [] } })
    await expect(make().init({})).rejects.toMatchObject({ status: 400, serviceMessage: 'bad' })
    expect(fake.server.requests).toHaveLength(1)
  })
})
