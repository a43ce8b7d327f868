import { afterAll, describe, expect, it } from 'vitest'
import '../../../../src/providers/transformers/index.ts'
import { Memory, MemoryStorage } from '../../../../src/index.ts'
import { TransformersReranker } from '../../../../src/providers/transformers/reranker.ts'
import { HashEmbedder } from '../../../support/hash-embedder.ts'
import { CROSS_ENCODER_MODEL, modelsDir } from '../../../support/models.ts'

// The on-device cross-encoder reranker with the stand-in model built by scripts/models (no download).

const config = { model: CROSS_ENCODER_MODEL, localModelPath: modelsDir(), allowRemoteModels: false, batchSize: 2 }
const reranker = new TransformersReranker(config)
afterAll(() => reranker.close())

describe('transformers reranker (cross-encoder stand-in)', () => {
  it('scores (query, document) pairs in input order, across batches', async () => {
    const docs = ['My dog is sick', 'I love green tea', 'My car needs new tires']
    const scores = await reranker.rerank('automobile repair', docs)
    expect(scores).toHaveLength(3)
    expect(scores.indexOf(Math.max(...scores))).toBe(2)
    expect(await reranker.rerank('automobile repair', [])).toEqual([])
  })

  it('re-orders a search of the scope through { provider: "transformers" } and rerank: true', async () => {
    const memory = new Memory({
      embedder: new HashEmbedder({ dimensions: 64 }),
      vectorStore: { provider: 'flat' },
      storage: new MemoryStorage(),
      reranker: { provider: 'transformers', config },
    })
    try {
      // The hash embedder sees no shared words between "puppy" and these; the cross-encoder's WordNet does.
      const texts = ['The weather was puppy-free today', 'My dog is sick', 'Bought a new car', 'Tea with milk']
      await memory.add(
        texts.map((content) => ({ role: 'user' as const, content })),
        { userId: 'u', infer: false },
      )
      const { results } = await memory.search('canine illness', { userId: 'u', topK: 2, rerank: true })
      expect(results[0]!.memory).toBe('My dog is sick')
    } finally {
      await memory.close()
    }
  })
})
