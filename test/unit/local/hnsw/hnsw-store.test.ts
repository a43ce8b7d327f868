import { describe, expect, it } from '../../../harness.ts'
import { and, eq } from '../../../../src/filters/ast.ts'
import { resolveMemoryConfig } from '../../../../src/config.ts'
import { ConfigError } from '../../../../src/errors.ts'
import { Memory, MemoryStorage } from '../../../../src/index.ts'
import { createHnswIndexFactory } from '../../../../src/local/hnsw/factory.ts'
import { LocalVectorStore } from '../../../../src/local/local-vector-store.ts'
import { describeVectorStoreConformance, randomVector, seeded } from '../../../conformance/vector-store.ts'
import { HashEmbedder } from '../../../support/hash-embedder.ts'
import { lowRankVectors } from '../../../support/low-rank-vectors.ts'
import { runtime } from '../../../support/runtime.ts'

// Every search goes through the HNSW graph (no exact fallback), so the suite checks the ANN path itself.
describeVectorStoreConformance('hnsw, graph search forced', async () => {
  const storage = new MemoryStorage()
  const open = async () =>
    new LocalVectorStore({
      name: 'hnsw',
      storage,
      collection: 'conformance',
      ann: createHnswIndexFactory(),
      plan: { exactBelow: 0, graphFrom: 1, exactCandidateLimit: 0, exactFraction: 0 },
    })
  return { store: await open(), reopen: open }
})

// Every search goes through the sign-bit first pass (few rows rescored), so the suite checks that path.
describeVectorStoreConformance('hnsw, binary first pass forced', async () => {
  const storage = new MemoryStorage()
  const open = async () =>
    new LocalVectorStore({
      name: 'hnsw',
      storage,
      collection: 'conformance',
      plan: { exactBelow: 0, rescore: 8, exactCandidateLimit: 0, exactFraction: 0 },
    })
  return { store: await open(), reopen: open }
})

describe('hnsw store', () => {
  it('is the default vector store (and transformers the default embedder outside workerd; indexeddb storage in browsers, memory elsewhere)', () => {
    const name = (choice: { kind: string; provider?: { name: string } }) =>
      choice.kind === 'provider' ? choice.provider!.name : 'instance'
    if (runtime === 'workerd') {
      // The default embedder cannot run in workerd and is refused at config time; the rest still defaults.
      expect(() => resolveMemoryConfig({})).toThrow(ConfigError)
      const defaults = resolveMemoryConfig({ embedder: new HashEmbedder() })
      expect([name(defaults.vectorStore), name(defaults.storage)]).toEqual(['hnsw', 'memory'])
      return
    }
    const defaults = resolveMemoryConfig({})
    expect([name(defaults.vectorStore), name(defaults.embedder), name(defaults.storage)]).toEqual([
      'hnsw',
      'transformers',
      runtime === 'chromium' ? 'indexeddb' : 'memory',
    ])
  })

  it('by default searches past exactBelow with the sign-bit pass and builds no graph', async () => {
    const storage = new MemoryStorage()
    const config = { embedder: new HashEmbedder(), storage, vectorStore: { provider: 'hnsw' as const, config: { exactBelow: 1000 } } }
    const memory = new Memory(config)
    const texts = Array.from({ length: 1500 }, (_, i) => `note ${i} about ${['tea', 'hiking', 'chess', 'jazz'][i % 4]} and topic ${i % 37}`)
    for (let i = 0; i < texts.length; i += 300)
      await memory.add(
        texts.slice(i, i + 300).map((content) => ({ role: 'user', content })),
        { userId: 'u' },
      )
    const { results } = await memory.search('note 1234 about chess and topic 13', { userId: 'u', topK: 3 })
    expect(results[0]!.memory).toBe(texts[1234])
    await memory.close()
    expect(await storage.list('memories/vs/p/u.u/ann/')).toEqual([])
  })

  it('builds a graph for partitions past graphFrom and persists it next to the records', async () => {
    const storage = new MemoryStorage()
    const config = {
      embedder: new HashEmbedder(),
      storage,
      vectorStore: { provider: 'hnsw' as const, config: { exactBelow: 1000, graphFrom: 1000 } },
    }
    const memory = new Memory(config)
    const texts = Array.from({ length: 1500 }, (_, i) => `note ${i} about ${['tea', 'hiking', 'chess', 'jazz'][i % 4]} and topic ${i % 37}`)
    for (let i = 0; i < texts.length; i += 300)
      await memory.add(
        texts.slice(i, i + 300).map((content) => ({ role: 'user', content })),
        { userId: 'u' },
      )
    const { results } = await memory.search('note 1234 about chess and topic 13', { userId: 'u', topK: 3 })
    expect(results[0]!.memory).toBe(texts[1234])
    await memory.close()
    expect((await storage.list('memories/vs/p/u.u/ann/')).length).toBeGreaterThan(0)
    const again = new Memory(config)
    expect((await again.search('note 1234 about chess and topic 13', { userId: 'u', topK: 3 })).results.map((r) => r.id)).toEqual(
      results.map((r) => r.id),
    )
    await again.close()
  })

  it('finds the exact top-k through the graph on a larger partition, filtered or not', async () => {
    const store = new LocalVectorStore({
      name: 'hnsw',
      storage: new MemoryStorage(),
      collection: 'big',
      ann: createHnswIndexFactory(),
      plan: { exactBelow: 0, graphFrom: 1, exactCandidateLimit: 0, exactFraction: 0 },
    })
    await store.init({ dimensions: 32 })
    const random = seeded(9)
    const records = Array.from({ length: 3000 }, (_, i) => ({
      id: `r${i}`,
      vector: randomVector(random, 32),
      payload: { user_id: 'u', half: i % 2 === 0 },
    }))
    await store.upsert(records)
    let recallHits = 0
    for (let q = 0; q < 20; q++) {
      const query = randomVector(random, 32)
      const filter = and(eq('user_id', 'u'), q % 2 ? eq('half', true) : undefined)
      const exact = records
        .filter((r) => q % 2 === 0 || r.payload.half)
        .map((r) => ({ id: r.id, s: r.vector.reduce((a, v, i) => a + v * query[i]!, 0) / Math.hypot(...r.vector) }))
        .sort((a, b) => b.s - a.s)
        .slice(0, 10)
        .map((r) => r.id)
      const found = (await store.search({ vector: query, topK: 10, filter, scope: { user_id: 'u' } })).map((r) => r.id)
      recallHits += found.filter((id) => exact.includes(id)).length
    }
    expect(recallHits / 200).toBeGreaterThanOrEqual(0.95)
  })
})

describe('search plan', () => {
  const records = (count: number) => {
    const vectors = lowRankVectors({ count: count + 20, dimensions: 64, seed: 5 })
    return {
      queries: vectors.slice(count),
      records: vectors
        .slice(0, count)
        .map((vector, i) => ({ id: `r${i}`, vector, payload: { user_id: 'u', odd: i % 2 === 1, tiny: i < 50 } })),
    }
  }

  it('picks exact below exactBelow and under selective filters, the sign-bit pass otherwise', async () => {
    const { records: rows } = records(600)
    const store = new LocalVectorStore({
      name: 'hnsw',
      storage: new MemoryStorage(),
      collection: 'plan',
      plan: { exactBelow: 500, exactCandidateLimit: 100 },
    })
    await store.init({ dimensions: 64 })
    await store.upsert(rows.slice(0, 499))
    type Cache = { entries(): IterableIterator<[string, { partition: Parameters<typeof store.plan.method>[0] }]> }
    const partition = () => (store as unknown as { cache: Cache }).cache.entries().next().value![1].partition
    const payload = (slot: number) => partition().payloadAt(slot)!
    expect(store.plan.method(partition(), () => true)).toBe('exact')
    await store.upsert(rows.slice(499))
    expect(store.plan.method(partition(), () => true)).toBe('binary')
    expect(store.plan.method(partition(), (slot) => payload(slot).odd === true)).toBe('binary')
    expect(store.plan.method(partition(), (slot) => payload(slot).tiny === true)).toBe('exact')
    expect(new LocalVectorStore({ name: 'flat', storage: new MemoryStorage(), collection: 'f' }).plan.options.exactBelow).toBe(
      Number.POSITIVE_INFINITY,
    )
  })

  it('the sign-bit pass returns exact float32 scores and finds the true top 10 on clustered vectors', async () => {
    const { records: rows, queries } = records(3000)
    const exact = new LocalVectorStore({ name: 'flat', storage: new MemoryStorage(), collection: 'exact' })
    const binary = new LocalVectorStore({
      name: 'hnsw',
      storage: new MemoryStorage(),
      collection: 'bits',
      plan: { exactBelow: 0, rescore: 300 },
    })
    for (const store of [exact, binary]) {
      await store.init({ dimensions: 64 })
      await store.upsert(rows)
    }
    let found = 0
    for (const [q, vector] of queries.entries()) {
      const filter = and(eq('user_id', 'u'), q % 2 ? eq('odd', true) : undefined)
      const query = { vector, topK: 10, filter, scope: { user_id: 'u' } }
      const truth = await exact.search(query)
      const got = await binary.search(query)
      expect(got).toHaveLength(10)
      const truthScores = new Map(truth.map((h) => [h.id, h.score]))
      for (const hit of got) {
        if (truthScores.has(hit.id)) {
          found++
          expect(hit.score).toBe(truthScores.get(hit.id))
        }
      }
    }
    expect(found / (10 * queries.length)).toBeGreaterThanOrEqual(0.95)
  })
})
