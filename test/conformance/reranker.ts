import { RemoteError, RerankError, ValidationError } from '../../src/errors.ts'
import { Memory, MemoryStorage } from '../../src/index.ts'
import type { Reranker } from '../../src/interfaces/reranker.ts'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '../harness.ts'
import { HashEmbedder } from '../support/hash-embedder.ts'
import type { ScriptControl, ScriptedReply } from '../servers/scripted-service.ts'

/**
 * The Reranker interface's conformance suite (rerank APIs against their fakes, the llm reranker against an
 * LLM fake), in Node and workerd; plus what Memory does with it: `search(q, { rerank: true })` re-orders
 * the search's own candidates and never returns a memory outside the scope and filters.
 */
export interface RerankerFixture {
  make(transport: { timeoutMs: number; maxRetries: number }): Reranker
  script: ScriptControl
  /** The fake's reply that makes the reranker return exactly these scores (each a multiple of 0.1 in [0, 1]). */
  scores(scores: number[]): ScriptedReply
  close?(): Promise<void>
}

const DOCS = ['Likes green tea', 'Has a dog named Rex', 'Lives in Lisbon']

export function describeRerankerConformance(name: string, setup: () => Promise<RerankerFixture>): void {
  describe(`Reranker conformance: ${name}`, () => {
    let fx: RerankerFixture
    const reranker = (timeoutMs = 5_000, maxRetries = 2) => fx.make({ timeoutMs, maxRetries })
    beforeAll(async () => {
      fx = await setup()
    })
    beforeEach(async () => {
      await fx.script.reset()
    })
    afterAll(async () => {
      await fx?.close?.()
    })

    it('returns one score per document, in input order, in one request', async () => {
      await fx.script.enqueue(fx.scores([0.1, 0.9, 0.5]))
      const scores = await reranker().rerank('what is the dog called?', DOCS)
      expect(scores.map((s) => Math.round(s * 10) / 10)).toEqual([0.1, 0.9, 0.5])
      const requests = await fx.script.requests()
      expect(requests).toHaveLength(1)
      const sent = JSON.stringify(requests[0]!.body)
      for (const doc of DOCS) expect(sent).toContain(doc)
      expect(sent).toContain('what is the dog called?')
    })

    it('scores no documents without a request', async () => {
      expect(await reranker().rerank('anything', [])).toEqual([])
      expect(await fx.script.requests()).toHaveLength(0)
    })

    it('an answer missing scores is a RerankError', async () => {
      await fx.script.enqueue(fx.scores([0.5]), fx.scores([0.5]))
      await expect(reranker(5_000, 0).rerank('q', DOCS)).rejects.toBeInstanceOf(RerankError)
    })

    it('honours Retry-After on 429 and never retries an auth failure', async () => {
      await fx.script.enqueue({ error: 429, message: 'slow down', retryAfter: '1' }, fx.scores([0.2, 0.3, 0.4]))
      const started = Date.now()
      expect(await reranker().rerank('q', DOCS)).toHaveLength(3)
      expect(Date.now() - started).toBeGreaterThanOrEqual(900)
      await fx.script.reset()
      await fx.script.enqueue({ error: 401, message: 'bad key' })
      const error = await reranker()
        .rerank('q', DOCS)
        .catch((e: unknown) => e)
      expect(error).toBeInstanceOf(RemoteError)
      expect(await fx.script.requests()).toHaveLength(1)
    })

    it('search with rerank: true re-orders the scope’s own candidates by the reranker’s scores', async () => {
      const inner = reranker()
      const seen: string[][] = []
      const recording: Reranker = {
        rerank: async (query, documents) => {
          seen.push(documents)
          return inner.rerank(query, documents)
        },
      }
      const memory = new Memory({
        embedder: new HashEmbedder({ dimensions: 32 }),
        vectorStore: { provider: 'flat' },
        storage: new MemoryStorage(),
        reranker: recording,
      })
      try {
        const mine = ['Likes tea with milk', 'Drinks green tea daily', 'Tea makes her sleepy', 'Bought a tea pot']
        await memory.add(
          mine.map((content) => ({ role: 'user' as const, content })),
          { userId: 'me', infer: false },
        )
        await memory.add([{ role: 'user', content: 'Sells tea for a living' }], { userId: 'other', infer: false })
        await fx.script.enqueue(fx.scores([0.2, 0.9, 0.4, 0.7]))
        const { results } = await memory.search('tea', { userId: 'me', topK: 3, rerank: true })
        expect(seen).toHaveLength(1)
        expect([...seen[0]!].sort()).toEqual([...mine].sort())
        expect(results).toHaveLength(3)
        expect(results.every((r) => mine.includes(r.memory))).toBe(true)
        const scores = results.map((r) => r.score ?? 0)
        expect(scores).toEqual([...scores].sort((a, b) => b - a))
        expect(Math.round(scores[0]! * 10) / 10).toBe(0.9)
        expect(results[0]!.memory).toBe(seen[0]![1])
      } finally {
        await memory.close()
      }
      const plain = new Memory({ embedder: new HashEmbedder(), vectorStore: { provider: 'flat' }, storage: new MemoryStorage() })
      await expect(plain.search('tea', { userId: 'me', rerank: true })).rejects.toBeInstanceOf(ValidationError)
      await plain.close()
    })
  })
}
