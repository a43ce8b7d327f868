import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { globToRegExp, parseUpstashFilter, evaluateUpstashFilter } from '../servers/upstash-filter.ts'
import { startUpstashServer, type FakeUpstash } from '../servers/upstash.ts'

// Checks the fake Upstash server against the spec (shared/specs/remote-vector-apis.md) and the filter
// examples of Upstash's documentation, so adapter tests run against something that behaves like Upstash.

const city = {
  city: 'Istanbul',
  country: 'Turkey',
  is_capital: false,
  population: 15460000,
  geography: { continent: 'Asia', coordinates: { latitude: 41.0082, longitude: 28.9784 } },
  economy: { currency: 'TRY', major_industries: ['Tourism', 'Textiles', 'Finance'] },
}
const matches = (filter: string, metadata: unknown = city, semantics: 'strict' | 'lenient' = 'strict') =>
  evaluateUpstashFilter(parseUpstashFilter(filter), metadata as never, semantics)

describe('Upstash filter language', () => {
  it('evaluates the documentation examples', () => {
    expect(matches(`population >= 1000000 AND geography.continent = "Asia"`)).toBe(true)
    expect(matches(`country = 'Turkey' AND population = 15460000 AND is_capital = false`)).toBe(true)
    expect(matches(`country != 'Germany'`)).toBe(true)
    expect(matches(`population < 20000000`)).toBe(true)
    expect(matches(`population <= 15460000 AND population > 15459999.5`)).toBe(true)
    expect(matches(`city GLOB '?[sz]tanbul'`)).toBe(true)
    expect(matches(`city NOT GLOB 'A*'`)).toBe(true)
    expect(matches(`country IN ('Germany', 'Turkey', 'France')`)).toBe(true)
    expect(matches(`currency NOT IN ('USD', 'EUR')`, city.economy)).toBe(true)
    expect(matches(`economy.major_industries CONTAINS 'Tourism'`)).toBe(true)
    expect(matches(`economy.major_industries NOT CONTAINS 'Steel'`)).toBe(true)
    expect(matches(`HAS FIELD geography.coordinates.latitude`)).toBe(true)
    expect(matches(`HAS NOT FIELD geography.coordinates.altitude`)).toBe(true)
    expect(matches(`economy.major_industries[0] = 'Tourism'`)).toBe(true)
    expect(matches(`economy.major_industries[#-1] = 'Finance'`)).toBe(true)
    expect(matches(`geography.coordinates.longitude >= 28.97 AND geography.coordinates.longitude <= 28.98`)).toBe(true)
  })

  it('binds AND tighter than OR, and parentheses override it', () => {
    // false AND false OR true → true;  false AND (false OR true) → false
    expect(matches(`country = 'X' AND city = 'Y' OR is_capital = false`)).toBe(true)
    expect(matches(`country = 'X' AND (city = 'Y' OR is_capital = false)`)).toBe(false)
    expect(matches(`is_capital = false OR country = 'X' AND city = 'Y'`)).toBe(true)
  })

  it('treats keywords case-insensitively', () => {
    expect(matches(`country in ('Turkey') and has field city or city glob 'x'`)).toBe(true)
  })

  it('unescapes quotes and backslashes inside strings', () => {
    expect(matches(`v = 'it\\'s'`, { v: "it's" })).toBe(true)
    expect(matches(`v = "say \\"hi\\""`, { v: 'say "hi"' })).toBe(true)
    expect(matches(`v = 'a\\\\'`, { v: 'a\\' })).toBe(true)
    // A quote inside a value does not end it: the OR is part of the string.
    expect(matches(`v = 'x\\' OR v != \\'y'`, { v: "x' OR v != 'y" })).toBe(true)
  })

  it('is type-strict', () => {
    expect(matches(`n = '5'`, { n: 5 })).toBe(false)
    expect(matches(`n = 5`, { n: '5' })).toBe(false)
    expect(matches(`b = true`, { b: 'true' })).toBe(false)
    expect(matches(`tags = 'a'`, { tags: ['a'] })).toBe(false)
    expect(matches(`n CONTAINS 5`, { n: [5, 6] })).toBe(true)
  })

  it('applies negations by the configured semantics', () => {
    expect(matches(`x != 'a'`, {}, 'strict')).toBe(false)
    expect(matches(`x != 'a'`, {}, 'lenient')).toBe(true)
    expect(matches(`x NOT IN ('a')`, { x: 5 }, 'strict')).toBe(true)
    expect(matches(`x NOT CONTAINS 'a'`, { x: 'abc' }, 'strict')).toBe(false)
    expect(matches(`x NOT CONTAINS 'a'`, { x: 'abc' }, 'lenient')).toBe(true)
  })

  it('rejects malformed filters', () => {
    for (const bad of [
      `x = `,
      `x = 'open`,
      `(x = 1`,
      `x < 'a'`,
      `x LIKE 'a'`,
      `AND x = 1`,
      `x = 1 y = 2`,
      `x = 1 AND`,
      `has field`,
      `x IN ()`,
    ]) {
      expect(() => parseUpstashFilter(bad), bad).toThrow()
    }
  })

  it('matches globs like UNIX fnmatch', () => {
    expect(globToRegExp('a*c').test('abbbc')).toBe(true)
    expect(globToRegExp('a?c').test('abc')).toBe(true)
    expect(globToRegExp('a?c').test('abbc')).toBe(false)
    expect(globToRegExp('[a-c]x').test('bx')).toBe(true)
    expect(globToRegExp('[!a-c]x').test('bx')).toBe(false)
    expect(globToRegExp('[^a-c]x').test('dx')).toBe(true)
    expect(globToRegExp('[*]').test('*')).toBe(true)
    expect(globToRegExp('a.c').test('abc')).toBe(false)
    expect(globToRegExp('Ab').test('ab')).toBe(false)
  })
})

describe('fake Upstash server', () => {
  let fake: FakeUpstash
  const call = async (path: string, body?: unknown, init: RequestInit = {}) => {
    const response = await fetch(`${fake.url}${path}`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${fake.token}`, 'Content-Type': 'application/json' },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      ...init,
    })
    return { status: response.status, body: (await response.json()) as Record<string, unknown> & { result: any } }
  }

  beforeAll(async () => {
    fake = await startUpstashServer({ dimension: 2 })
  })
  afterAll(() => fake.close())
  beforeEach(() => fake.server.reset())

  it('requires the bearer token and answers 401 with the JSON error envelope', async () => {
    const response = await fetch(`${fake.url}/info`, { method: 'POST', body: '[]' })
    expect(response.status).toBe(401)
    expect(await response.json()).toEqual({ error: 'Unauthorized: Invalid auth token', status: 401 })
  })

  it('wraps results, upserts into namespaces and reports them in info', async () => {
    expect(await call('/upsert', { id: 'a', vector: [1, 0], metadata: { k: 1 } })).toEqual({ status: 200, body: { result: 'Success' } })
    await call('/upsert/ns1', [{ id: 'b', vector: [0, 1] }])
    const info = (await call('/info', [])).body.result
    expect(info).toMatchObject({
      vectorCount: 2,
      dimension: 2,
      similarityFunction: 'COSINE',
      namespaces: { '': { vectorCount: 1 }, ns1: { vectorCount: 1 } },
    })
    expect((await call('/list-namespaces', [])).body.result).toEqual(['', 'ns1'])
    // GET and DELETE work too, without a body.
    const get = await fetch(`${fake.url}/info`, { headers: { Authorization: `Bearer ${fake.token}` } })
    expect(get.status).toBe(200)
  })

  it('rejects a wrong dimension with 422 and the documented message', async () => {
    const response = await call('/upsert', { id: 'a', vector: [1, 0, 0] })
    expect(response).toEqual({ status: 422, body: { error: 'Invalid vector dimension: 3, expected: 2', status: 422 } })
  })

  it('limits upsert batches to 1000 vectors', async () => {
    const batch = Array.from({ length: 1001 }, (_, i) => ({ id: String(i), vector: [1, 0] }))
    expect((await call('/upsert', batch)).status).toBe(400)
    expect((await call('/upsert', batch.slice(0, 1000))).status).toBe(200)
  })

  it('normalises scores to 0..1 by metric', async () => {
    await call('/upsert', [
      { id: 'same', vector: [1, 0] },
      { id: 'opposite', vector: [-2, 0] },
      { id: 'orthogonal', vector: [0, 3] },
    ])
    const result = (await call('/query', { vector: [1, 0], topK: 3 })).body.result
    expect(result.map((r: { id: string }) => r.id)).toEqual(['same', 'orthogonal', 'opposite'])
    expect(result.map((r: { score: number }) => r.score)).toEqual([1, 0.5, 0])
    for (const [similarity, expected] of [
      ['EUCLIDEAN', 1 / (1 + 1 + 9)],
      ['DOT_PRODUCT', (1 + 0.5 * 3) / 2],
    ] as const) {
      const other = await startUpstashServer({ dimension: 2, similarity })
      try {
        await fetch(`${other.url}/upsert`, {
          method: 'POST',
          headers: { Authorization: `Bearer ${other.token}` },
          body: JSON.stringify({ id: 'x', vector: [0, 3] }),
        })
        const response = await fetch(`${other.url}/query`, {
          method: 'POST',
          headers: { Authorization: `Bearer ${other.token}` },
          body: JSON.stringify({ vector: [1, 0.5], topK: 1 }),
        })
        const [hit] = ((await response.json()) as { result: { score: number }[] }).result
        expect(hit!.score).toBeCloseTo(similarity === 'EUCLIDEAN' ? 1 / (1 + 1 + 6.25) : expected, 12)
      } finally {
        await other.close()
      }
    }
  })

  it('filters queries, includes metadata and vectors only when asked, answers many queries at once', async () => {
    await call('/upsert', [
      { id: 'a', vector: [1, 0], metadata: { user_id: 'u1', n: 1 } },
      { id: 'b', vector: [0.9, 0.1], metadata: { user_id: 'u2', n: 2 } },
    ])
    const one = (await call('/query', { vector: [1, 0], topK: 5, filter: "user_id = 'u2'", includeMetadata: true })).body.result
    expect(one).toEqual([{ id: 'b', score: expect.any(Number), metadata: { user_id: 'u2', n: 2 } }])
    const plain = (await call('/query', { vector: [1, 0], topK: 1, includeVectors: true })).body.result
    expect(plain).toEqual([{ id: 'a', score: 1, vector: [1, 0] }])
    const many = (
      await call('/query', [
        { vector: [1, 0], topK: 1 },
        { vector: [0, 1], topK: 1 },
      ])
    ).body.result
    expect(many.map((r: { id: string }[]) => r[0]!.id)).toEqual(['a', 'b'])
    expect((await call('/query', { vector: [1, 0], filter: 'user_id = ' })).status).toBe(400)
  })

  it('fetches in request order with null for missing ids, and by prefix', async () => {
    await call('/upsert', [
      { id: 'p1', vector: [1, 0] },
      { id: 'p2', vector: [0, 1] },
      { id: 'q', vector: [0, 1] },
    ])
    expect((await call('/fetch', { ids: ['q', 'missing', 'p1'] })).body.result).toEqual([{ id: 'q' }, null, { id: 'p1' }])
    expect((await call('/fetch', { prefix: 'p' })).body.result.map((r: { id: string }) => r.id)).toEqual(['p1', 'p2'])
  })

  it('pages through range with a cursor that is "" at the end', async () => {
    await call(
      '/upsert',
      Array.from({ length: 5 }, (_, i) => ({ id: `id${i}`, vector: [1, 0] })),
    )
    const seen: string[] = []
    let cursor = '0'
    do {
      const page = (await call('/range', { cursor, limit: 2 })).body.result
      seen.push(...page.vectors.map((v: { id: string }) => v.id))
      cursor = page.nextCursor
    } while (cursor !== '')
    expect(seen).toEqual(['id0', 'id1', 'id2', 'id3', 'id4'])
  })

  it('updates with merge-patch or overwrite, deletes by ids, prefix and filter', async () => {
    await call('/upsert', { id: 'a', vector: [1, 0], metadata: { keep: 1, drop: 2, nested: { x: 1 } } })
    expect(
      (await call('/update', { id: 'a', metadata: { drop: null, nested: { y: 2 } }, metadataUpdateMode: 'PATCH' })).body.result,
    ).toEqual({ updated: 1 })
    expect((await call('/fetch', { ids: ['a'], includeMetadata: true })).body.result[0].metadata).toEqual({
      keep: 1,
      nested: { x: 1, y: 2 },
    })
    await call('/update', { id: 'a', metadata: { only: true }, metadataUpdateMode: 'OVERWRITE' })
    expect((await call('/fetch', { ids: ['a'], includeMetadata: true })).body.result[0].metadata).toEqual({ only: true })
    expect((await call('/update', { id: 'nope', metadata: {} })).body.result).toEqual({ updated: 0 })
    await call('/upsert', [
      { id: 'x1', vector: [1, 0], metadata: { g: 1 } },
      { id: 'x2', vector: [1, 0], metadata: { g: 2 } },
    ])
    expect((await call('/delete', { filter: 'g = 2' })).body.result).toEqual({ deleted: 1 })
    expect((await call('/delete', { prefix: 'x' })).body.result).toEqual({ deleted: 1 })
    expect((await call('/delete', { ids: ['a', 'a2'] })).body.result).toEqual({ deleted: 1 })
  })

  it('resets one namespace or all, and deletes namespaces', async () => {
    await call('/upsert/a', { id: '1', vector: [1, 0] })
    await call('/upsert/b', { id: '1', vector: [1, 0] })
    await call('/reset/a')
    expect((await call('/info', [])).body.result.namespaces).toMatchObject({ a: { vectorCount: 0 }, b: { vectorCount: 1 } })
    expect((await call('/delete-namespace/b')).body.result).toBe('Success')
    expect((await call('/delete-namespace/b')).status).toBe(404)
    // The default namespace "" cannot be deleted.
    expect((await call('/delete-namespace')).status).toBe(400)
    await call('/reset?all')
    expect((await call('/list-namespaces', [])).body.result).toEqual([''])
  })

  it('injects faults and logs requests', async () => {
    fake.server.injectFault({
      kind: 'status',
      status: 429,
      body: { error: 'Too many requests', status: 429 },
      headers: { 'Retry-After': '1' },
    })
    const limited = await fetch(`${fake.url}/info`, { method: 'POST', headers: { Authorization: `Bearer ${fake.token}` } })
    expect(limited.status).toBe(429)
    expect(limited.headers.get('retry-after')).toBe('1')
    expect((await call('/info', [])).status).toBe(200)
    expect(fake.server.requests.map((r) => r.status)).toEqual([429, 200])
  })
})
