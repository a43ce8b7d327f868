import { DimensionMismatchError, ValidationError } from '../../src/errors.ts'
import { and, eq, type FilterNode } from '../../src/filters/ast.ts'
import { matchesFilter } from '../../src/filters/evaluate.ts'
import { parseFilter } from '../../src/filters/parse.ts'
import type { Payload, ScopeHint, StoredRecord, VectorRecord, VectorStore } from '../../src/interfaces/vector-store.ts'
import type { Filter } from '../../src/types.ts'
import { afterEach, describe, expect, it } from '../harness.ts'
import { cosine } from '../support/hash-embedder.ts'
import { seededRandom as seeded } from '../support/low-rank-vectors.ts'

export interface VectorStoreFixture {
  store: VectorStore
  /**
   * Opens the same persisted data again, as a new process would (local stores: a new store over the
   * same storage; remote stores: a new client). Omit when the store keeps nothing.
   */
  reopen?: () => Promise<VectorStore>
  cleanup?: () => Promise<void>
}

export interface VectorStoreConformanceOptions {
  /** Dimensions the suite uses; small keeps remote fakes fast. */
  dimensions?: number
}

/** Deterministic pseudo-random generator (mulberry32) so every run and runtime sees the same data. */
export { seededRandom as seeded } from '../support/low-rank-vectors.ts'
export { cosine } from '../support/hash-embedder.ts'
export function randomVector(random: () => number, dimensions: number): Float32Array {
  return Float32Array.from({ length: dimensions }, () => random() * 2 - 1)
}

const scoped = (scope: ScopeHint, filter?: Filter): FilterNode =>
  and(
    ...Object.entries(scope)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => eq(k, v as string)),
    filter ? parseFilter(filter) : undefined,
  )

function record(id: string, vector: Float32Array, payload: Payload): VectorRecord {
  return { id, vector, payload }
}

/** Records of two users (and an agent-only scope) with varied metadata, for scoping and filter tests. */
function corpus(dimensions: number): VectorRecord[] {
  const random = seeded(7)
  const colours = ['red', 'green', 'blue']
  const out: VectorRecord[] = []
  for (let i = 0; i < 30; i++) {
    const payload: Payload = {
      user_id: i % 3 === 2 ? 'bob' : 'alice',
      memory: `memory number ${i}`,
      created_at: 1_700_000_000_000 + i * 1000,
      rank: i,
      colour: colours[i % 3]!,
      even: i % 2 === 0,
    }
    if (i % 4 === 0) payload.tags = ['work', i % 8 === 0 ? 'urgent' : 'later']
    if (i % 5 === 0) payload.agent_id = 'planner'
    out.push(record(`rec-${String(i).padStart(2, '0')}`, randomVector(random, dimensions), payload))
  }
  out.push(record('agent-only', randomVector(random, dimensions), { agent_id: 'planner', memory: 'agent note', rank: 100 }))
  return out
}

function expectSameVectorDirection(actual: ArrayLike<number> | undefined, expected: ArrayLike<number>): void {
  expect(actual).toBeDefined()
  expect(actual!.length).toBe(expected.length)
  expect(cosine(actual!, expected)).toBeGreaterThan(0.9999)
}

async function listAll(store: VectorStore, filter: FilterNode, scope: ScopeHint, limit = 7): Promise<StoredRecord[]> {
  const out: StoredRecord[] = []
  let cursor: string | undefined
  for (let page = 0; page < 100; page++) {
    const result = await store.list({ filter, scope, limit, cursor })
    expect(result.records.length).toBeLessThanOrEqual(limit)
    out.push(...result.records)
    if (!result.nextCursor) return out
    cursor = result.nextCursor
  }
  throw new Error('list did not terminate within 100 pages')
}

/**
 * The behaviour every VectorStore (local or remote) must show. `make` returns a fresh, empty store
 * initialised for nothing yet; the suite calls `init` itself.
 */
export function describeVectorStoreConformance(
  name: string,
  make: () => Promise<VectorStoreFixture>,
  options: VectorStoreConformanceOptions = {},
): void {
  const dims = options.dimensions ?? 8

  describe(`VectorStore conformance: ${name}`, () => {
    let fixture: VectorStoreFixture | undefined
    const open = async (): Promise<VectorStore> => {
      fixture = await make()
      await fixture.store.init({ dimensions: dims })
      return fixture.store
    }
    afterEach(async () => {
      await fixture?.store.close?.()
      await fixture?.cleanup?.()
      fixture = undefined
    })

    it('reports its dimensions after init', async () => {
      const store = await open()
      expect(store.dimensions).toBe(dims)
      expect(typeof store.name).toBe('string')
    })

    it('upserts and gets records, in request order, null for missing ids', async () => {
      const store = await open()
      const data = corpus(dims)
      await store.upsert(data)
      const got = await store.get(['rec-03', 'nope', 'rec-00', 'agent-only'], { includeVectors: true })
      expect(got.map((r) => r?.id ?? null)).toEqual(['rec-03', null, 'rec-00', 'agent-only'])
      expect(got[0]!.payload).toEqual(data[3]!.payload)
      expect(got[2]!.payload).toEqual(data[0]!.payload)
      expectSameVectorDirection(got[0]!.vector, data[3]!.vector)
      const withoutVectors = await store.get(['rec-01'])
      expect(withoutVectors[0]!.vector).toBeUndefined()
    })

    it('returns copies: mutating a returned payload changes nothing stored', async () => {
      const store = await open()
      await store.upsert(corpus(dims).slice(0, 3))
      const [first] = await store.get(['rec-00'])
      first!.payload.memory = 'mutated'
      expect((await store.get(['rec-00']))[0]!.payload.memory).toBe('memory number 0')
    })

    it('searches within a scope only, highest cosine similarity first', async () => {
      const store = await open()
      const data = corpus(dims)
      await store.upsert(data)
      const query = randomVector(seeded(99), dims)
      const results = await store.search({ vector: query, topK: 5, filter: scoped({ user_id: 'alice' }), scope: { user_id: 'alice' } })
      const expected = data
        .filter((r) => r.payload.user_id === 'alice')
        .map((r) => ({ id: r.id, score: cosine(r.vector, query) }))
        .sort((a, b) => b.score - a.score)
        .slice(0, 5)
      expect(results.map((r) => r.id)).toEqual(expected.map((r) => r.id))
      results.forEach((r, i) => {
        expect(r.score).toBeCloseTo(expected[i]!.score, 4)
      })
      for (const r of results) expect(r.payload.user_id).toBe('alice')
      for (let i = 1; i < results.length; i++) expect(results[i - 1]!.score).toBeGreaterThanOrEqual(results[i]!.score)
    })

    it('finds records by agent scope across users, and agent-only records', async () => {
      const store = await open()
      const data = corpus(dims)
      await store.upsert(data)
      const results = await store.search({
        vector: randomVector(seeded(5), dims),
        topK: 50,
        filter: scoped({ agent_id: 'planner' }),
        scope: { agent_id: 'planner' },
      })
      const expected = data
        .filter((r) => r.payload.agent_id === 'planner')
        .map((r) => r.id)
        .sort()
      expect(results.map((r) => r.id).sort()).toEqual(expected)
      expect(expected).toContain('agent-only')
    })

    const filterCases: [string, Filter][] = [
      ['equality', { colour: 'red' }],
      ['several operators on one field', { rank: { gte: 4, lt: 20 } }],
      ['in', { colour: ['red', 'blue'] }],
      ['ne also matches records without the field', { tags: { ne: 'urgent' } }],
      ['nin', { colour: { nin: ['green'] } }],
      ['array contains', { tags: { contains: 'urgent' } }],
      ['eq on an array field matches an element', { tags: 'work' }],
      ['exists', { tags: '*' }],
      ['boolean', { even: true }],
      ['OR', { OR: [{ colour: 'green' }, { rank: { lt: 3 } }] }],
      ['NOT', { NOT: { colour: 'red' } }],
      ['AND on one field keeps both conditions', { AND: [{ rank: { gt: 2 } }, { rank: { lt: 9 } }] }],
      ['nested', { AND: [{ OR: [{ even: true }, { colour: 'blue' }] }, { NOT: { rank: { in: [0, 4, 8] } } }] }],
      ['string range', { memory: { gte: 'memory number 2' } }],
      ['matches nothing', { colour: 'purple' }],
    ]
    for (const [label, filter] of filterCases) {
      it(`filters exactly like the reference evaluator: ${label}`, async () => {
        const store = await open()
        const data = corpus(dims)
        await store.upsert(data)
        const node = scoped({ user_id: 'alice' }, filter)
        const matching = data.filter((r) => matchesFilter(node, r.payload))
        const query = randomVector(seeded(11), dims)
        const results = await store.search({ vector: query, topK: 4, filter: node, scope: { user_id: 'alice' } })
        const expected = matching
          .map((r) => ({ id: r.id, score: cosine(r.vector, query) }))
          .sort((a, b) => b.score - a.score)
          .slice(0, 4)
          .map((r) => r.id)
        expect(results.map((r) => r.id)).toEqual(expected)
        const listed = await listAll(store, node, { user_id: 'alice' }, 5)
        expect(listed.map((r) => r.id).sort()).toEqual(matching.map((r) => r.id).sort())
      })
    }

    it('replaces a record on upsert with the same id (update)', async () => {
      const store = await open()
      const data = corpus(dims)
      await store.upsert(data)
      const newVector = randomVector(seeded(123), dims)
      await store.upsert([record('rec-00', newVector, { user_id: 'alice', memory: 'changed', rank: 0 })])
      const [got] = await store.get(['rec-00'], { includeVectors: true })
      expect(got!.payload).toEqual({ user_id: 'alice', memory: 'changed', rank: 0 })
      expectSameVectorDirection(got!.vector, newVector)
      const results = await store.search({ vector: newVector, topK: 3, filter: scoped({ user_id: 'alice' }), scope: { user_id: 'alice' } })
      expect(results[0]!.id).toBe('rec-00')
      expect(results[0]!.score).toBeCloseTo(1, 4)
      expect(results.filter((r) => r.id === 'rec-00')).toHaveLength(1)
      const listed = await listAll(store, scoped({ user_id: 'alice' }), { user_id: 'alice' })
      expect(listed.filter((r) => r.id === 'rec-00')).toHaveLength(1)
    })

    it('deletes records; deleting missing ids is not an error', async () => {
      const store = await open()
      const data = corpus(dims)
      await store.upsert(data)
      await store.delete(['rec-00', 'rec-01', 'does-not-exist'])
      expect(await store.get(['rec-00', 'rec-01', 'rec-03'])).toEqual([null, null, expect.objectContaining({ id: 'rec-03' })])
      const results = await store.search({
        vector: data[0]!.vector,
        topK: 30,
        filter: scoped({ user_id: 'alice' }),
        scope: { user_id: 'alice' },
      })
      expect(results.map((r) => r.id)).not.toContain('rec-00')
      const listed = await listAll(store, scoped({ user_id: 'alice' }), { user_id: 'alice' })
      expect(listed.map((r) => r.id)).not.toContain('rec-01')
      expect(listed).toHaveLength(data.filter((r) => r.payload.user_id === 'alice').length - 2)
    })

    it('lists with pagination: every matching record exactly once, no cursor after the last page', async () => {
      const store = await open()
      const data = corpus(dims)
      await store.upsert(data)
      for (const limit of [1, 4, 7, 100]) {
        const listed = await listAll(store, scoped({ user_id: 'alice' }), { user_id: 'alice' }, limit)
        const ids = listed.map((r) => r.id)
        expect(new Set(ids).size).toBe(ids.length)
        expect(ids.sort()).toEqual(
          data
            .filter((r) => r.payload.user_id === 'alice')
            .map((r) => r.id)
            .sort(),
        )
      }
      const everything = await listAll(store, and(), {}, 6)
      expect(everything.map((r) => r.id).sort()).toEqual(data.map((r) => r.id).sort())
    })

    it('upserts a large batch in one call', async () => {
      const store = await open()
      const random = seeded(3)
      const many = Array.from({ length: 1200 }, (_, i) => record(`bulk-${i}`, randomVector(random, dims), { user_id: 'carol', rank: i }))
      await store.upsert(many)
      const listed = await listAll(store, scoped({ user_id: 'carol' }), { user_id: 'carol' }, 500)
      expect(listed).toHaveLength(1200)
      const results = await store.search({
        vector: many[777]!.vector,
        topK: 1,
        filter: scoped({ user_id: 'carol' }),
        scope: { user_id: 'carol' },
      })
      expect(results[0]!.id).toBe('bulk-777')
    })

    it('accepts ids with separators, spaces and non-ASCII characters', async () => {
      const store = await open()
      const random = seeded(4)
      const ids = ['a/b', 'with space', 'ünïcødé-ид', 'colon:and%percent']
      await store.upsert(ids.map((id) => record(id, randomVector(random, dims), { user_id: 'dave', memory: id })))
      const got = await store.get(ids)
      expect(got.map((r) => r?.payload.memory)).toEqual(ids)
      await store.delete(['a/b'])
      expect((await store.get(['a/b']))[0]).toBeNull()
    })

    it('pages through non-ASCII ids and scope ids with limit 1 (cursors are UTF-8 safe)', async () => {
      // Regression: the local stores built cursors with btoa(JSON), which throws InvalidCharacterError here.
      const store = await open()
      const random = seeded(5)
      const user = 'пользователь'
      await store.upsert(['ид-1', 'ид-2'].map((id) => record(id, randomVector(random, dims), { user_id: user, memory: id })))
      const first = await store.list({ filter: scoped({ user_id: user }), scope: { user_id: user }, limit: 1 })
      expect(first.records).toHaveLength(1)
      expect(typeof first.nextCursor).toBe('string')
      const second = await store.list({ filter: scoped({ user_id: user }), scope: { user_id: user }, limit: 1, cursor: first.nextCursor })
      expect(second.records).toHaveLength(1)
      expect([...first.records, ...second.records].map((r) => r.id).sort()).toEqual(['ид-1', 'ид-2'])
      if (second.nextCursor !== undefined) {
        const third = await store.list({ filter: scoped({ user_id: user }), scope: { user_id: user }, limit: 1, cursor: second.nextCursor })
        expect(third).toEqual({ records: [] })
      }
    })

    it('finds records by content hash within the filter (findByHashes when the store has it, else list)', async () => {
      const store = await open()
      const random = seeded(6)
      const hashed = [
        ['h-1', 'alice', 'aaa'],
        ['h-2', 'alice', 'bbb'],
        ['h-3', 'bob', 'aaa'],
        ['h-4', 'alice', 'ccc'],
      ].map(([id, user, hash]) => record(id!, randomVector(random, dims), { user_id: user!, hash: hash!, memory: id! }))
      await store.upsert(hashed)
      const filter = scoped({ user_id: 'alice' })
      const hashes = ['aaa', 'ccc', 'missing', 'aaa']
      const viaList = await listAll(store, and(filter, { op: 'in', field: 'hash', values: hashes }), { user_id: 'alice' }, 2)
      expect(viaList.map((r) => r.id).sort()).toEqual(['h-1', 'h-4'])
      if (store.findByHashes) {
        const found = await store.findByHashes({ hashes, filter, scope: { user_id: 'alice' } })
        expect(found.map((r) => r.id).sort()).toEqual(['h-1', 'h-4'])
        expect(found.find((r) => r.id === 'h-4')!.payload).toEqual(hashed[3]!.payload)
        expect(await store.findByHashes({ hashes: [], filter, scope: { user_id: 'alice' } })).toEqual([])
        await store.delete(['h-1'])
        expect((await store.findByHashes({ hashes, filter, scope: { user_id: 'alice' } })).map((r) => r.id)).toEqual(['h-4'])
      }
    })

    it('rejects a cursor it did not make with ValidationError', async () => {
      const store = await open()
      await store.upsert(corpus(dims).slice(0, 3))
      for (const cursor of ['not a cursor', 'bm90IGpzb24', 'WzEsMl0']) {
        await expect(store.list({ filter: scoped({ user_id: 'alice' }), scope: { user_id: 'alice' }, limit: 1, cursor })).rejects.toThrow(
          ValidationError,
        )
      }
    })

    it('resets: removes everything and stays usable', async () => {
      const store = await open()
      await store.upsert(corpus(dims))
      await store.reset()
      expect(await store.get(['rec-00'])).toEqual([null])
      expect(await listAll(store, and(), {})).toEqual([])
      await store.init({ dimensions: dims })
      await store.upsert([record('after', randomVector(seeded(1), dims), { user_id: 'alice' })])
      expect((await store.get(['after']))[0]!.id).toBe('after')
    })

    it('rejects vectors of the wrong dimensionality with DimensionMismatchError', async () => {
      const store = await open()
      await store.upsert(corpus(dims).slice(0, 2))
      const wrong = randomVector(seeded(2), dims + 1)
      const upsert = store.upsert([record('bad', wrong, { user_id: 'alice' })])
      await expect(upsert).rejects.toBeInstanceOf(DimensionMismatchError)
      await expect(upsert).rejects.toMatchObject({ code: 'DIMENSION_MISMATCH', expected: dims, actual: dims + 1 })
      await expect(
        store.search({ vector: wrong, topK: 1, filter: scoped({ user_id: 'alice' }), scope: { user_id: 'alice' } }),
      ).rejects.toBeInstanceOf(DimensionMismatchError)
      expect((await store.get(['bad']))[0]).toBeNull()
    })

    it('keeps everything across a reopen (persistence) with identical search results', async (ctx) => {
      const store = await open()
      if (!fixture?.reopen) {
        ctx.skip(`${name} keeps nothing between instances`)
        return
      }
      const data = corpus(dims)
      await store.upsert(data)
      await store.delete(['rec-04'])
      await store.upsert([record('rec-05', data[5]!.vector, { ...data[5]!.payload, memory: 'updated five' })])
      const query = randomVector(seeded(42), dims)
      const search = { vector: query, topK: 10, filter: scoped({ user_id: 'alice' }), scope: { user_id: 'alice' } }
      const before = await store.search(search)
      await store.close?.()
      const again = await fixture.reopen()
      fixture.store = again
      await again.init({ dimensions: dims })
      expect(again.dimensions).toBe(dims)
      expect((await again.get(['rec-04', 'rec-05'])).map((r) => r?.payload.memory ?? null)).toEqual([null, 'updated five'])
      const after = await again.search(search)
      expect(after.map((r) => r.id)).toEqual(before.map((r) => r.id))
      after.forEach((r, i) => {
        expect(r.score).toBeCloseTo(before[i]!.score, 5)
      })
      await expect(again.init({ dimensions: dims + 2 })).rejects.toBeInstanceOf(DimensionMismatchError)
    })
  })
}
