import fc from 'fast-check'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { createUpstashVectorStore, type UpstashVectorStore } from '../../adapters/upstash.ts'
import { compileUpstashFilter, quoteString } from '../../adapters/upstash/filter.ts'
import { ConfigError, DimensionMismatchError, RemoteError, ValidationError } from '../../src/errors.ts'
import { and, eq, MATCH_ALL, type FilterNode } from '../../src/filters/ast.ts'
import { evaluateUpstashFilter, parseUpstashFilter } from '../servers/upstash-filter.ts'
import { startUpstashServer, type FakeUpstash } from '../servers/upstash.ts'

const vec = (...values: number[]) => Float32Array.from(values)

describe('Upstash filter strings', () => {
  it('quotes any value so that it stays one literal', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (value) => {
        const ast = parseUpstashFilter(`f = ${quoteString(value)}`)
        expect(ast).toEqual({ type: 'compare', op: '=', path: [{ key: 'f' }], value })
      }),
      { numRuns: 500 },
    )
  })

  it('never lets a user value change the meaning of the filter', () => {
    const hostile = fc.oneof(
      fc.string({ unit: 'binary' }),
      fc.constantFrom(
        `x' OR user_id = 'admin`,
        `x" OR user_id = "admin`,
        `\\`,
        `\\'`,
        `') OR (1 = 1`,
        `*`,
        `?`,
        `[`,
        `a\\' OR HAS FIELD user_id OR v = \\'`,
      ),
    )
    fc.assert(
      fc.property(hostile, fc.constantFrom<'eq' | 'ne' | 'contains' | 'icontains'>('eq', 'ne', 'contains', 'icontains'), (value, op) => {
        const filter: FilterNode = and(eq('user_id', 'alice'), { op, field: 'note', value })
        const compiled = compileUpstashFilter(filter)
        expect(compiled.native.kind).toBe('expr')
        const ast = parseUpstashFilter((compiled.native as { expr: string }).expr)
        // A record of another user can never match, whatever the value.
        const intruder = { user_id: 'mallory', note: value, _em_t: ['s:user_id', 's:note'] }
        expect(evaluateUpstashFilter(ast, intruder, 'strict')).toBe(false)
        expect(evaluateUpstashFilter(ast, intruder, 'lenient')).toBe(false)
        // The owner's record with exactly that note matches positive operators.
        const owner = { user_id: 'alice', note: value, _em_t: ['s:user_id', 's:note'] }
        if (op === 'eq' || op === 'contains') expect(evaluateUpstashFilter(ast, owner, 'strict')).toBe(true)
      }),
      { numRuns: 400 },
    )
  })
})

describe('Upstash adapter', () => {
  let fake: FakeUpstash
  const make = (extra: Record<string, unknown> = {}, collection = 'mem') =>
    createUpstashVectorStore({ url: fake.url, token: fake.token, retryBaseDelayMs: 1, ...extra }, { collection }) as UpstashVectorStore

  beforeAll(async () => {
    fake = await startUpstashServer({ dimension: 3 })
  })
  afterAll(() => fake.close())
  beforeEach(() => fake.server.reset())

  it('validates its config', () => {
    expect(() => createUpstashVectorStore({ url: fake.url }, { collection: 'c' })).toThrow(ConfigError)
    expect(() => createUpstashVectorStore({ url: fake.url, token: 't', extra: 1 }, { collection: 'c' })).toThrow(/extra/)
    expect(() => createUpstashVectorStore({ url: fake.url, token: 't' }, { collection: 'a/b' })).toThrow(/namespace/)
  })

  it('uses the Memory collection as namespace unless one is configured, and keeps namespaces apart', async () => {
    const a = make()
    const b = make({ namespace: 'other' })
    await a.init({ dimensions: 3 })
    await a.upsert([{ id: 'x', vector: vec(1, 0, 0), payload: { user_id: 'u', memory: 'in mem' } }])
    await b.upsert([{ id: 'x', vector: vec(0, 1, 0), payload: { user_id: 'u', memory: 'in other' } }])
    expect(fake.namespaces.get('mem')?.size).toBe(1)
    expect((await a.get(['x']))[0]?.payload.memory).toBe('in mem')
    expect((await b.get(['x']))[0]?.payload.memory).toBe('in other')
    await a.reset()
    expect(await a.get(['x'])).toEqual([null])
    expect((await b.get(['x']))[0]).not.toBeNull()
  })

  it('round-trips payloads, including nulls, arrays and objects, without exposing its own keys', async () => {
    const store = make()
    const payload = {
      user_id: 'u',
      n: 1.5,
      flag: false,
      gone: null,
      tags: ['a', 'b'],
      nested: { k: [1, { z: null }] },
      text: `it's "quoted" \\`,
    }
    await store.upsert([{ id: 'r', vector: vec(0.1, 0.2, 0.3), payload }])
    const [got] = await store.get(['r'], { includeVectors: true })
    expect(got?.payload).toEqual(payload)
    expect(Array.from(got!.vector!)).toEqual(Array.from(vec(0.1, 0.2, 0.3)))
    expect((await store.get(['r']))[0]?.vector).toBeUndefined()
    await expect(store.upsert([{ id: 'bad', vector: vec(1, 0, 0), payload: { _em_t: [] } }])).rejects.toThrow(ValidationError)
  })

  it('reports cosine similarity in [-1, 1], best first', async () => {
    const store = make()
    await store.upsert([
      { id: 'same', vector: vec(2, 0, 0), payload: {} },
      { id: 'opposite', vector: vec(-1, 0, 0), payload: {} },
      { id: 'orthogonal', vector: vec(0, 1, 0), payload: {} },
    ])
    const results = await store.search({ vector: vec(1, 0, 0), topK: 3, filter: MATCH_ALL, scope: {} })
    expect(results.map((r) => r.id)).toEqual(['same', 'orthogonal', 'opposite'])
    expect(results.map((r) => r.score)).toEqual([1, 0, -1])
  })

  it('throws DimensionMismatchError from init and on writes, with both numbers', async () => {
    const store = make()
    const initError = await store.init({ dimensions: 4 }).catch((e: unknown) => e)
    expect(initError).toBeInstanceOf(DimensionMismatchError)
    expect(initError).toMatchObject({ expected: 3, actual: 4 })
    await expect(store.upsert([{ id: 'a', vector: vec(1, 0), payload: {} }])).rejects.toMatchObject({
      code: 'DIMENSION_MISMATCH',
      expected: 3,
      actual: 2,
    })
  })

  it('maps the service 422 dimension error to DimensionMismatchError', async () => {
    const store = make()
    await store.init({})
    // The index changed under us (another process recreated it): the service's own check answers.
    fake.options.dimension = 5
    const error = await store.upsert([{ id: 'a', vector: vec(1, 0, 0), payload: {} }]).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(DimensionMismatchError)
    expect(error).toMatchObject({ expected: 5, actual: 3 })
    fake.options.dimension = 3
  })

  it('chunks upserts to the 1000-vector batch limit', async () => {
    const store = make()
    await store.init({})
    const records = Array.from({ length: 2500 }, (_, i) => ({ id: `r${i}`, vector: vec(1, i, 0), payload: { i } }))
    await store.upsert(records)
    expect(fake.namespaces.get('mem')?.size).toBe(2500)
    const upserts = fake.server.requests.filter((r) => r.path === '/upsert/mem')
    expect(upserts.map((r) => (JSON.parse(r.body) as unknown[]).length)).toEqual([1000, 1000, 500])
  })

  it('is idempotent: upserting the same records twice leaves one copy', async () => {
    const store = make()
    const records = [{ id: 'a', vector: vec(1, 0, 0), payload: { v: 1 } }]
    await store.upsert(records)
    await store.upsert(records)
    expect(fake.namespaces.get('mem')?.size).toBe(1)
  })

  it('retries 429 honouring Retry-After, and 503s, then succeeds', async () => {
    const store = make()
    fake.server.injectFault({
      kind: 'status',
      status: 429,
      body: { error: 'Too Many Requests', status: 429 },
      headers: { 'Retry-After': '1' },
    })
    fake.server.injectFault({ kind: 'status', status: 503, body: { error: 'Service Unavailable', status: 503 } })
    const started = Date.now()
    await store.init({})
    expect(Date.now() - started).toBeGreaterThanOrEqual(990)
    expect(fake.server.requests.map((r) => r.status)).toEqual([429, 503, 200])
  })

  it('retries dropped connections and timeouts', async () => {
    const store = make({ timeoutMs: 200 })
    fake.server.injectFault({ kind: 'drop' })
    fake.server.injectFault({ kind: 'delay', ms: 600 })
    await store.init({})
    expect(fake.server.requests).toHaveLength(3)
  })

  it('does not retry auth or validation errors, and keeps the service message', async () => {
    const store = createUpstashVectorStore({ url: fake.url, token: 'wrong', retryBaseDelayMs: 1 }, { collection: 'mem' })
    const error = (await store.init({}).catch((e: unknown) => e)) as RemoteError
    expect(error).toBeInstanceOf(RemoteError)
    expect(error).toMatchObject({ status: 401, serviceMessage: 'Unauthorized: Invalid auth token', code: 'REMOTE' })
    expect(fake.server.requests).toHaveLength(1)
    fake.server.reset()
    fake.server.injectFault({ kind: 'status', status: 400, body: { error: 'Invalid request', status: 400 } })
    await expect(make().init({})).rejects.toMatchObject({ status: 400, serviceMessage: 'Invalid request' })
    expect(fake.server.requests).toHaveLength(1)
  })

  it('gives up after maxRetries with the last error', async () => {
    fake.server.injectFault({ kind: 'status', status: 500, body: { error: 'boom', status: 500 } }, 3)
    await expect(make({ maxRetries: 2 }).init({})).rejects.toMatchObject({ status: 500, serviceMessage: 'boom' })
    expect(fake.server.requests).toHaveLength(3)
  })

  it('treats an unknown namespace as empty when the service answers 404', async () => {
    const strict = await startUpstashServer({ dimension: 3, unknownNamespace: 'error' })
    try {
      const store = createUpstashVectorStore({ url: strict.url, token: strict.token }, { collection: 'fresh' })
      expect(await store.get(['a'])).toEqual([null])
      expect(await store.list({ filter: MATCH_ALL, scope: {}, limit: 10 })).toEqual({ records: [] })
      expect(await store.search({ vector: vec(1, 0, 0), topK: 3, filter: MATCH_ALL, scope: {} })).toEqual([])
      await store.delete(['a'])
      await store.reset()
    } finally {
      await strict.close()
    }
  })
})
