import { describe, expect, it } from 'vitest'
import { createPineconeVectorStore } from '../../adapters/pinecone.ts'
import { createQdrantVectorStore } from '../../adapters/qdrant.ts'
import { createUpstashVectorStore } from '../../adapters/upstash.ts'
import { MATCH_ALL } from '../../src/filters/ast.ts'
import type { VectorStore } from '../../src/interfaces/vector-store.ts'
import { cosine, randomVector, seeded } from '../conformance/vector-store.ts'
import { startPineconeServer } from '../servers/pinecone.ts'
import { startQdrantServer } from '../servers/qdrant.ts'
import { startUpstashServer } from '../servers/upstash.ts'

// Whatever the index metric, unit vectors get their cosine similarity as score, best first.

const DIMS = 6
const unit = (v: Float32Array) => {
  const n = Math.hypot(...v)
  return v.map((x) => x / n)
}

async function expectCosineScores(store: VectorStore): Promise<void> {
  const random = seeded(21)
  const records = Array.from({ length: 15 }, (_, i) => ({ id: `u${i}`, vector: unit(randomVector(random, DIMS)), payload: { i } }))
  await store.init({ dimensions: DIMS })
  await store.upsert(records)
  const query = unit(randomVector(random, DIMS))
  const results = await store.search({ vector: query, topK: 15, filter: MATCH_ALL, scope: {} })
  const expected = records.map((r) => ({ id: r.id, score: cosine(r.vector, query) })).sort((a, b) => b.score - a.score)
  expect(results.map((r) => r.id)).toEqual(expected.map((r) => r.id))
  results.forEach((r, i) => {
    expect(r.score).toBeCloseTo(expected[i]!.score, 5)
  })
}

describe('scores are cosine for unit vectors under every metric', () => {
  for (const similarity of ['COSINE', 'EUCLIDEAN', 'DOT_PRODUCT'] as const) {
    it(`upstash ${similarity}`, async () => {
      const fake = await startUpstashServer({ dimension: DIMS, similarity })
      try {
        await expectCosineScores(createUpstashVectorStore({ url: fake.url, token: fake.token }, { collection: 'm' }))
      } finally {
        await fake.close()
      }
    })
  }
  for (const distance of ['Cosine', 'Euclid', 'Dot'] as const) {
    it(`qdrant ${distance}`, async () => {
      const fake = await startQdrantServer()
      try {
        await expectCosineScores(createQdrantVectorStore({ url: fake.url, distance }, { collection: 'm' }))
      } finally {
        await fake.close()
      }
    })
  }
  for (const metric of ['cosine', 'euclidean', 'dotproduct'] as const) {
    it(`pinecone ${metric}`, async () => {
      const fake = await startPineconeServer({ dimension: DIMS, metric })
      try {
        await expectCosineScores(createPineconeVectorStore({ host: fake.url, apiKey: fake.apiKey }, { collection: 'm' }))
      } finally {
        await fake.close()
      }
    })
  }
})

describe('Upstash filtering budget', () => {
  it('returns fewer results, never wrong ones, when Upstash stops filtering early', async () => {
    const fake = await startUpstashServer({ dimension: DIMS, filterBudget: 5 })
    try {
      const store = createUpstashVectorStore({ url: fake.url, token: fake.token }, { collection: 'b' })
      const random = seeded(3)
      await store.upsert(
        Array.from({ length: 40 }, (_, i) => ({
          id: `b${i}`,
          vector: randomVector(random, DIMS),
          payload: { user_id: i % 10 === 0 ? 'rare' : 'common' },
        })),
      )
      const results = await store.search({
        vector: randomVector(random, DIMS),
        topK: 4,
        filter: { op: 'eq', field: 'user_id', value: 'rare' },
        scope: { user_id: 'rare' },
      })
      expect(results.length).toBeLessThanOrEqual(4)
      for (const r of results) expect(r.payload.user_id).toBe('rare')
    } finally {
      await fake.close()
    }
  })
})
