import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createVectorizeVectorStore } from '../../adapters/vectorize.ts'
import { compileVectorizeFilter } from '../../adapters/vectorize/filter.ts'
import { ConfigError, DimensionMismatchError, RemoteError, ValidationError } from '../../src/errors.ts'
import { and, eq, MATCH_ALL, type FilterNode } from '../../src/filters/ast.ts'
import { Memory } from '../../src/index.ts'
import type { Payload } from '../../src/interfaces/vector-store.ts'
import { cosine, describeVectorStoreConformance, randomVector, seeded } from '../conformance/vector-store.ts'
import { FakeVectorizeIndex, type FakeVectorizeMetric } from '../servers/vectorize.ts'
import { startVectorizeRestServer, type FakeVectorizeRest } from '../servers/vectorize-rest.ts'
import { makeAdapter, uniqueCollection, type ServerUrls } from './support/fixtures.ts'

const DIMENSIONS = 8
const INDEXES = { user_id: 'string', agent_id: 'string', run_id: 'string', _em_h: 'number' } as const
const NO_SERVERS: ServerUrls = { upstash: { url: '', token: '' }, qdrant: { url: '', apiKey: '' }, pinecone: { url: '', apiKey: '' } }

const newIndex = (options: { metric?: FakeVectorizeMetric; dimensions?: number; visibilityDelayMs?: number } = {}) =>
  new FakeVectorizeIndex({ dimensions: options.dimensions ?? DIMENSIONS, metadataIndexes: INDEXES, visibilityDelayMs: 3, ...options })

let rest: FakeVectorizeRest
beforeAll(async () => {
  rest = await startVectorizeRestServer({
    indexes: { conformance: { dimensions: DIMENSIONS, metadataIndexes: INDEXES, visibilityDelayMs: 3 } },
  })
})
afterAll(async () => {
  await rest?.close()
})

const binding = newIndex()
describeVectorStoreConformance(
  'vectorize (index binding)',
  async () => {
    const collection = uniqueCollection('v')
    const urls = { ...NO_SERVERS, vectorize: { index: binding } }
    return { store: makeAdapter('vectorize', urls, collection), reopen: async () => makeAdapter('vectorize', urls, collection) }
  },
  { dimensions: DIMENSIONS },
)

describeVectorStoreConformance(
  'vectorize (REST API)',
  async () => {
    const collection = uniqueCollection('r')
    const urls = {
      ...NO_SERVERS,
      vectorize: { apiBase: rest.apiBase, accountId: rest.accountId, apiToken: rest.apiToken, indexName: 'conformance' },
    }
    return { store: makeAdapter('vectorize', urls, collection), reopen: async () => makeAdapter('vectorize', urls, collection) }
  },
  { dimensions: DIMENSIONS },
)

const unit = (v: Float32Array) => {
  const n = Math.hypot(...v)
  return v.map((x) => x / n)
}

describe('vectorize: scores, limits and consistency', () => {
  for (const metric of ['cosine', 'euclidean', 'dot-product'] as const) {
    it(`${metric}: unit vectors score their cosine similarity, best first`, async () => {
      const index = newIndex({ metric, dimensions: 6 })
      const store = createVectorizeVectorStore({ index, metric, visibilityPollMs: 2 }, { collection: 'scores' })
      const random = seeded(11)
      const records = Array.from({ length: 15 }, (_, i) => ({ id: `u${i}`, vector: unit(randomVector(random, 6)), payload: { i } }))
      await store.init({ dimensions: 6 })
      await store.upsert(records)
      const query = unit(randomVector(random, 6))
      const results = await store.search({ vector: query, topK: 5, filter: MATCH_ALL, scope: {} })
      const expected = records.map((r) => ({ id: r.id, score: cosine(r.vector, query) })).sort((a, b) => b.score - a.score)
      expect(results.map((r) => r.id)).toEqual(expected.slice(0, 5).map((r) => r.id))
      for (const [i, r] of results.entries()) expect(r.score).toBeCloseTo(expected[i]!.score, 5)
    })
  }

  it('the REST client reads the metric from the index and refuses a config that disagrees', async () => {
    const config = { apiBase: rest.apiBase, accountId: rest.accountId, apiToken: rest.apiToken, indexName: 'conformance' }
    await expect(createVectorizeVectorStore({ ...config, metric: 'euclidean' }, { collection: 'm' }).init({})).rejects.toBeInstanceOf(
      ConfigError,
    )
    await expect(createVectorizeVectorStore({ ...config, apiToken: 'wrong' }, { collection: 'm' }).init({})).rejects.toBeInstanceOf(
      RemoteError,
    )
    await expect(createVectorizeVectorStore(config, { collection: 'm' }).init({ dimensions: 5 })).rejects.toBeInstanceOf(
      DimensionMismatchError,
    )
  })

  it('config: a binding or the REST triple; namespaces are at most 64 bytes', () => {
    expect(() => createVectorizeVectorStore({ accountId: 'abc' }, { collection: 'c' })).toThrow(ConfigError)
    expect(() => createVectorizeVectorStore({ index: {} }, { collection: 'c' })).toThrow(ConfigError)
    expect(() => createVectorizeVectorStore({ index: newIndex() }, { collection: 'é'.repeat(33) })).toThrow(ConfigError)
    expect(() => createVectorizeVectorStore({ index: newIndex(), namespace: 'x'.repeat(65) }, { collection: 'c' })).toThrow(ConfigError)
  })

  it('metadata over 10 KiB and lists in indexed fields are refused before anything is written', async () => {
    const index = newIndex()
    const store = createVectorizeVectorStore({ index, visibilityPollMs: 2 }, { collection: 'limits' })
    await store.init({ dimensions: DIMENSIONS })
    const vector = randomVector(seeded(1), DIMENSIONS)
    const ok = { id: 'ok', vector, payload: { user_id: 'u' } }
    await expect(store.upsert([ok, { id: 'big', vector, payload: { memory: 'x'.repeat(10 * 1024) } }])).rejects.toBeInstanceOf(
      ValidationError,
    )
    await expect(store.upsert([ok, { id: 'list', vector, payload: { user_id: ['a', 'b'] } }])).rejects.toBeInstanceOf(ValidationError)
    index.settle()
    expect(index.calls.filter((c) => c.method === 'upsert')).toEqual([])
    // Ids of any length are stored (the stored id is a 36-byte UUIDv5); Vectorize's own 64-byte limit holds.
    const longId = 'é'.repeat(100)
    await store.upsert([{ id: longId, vector, payload: {} }])
    expect((await store.get([longId]))[0]?.id).toBe(longId)
  })

  it("topK above Vectorize's 100 is answered exactly (by scanning), never refused", async () => {
    const index = newIndex()
    const store = createVectorizeVectorStore({ index, visibilityPollMs: 2 }, { collection: 'topk' })
    await store.init({ dimensions: DIMENSIONS })
    const random = seeded(5)
    const records = Array.from({ length: 230 }, (_, i) => ({
      id: `t${i}`,
      vector: randomVector(random, DIMENSIONS),
      payload: { user_id: i % 2 ? 'a' : 'b' },
    }))
    await store.upsert(records)
    const query = randomVector(random, DIMENSIONS)
    const results = await store.search({ vector: query, topK: 110, filter: eq('user_id', 'a'), scope: { user_id: 'a' } })
    const expected = records
      .filter((r) => r.payload.user_id === 'a')
      .map((r) => ({ id: r.id, score: cosine(r.vector, query) }))
      .sort((x, y) => y.score - x.score)
    expect(results.map((r) => r.id)).toEqual(expected.map((r) => r.id).slice(0, 110))
    // Every query respected the topK limits (the fake throws otherwise) and listing paged past 100.
    expect((await store.list({ filter: MATCH_ALL, scope: {}, limit: 500 })).records).toHaveLength(230)
  })

  it('writes become visible late; the adapter waits, so read-after-write holds (and without the wait it does not)', async () => {
    const index = newIndex({ visibilityDelayMs: 80 })
    const eager = createVectorizeVectorStore({ index, visibilityTimeoutMs: 0 }, { collection: 'eventual' })
    await eager.init({ dimensions: DIMENSIONS })
    const vector = randomVector(seeded(2), DIMENSIONS)
    await eager.upsert([{ id: 'a', vector, payload: { user_id: 'u' } }])
    expect(await eager.get(['a'])).toEqual([null])
    const waiting = createVectorizeVectorStore({ index, visibilityPollMs: 5 }, { collection: 'eventual' })
    const started = Date.now()
    await waiting.upsert([{ id: 'b', vector, payload: { user_id: 'u' } }])
    expect(Date.now() - started).toBeGreaterThanOrEqual(70)
    expect((await waiting.get(['b']))[0]?.payload).toEqual({ user_id: 'u' })
    await waiting.delete(['b'])
    expect(await waiting.get(['b'])).toEqual([null])
    const timeout = createVectorizeVectorStore({ index, visibilityPollMs: 5, visibilityTimeoutMs: 20 }, { collection: 'eventual' })
    await expect(timeout.upsert([{ id: 'c', vector, payload: {} }])).rejects.toThrow(/not visible after 20 ms/)
  })

  it('through the Memory API: add then get, search and getAll see the memory at once', async () => {
    const index = newIndex({ visibilityDelayMs: 30 })
    const embed = async (texts: string[]) =>
      texts.map((t) => Float32Array.from({ length: DIMENSIONS }, (_, i) => ((t.charCodeAt(i % t.length) * (i + 1)) % 17) / 17 + 0.01))
    const memory = new Memory({
      embedder: { dimensions: DIMENSIONS, embed },
      vectorStore: { provider: 'vectorize', config: { index, visibilityPollMs: 5 } },
      collection: uniqueCollection('mem'),
    })
    try {
      const added = await memory.add('likes green tea', { userId: 'alice', infer: false })
      const id = added.results[0]!.id
      expect((await memory.get(id))?.memory).toBe('likes green tea')
      expect((await memory.search('likes green tea', { userId: 'alice' })).results[0]?.memory).toBe('likes green tea')
      await memory.delete(id)
      expect((await memory.getAll({ userId: 'alice' })).results).toEqual([])
    } finally {
      await memory.close()
    }
  })

  it('compiles the top-level AND of indexed fields to Vectorize operators; the rest stays post-filtered', () => {
    const indexed = { user_id: 'string', rank: 'number', tag: 'string' } as const
    const node: FilterNode = and(
      eq('user_id', 'alice'),
      { op: 'gte', field: 'rank', value: 3 },
      { op: 'lt', field: 'rank', value: 9 },
      { op: 'in', field: 'tag', values: ['a', 'b'] },
      { op: 'ne', field: 'colour', value: 'red' },
    )
    expect(compileVectorizeFilter(node, indexed)).toEqual({
      native: { kind: 'expr', expr: { user_id: { $eq: 'alice' }, rank: { $gte: 3, $lt: 9 }, tag: { $in: ['a', 'b'] } } },
      exact: false,
    })
    expect(compileVectorizeFilter(and(eq('user_id', 'a'), { op: 'in', field: 'tag', values: [] }), indexed).native).toEqual({
      kind: 'false',
    })
    expect(compileVectorizeFilter({ op: 'not', child: { op: 'ne', field: 'user_id', value: 'x' } }, indexed)).toEqual({
      native: { kind: 'expr', expr: { user_id: { $eq: 'x' } } },
      exact: true,
    })
    // Strings Vectorize would truncate (over 64 bytes) and OR are not sent.
    expect(compileVectorizeFilter(eq('user_id', 'x'.repeat(65)), indexed).native).toEqual({ kind: 'true' })
    expect(compileVectorizeFilter({ op: 'or', children: [eq('user_id', 'a'), eq('user_id', 'b')] }, indexed).native).toEqual({
      kind: 'true',
    })
  })
})

describe('vectorize: native filters on indexed fields', () => {
  it('for scalar indexed fields, list and search equal the reference, and a filter reported exact is exact on the index', async () => {
    const { matchesFilter } = await import('../../src/filters/evaluate.ts')
    const index = new FakeVectorizeIndex({
      dimensions: 4,
      metadataIndexes: { ...INDEXES, n: 'number', s: 'string', b: 'boolean' },
      visibilityDelayMs: 1,
    })
    const indexedFields = { user_id: 'string', n: 'number', s: 'string', b: 'boolean' } as const
    const store = createVectorizeVectorStore({ index, indexedFields, visibilityPollMs: 1 }, { collection: 'native' })
    await store.init({ dimensions: 4 })
    const scalar = fc.oneof(fc.constantFrom(-1, 0, 1, 2.5, 9), fc.constantFrom('x', 'y', '', 'é'), fc.boolean())
    const value = fc.oneof(scalar, fc.constant(null))
    const payload = fc.record({ user_id: fc.constantFrom('u1', 'u2'), n: value, s: value, b: value }, { requiredKeys: ['user_id'] })
    const field = fc.constantFrom('user_id', 'n', 's', 'b', 'other')
    // Conditions whose operand has the field's index type (what the compiler sends), and any others.
    const typed = fc.oneof(
      fc.record({ op: fc.constantFrom('eq', 'gt', 'gte', 'lt', 'lte'), field: fc.constant('n'), value: fc.constantFrom(-1, 0, 1, 2.5, 9) }),
      fc.record({ op: fc.constant('eq'), field: fc.constant('s'), value: fc.constantFrom('x', 'y', '', 'é') }),
      fc.record({ op: fc.constant('eq'), field: fc.constant('b'), value: fc.boolean() }),
      fc.record({
        op: fc.constant('in'),
        field: fc.constant('user_id'),
        values: fc.array(fc.constantFrom('u1', 'u2', 'u3'), { maxLength: 2 }),
      }),
    )
    const leaf = fc.oneof(
      typed,
      typed,
      fc.record({ op: fc.constantFrom('eq', 'ne'), field, value: scalar }),
      fc.record({
        op: fc.constantFrom('gt', 'gte', 'lt', 'lte'),
        field,
        value: fc.oneof(fc.constantFrom(-1, 0, 2.5, 9), fc.constantFrom('x', 'y')),
      }),
      fc.record({ op: fc.constantFrom('in', 'nin'), field, values: fc.array(scalar, { maxLength: 3 }) }),
    ) as fc.Arbitrary<FilterNode>
    const filter = fc.oneof(
      leaf,
      fc.record({ op: fc.constant('and'), children: fc.array(leaf, { minLength: 1, maxLength: 3 }) }) as fc.Arbitrary<FilterNode>,
      fc.record({ op: fc.constant('not'), child: leaf }) as fc.Arbitrary<FilterNode>,
    )
    let exactCount = 0
    await fc.assert(
      fc.asyncProperty(
        fc.array(payload, { minLength: 1, maxLength: 10 }),
        filter,
        fc.integer({ min: 1, max: 1e6 }),
        async (payloads, node, seed) => {
          const random = seeded(seed)
          const records = payloads.map((p, i) => ({ id: `r${i}`, vector: randomVector(random, 4), payload: p as Payload }))
          await store.reset()
          await store.upsert(records)
          const expected = records.filter((r) => matchesFilter(node, r.payload)).map((r) => r.id)
          const listed = (await store.list({ filter: node, scope: {}, limit: 100 })).records.map((r) => r.id)
          expect(listed.sort()).toEqual([...expected].sort())
          const compiled = compileVectorizeFilter(node, indexedFields)
          if (compiled.exact && compiled.native.kind === 'expr') {
            exactCount++
            const native = await index.query([1, 0, 0, 0], {
              topK: 100,
              namespace: 'native',
              filter: compiled.native.expr as Record<string, unknown>,
              returnMetadata: 'indexed',
            })
            const byStoredId = new Map((await index.getByIds(native.matches.map((m) => m.id))).map((v) => [v.id, v.metadata?._em_id]))
            expect(native.matches.map((m) => byStoredId.get(m.id)).sort()).toEqual([...expected].sort())
          }
        },
      ),
      { numRuns: 60 },
    )
    expect(exactCount).toBeGreaterThan(5)
  }, 120_000)
})

describe('vectorize: one-time init', () => {
  it('concurrent inits share one describe(), a failed one is tried again, a successful one is kept', async () => {
    const index = newIndex()
    let fail = true
    let describes = 0
    const binding = {
      describe: async () => {
        describes++
        await new Promise((resolve) => setTimeout(resolve, 5))
        if (fail) throw new Error('VECTORIZE_ERROR (code = 40401): index not reachable')
        return index.describe()
      },
      query: index.query.bind(index),
      upsert: index.upsert.bind(index),
      getByIds: index.getByIds.bind(index),
      deleteByIds: index.deleteByIds.bind(index),
    }
    const store = createVectorizeVectorStore({ index: binding, visibilityPollMs: 2 }, { collection: 'init' })
    const failed = await Promise.allSettled(Array.from({ length: 5 }, () => store.init({ dimensions: DIMENSIONS })))
    expect(failed.map((r) => r.status)).toEqual(Array(5).fill('rejected'))
    expect((failed[0] as PromiseRejectedResult).reason).toBeInstanceOf(RemoteError)
    expect(describes).toBe(1)
    fail = false
    await Promise.all(Array.from({ length: 5 }, () => store.init({ dimensions: DIMENSIONS })))
    await store.init({ dimensions: DIMENSIONS })
    await store.list({ filter: MATCH_ALL, scope: {}, limit: 1 })
    expect(describes).toBe(2)
  })
})
