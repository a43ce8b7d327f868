import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { matchesQdrantFilter } from '../servers/qdrant-filter.ts'
import { startQdrantServer, type FakeQdrant } from '../servers/qdrant.ts'

// Checks the fake Qdrant server against the spec (shared/specs/remote-vector-apis.md) and Qdrant's
// documented filter semantics.

const point = (payload: Record<string, unknown>, id: string | number = 1) => ({ id, payload: payload as never })

describe('Qdrant filter JSON', () => {
  const store = [
    { id: 1, city: 'London', color: 'green', count: 1, tags: ['a', 'b'] },
    { id: 2, city: 'London', color: 'red', count: 5 },
    { id: 3, city: 'Moscow', color: 'green', count: 7.5, note: null },
    { id: 4, city: 'Moscow', color: 'red', tags: [] },
    {
      id: 5,
      city: 'Berlin',
      diet: [
        { food: 'meat', likes: true },
        { food: 'leaves', likes: false },
      ],
    },
  ]
  const ids = (filter: unknown) => store.filter(({ id, ...payload }) => matchesQdrantFilter(point(payload, id), filter)).map((p) => p.id)

  it('combines must, should, must_not and min_should', () => {
    expect(
      ids({
        must: [
          { key: 'city', match: { value: 'London' } },
          { key: 'color', match: { value: 'red' } },
        ],
      }),
    ).toEqual([2])
    expect(
      ids({
        should: [
          { key: 'city', match: { value: 'London' } },
          { key: 'color', match: { value: 'red' } },
        ],
      }),
    ).toEqual([1, 2, 4])
    expect(
      ids({
        must_not: [
          { key: 'city', match: { value: 'London' } },
          { key: 'color', match: { value: 'red' } },
        ],
      }),
    ).toEqual([3, 5])
    expect(ids({ must: { key: 'city', match: { value: 'London' } }, must_not: { key: 'color', match: { value: 'red' } } })).toEqual([1])
    expect(
      ids({
        must_not: [
          {
            must: [
              { key: 'city', match: { value: 'Moscow' } },
              { key: 'color', match: { value: 'red' } },
            ],
          },
        ],
      }),
    ).toEqual([1, 2, 3, 5])
    const two = [
      { key: 'city', match: { value: 'London' } },
      { key: 'color', match: { value: 'green' } },
      { key: 'count', range: { gte: 5 } },
    ]
    expect(ids({ min_should: { conditions: two, min_count: 2 } })).toEqual([1, 2, 3])
  })

  it('matches values, any, except; arrays match when any element does', () => {
    expect(ids({ must: [{ key: 'tags', match: { value: 'b' } }] })).toEqual([1])
    expect(ids({ must: [{ key: 'city', match: { any: ['Berlin', 'Moscow'] } }] })).toEqual([3, 4, 5])
    expect(ids({ must: [{ key: 'color', match: { except: ['green'] } }] })).toEqual([2, 4])
    expect(ids({ must: [{ key: 'count', match: { value: 1 } }] })).toEqual([1])
    expect(() => ids({ must: [{ key: 'count', match: { value: 7.5 } }] })).toThrow(/Format error/)
    expect(() => ids({ must: [{ key: 'city', match: { any: ['a', 1] } }] })).toThrow(/Format error/)
  })

  it('compares ranges on numbers only', () => {
    expect(ids({ must: [{ key: 'count', range: { gt: 1, lte: 7.5 } }] })).toEqual([2, 3])
    expect(ids({ must: [{ key: 'city', range: { gt: 0 } }] })).toEqual([])
  })

  it('tells empty and null apart', () => {
    expect(ids({ must: [{ is_empty: { key: 'tags' } }] })).toEqual([2, 3, 4, 5])
    expect(ids({ must: [{ is_null: { key: 'note' } }] })).toEqual([3])
    expect(ids({ must: [{ is_empty: { key: 'note' } }] })).toContain(3)
  })

  it('filters by id and by nested array objects', () => {
    expect(ids({ must: [{ has_id: [2, 4] }] })).toEqual([2, 4])
    expect(
      ids({
        must: [
          {
            nested: {
              key: 'diet',
              filter: {
                must: [
                  { key: 'food', match: { value: 'meat' } },
                  { key: 'likes', match: { value: true } },
                ],
              },
            },
          },
        ],
      }),
    ).toEqual([5])
    expect(
      ids({
        must: [
          {
            nested: {
              key: 'diet',
              filter: {
                must: [
                  { key: 'food', match: { value: 'meat' } },
                  { key: 'likes', match: { value: false } },
                ],
              },
            },
          },
        ],
      }),
    ).toEqual([])
    // Without nested, conditions may hold for different elements.
    expect(
      ids({
        must: [
          { key: 'diet[].food', match: { value: 'meat' } },
          { key: 'diet[].likes', match: { value: false } },
        ],
      }),
    ).toEqual([5])
  })
})

describe('fake Qdrant server', () => {
  let fake: FakeQdrant
  const call = async (method: string, path: string, body?: unknown, key: string | null = 'secret') => {
    const headers: Record<string, string> = { 'Content-Type': 'application/json' }
    if (key !== null) headers['api-key'] = key
    const response = await fetch(`${fake.url}${path}`, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) })
    const text = await response.text()
    let json: any
    try {
      json = JSON.parse(text)
    } catch {
      json = text
    }
    return { status: response.status, body: json, type: response.headers.get('content-type') }
  }
  const uuid = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`

  beforeAll(async () => {
    fake = await startQdrantServer({ apiKey: 'secret' })
  })
  afterAll(() => fake.close())
  beforeEach(() => fake.server.reset())

  it('answers / without auth and 401s in plain text without a valid key', async () => {
    expect(await call('GET', '/', undefined, null)).toMatchObject({
      status: 200,
      body: { title: 'qdrant - vector search engine', version: '1.19.0' },
    })
    const missing = await call('GET', '/collections', undefined, null)
    expect(missing).toMatchObject({ status: 401, body: 'Must provide an API key or an Authorization bearer token' })
    expect(missing.type).toMatch(/text\/plain/)
    expect(await call('GET', '/collections', undefined, 'wrong')).toMatchObject({ status: 401, body: 'Invalid API key or JWT' })
    const bearer = await fetch(`${fake.url}/collections`, { headers: { Authorization: 'Bearer secret' } })
    expect(bearer.status).toBe(200)
  })

  it('creates collections once, reports them, and uses the envelopes', async () => {
    const created = await call('PUT', '/collections/c', { vectors: { size: 2, distance: 'Cosine' } })
    expect(created).toMatchObject({ status: 200, body: { result: true, status: 'ok', time: expect.any(Number) } })
    expect(await call('PUT', '/collections/c', { vectors: { size: 2, distance: 'Cosine' } })).toMatchObject({
      status: 409,
      body: { status: { error: 'Wrong input: Collection `c` already exists!' } },
    })
    expect((await call('GET', '/collections/c/exists')).body.result).toEqual({ exists: true })
    expect((await call('GET', '/collections/nope/exists')).body.result).toEqual({ exists: false })
    expect(await call('GET', '/collections/nope')).toMatchObject({
      status: 404,
      body: { status: { error: "Not found: Collection `nope` doesn't exist!" } },
    })
    await call('PUT', '/collections/c/index?wait=true', { field_name: 'user_id', field_schema: { type: 'keyword', is_tenant: true } })
    const info = (await call('GET', '/collections/c')).body.result
    expect(info).toMatchObject({
      points_count: 0,
      config: { params: { vectors: { size: 2, distance: 'Cosine' } } },
      payload_schema: { user_id: { data_type: 'keyword', params: { is_tenant: true } } },
    })
    expect((await call('DELETE', '/collections/c')).body.result).toBe(true)
  })

  it('accepts only uint64 and UUID point ids, and checks dimensions', async () => {
    await call('PUT', '/collections/c', { vectors: { size: 2, distance: 'Dot' } })
    expect(
      (
        await call('PUT', '/collections/c/points?wait=true', {
          points: [
            { id: 7, vector: [1, 0] },
            { id: uuid(1).toUpperCase(), vector: [0, 1] },
          ],
        })
      ).body.result,
    ).toMatchObject({ status: 'completed' })
    for (const bad of ['abc', -1, 1.5, 'not-a-uuid-0000']) {
      const response = await call('PUT', '/collections/c/points', { points: [{ id: bad, vector: [1, 0] }] })
      expect(response.status).toBe(400)
      expect(response.body.status.error).toMatch(/not a valid point ID/)
    }
    expect(await call('PUT', '/collections/c/points', { points: [{ id: 1, vector: [1, 0, 0] }] })).toMatchObject({
      status: 400,
      body: { status: { error: 'Wrong input: Vector dimension error: expected dim: 2, got 3' } },
    })
    expect(
      (await call('POST', '/collections/c/points', { ids: [7, uuid(1), 99], with_payload: true })).body.result.map(
        (p: { id: unknown }) => p.id,
      ),
    ).toEqual([7, uuid(1)])
    expect(await call('GET', '/collections/c/points/99')).toMatchObject({
      status: 404,
      body: { status: { error: 'Not found: No point with id 99 found' } },
    })
  })

  it('queries with /points/query; /points/search is gone', async () => {
    await call('PUT', '/collections/c', { vectors: { size: 2, distance: 'Cosine' } })
    await call('PUT', '/collections/c/points', {
      points: [
        { id: 1, vector: [2, 0], payload: { k: 'a' } },
        { id: 2, vector: [0, 3], payload: { k: 'b' } },
        { id: 3, vector: [-1, 0] },
      ],
    })
    const result = (await call('POST', '/collections/c/points/query', { query: [1, 0], limit: 3, with_payload: true })).body.result
    expect(result.points.map((p: { id: number; score: number }) => [p.id, p.score])).toEqual([
      [1, 1],
      [2, 0],
      [3, -1],
    ])
    expect(result.points[0]).toMatchObject({ version: expect.any(Number), payload: { k: 'a' } })
    const bare = (await call('POST', '/collections/c/points/query', { query: [1, 0], limit: 1 })).body.result.points[0]
    expect(bare.payload).toBeUndefined()
    // Cosine vectors are stored normalised.
    expect((await call('POST', '/collections/c/points', { ids: [1], with_vector: true })).body.result[0].vector).toEqual([1, 0])
    const filtered = (
      await call('POST', '/collections/c/points/query', { query: [1, 0], filter: { must: [{ key: 'k', match: { value: 'b' } }] } })
    ).body.result
    expect(filtered.points.map((p: { id: number }) => p.id)).toEqual([2])
    expect((await call('POST', '/collections/c/points/search', { vector: [1, 0], limit: 1 })).status).toBe(404)
    expect((await call('POST', '/collections/c/points/query', { query: [1, 0], limit: 0 })).status).toBe(422)
  })

  it('orders Euclid and Manhattan by ascending distance and reports the distance', async () => {
    for (const [distance, expected] of [
      ['Euclid', [0, 5]],
      ['Manhattan', [0, 7]],
    ] as const) {
      await call('PUT', `/collections/${distance}`, { vectors: { size: 2, distance } })
      await call('PUT', `/collections/${distance}/points`, {
        points: [
          { id: 1, vector: [4, 4] },
          { id: 2, vector: [1, 0] },
        ],
      })
      const points = (await call('POST', `/collections/${distance}/points/query`, { query: [1, 0], limit: 2 })).body.result.points
      expect(points.map((p: { id: number; score: number }) => [p.id, p.score])).toEqual([
        [2, expected[0]],
        [1, expected[1]],
      ])
    }
  })

  it('scrolls by id with an inclusive next_page_offset, counts, sets payloads and deletes', async () => {
    await call('PUT', '/collections/c', { vectors: { size: 2, distance: 'Cosine' } })
    await call('PUT', '/collections/c/points', {
      points: [3, 1, 2, uuid(5), uuid(4)].map((id) => ({ id, vector: [1, 0], payload: { g: typeof id } })),
    })
    const first = (await call('POST', '/collections/c/points/scroll', { limit: 2 })).body.result
    expect(first.points.map((p: { id: unknown }) => p.id)).toEqual([1, 2])
    expect(first.points[0].payload).toEqual({ g: 'number' })
    const second = (await call('POST', '/collections/c/points/scroll', { limit: 2, offset: first.next_page_offset })).body.result
    expect(second.points.map((p: { id: unknown }) => p.id)).toEqual([3, uuid(4)])
    const third = (await call('POST', '/collections/c/points/scroll', { limit: 2, offset: second.next_page_offset })).body.result
    expect(third).toEqual({ points: [expect.objectContaining({ id: uuid(5) })], next_page_offset: null })
    expect(
      (await call('POST', '/collections/c/points/count', { filter: { must: [{ key: 'g', match: { value: 'string' } }] }, exact: true }))
        .body.result,
    ).toEqual({ count: 2 })
    await call('POST', '/collections/c/points/payload', { payload: { extra: 1 }, points: [1] })
    await call('PUT', '/collections/c/points/payload', { payload: { only: true }, points: [2] })
    const [one, two] = (await call('POST', '/collections/c/points', { ids: [1, 2], with_payload: true })).body.result
    expect(one.payload).toEqual({ g: 'number', extra: 1 })
    expect(two.payload).toEqual({ only: true })
    await call('POST', '/collections/c/points/delete?wait=true', { filter: { must: [{ key: 'g', match: { value: 'string' } }] } })
    await call('POST', '/collections/c/points/delete?wait=true', { points: [1] })
    expect((await call('POST', '/collections/c/points/count', {})).body.result).toEqual({ count: 2 })
  })

  it('answers malformed JSON with a 400 format error', async () => {
    await call('PUT', '/collections/c', { vectors: { size: 2, distance: 'Cosine' } })
    const response = await fetch(`${fake.url}/collections/c/points/scroll`, {
      method: 'POST',
      headers: { 'api-key': 'secret' },
      body: '{nope',
    })
    expect(response.status).toBe(400)
    expect(((await response.json()) as { status: { error: string } }).status.error).toMatch(/^Format error in JSON body/)
  })
})
