import { describe, expect, it } from 'vitest'
import { createVectorizeVectorStore } from '../../adapters/vectorize.ts'
import { eq, MATCH_ALL } from '../../src/filters/ast.ts'
import { createWorkersAIEmbedder, createWorkersAILLM } from '../../src/providers/workers-ai/workers-ai.ts'
import { randomVector, seeded } from '../conformance/vector-store.ts'
import { uniqueCollection } from './support/fixtures.ts'

/**
 * Against Cloudflare itself, through the REST API, when an account is given (skipped otherwise):
 *   CLOUDFLARE_ACCOUNT_ID, CLOUDFLARE_API_TOKEN   — Workers AI (token with Workers AI read rights)
 *   VECTORIZE_INDEX                               — also: a Vectorize index (any dimensions, cosine) with the
 *     metadata indexes of docs/adapters/vectorize.md (user_id string, _em_h number); token with Vectorize edit
 * Each run writes to a fresh namespace and deletes what it wrote.
 */
const env = process.env
const account =
  env.CLOUDFLARE_ACCOUNT_ID && env.CLOUDFLARE_API_TOKEN
    ? { accountId: env.CLOUDFLARE_ACCOUNT_ID, apiToken: env.CLOUDFLARE_API_TOKEN }
    : undefined

describe('live Workers AI', () => {
  it.skipIf(!account)(
    'embeds with bge-small (384 dimensions) and answers JSON with the default model',
    async () => {
      const vectors = await createWorkersAIEmbedder({ ...account! }).embed(['green tea', 'black coffee'])
      expect(vectors.map((v) => v.length)).toEqual([384, 384])
      const answer = await createWorkersAILLM({ ...account!, maxTokens: 200 }).complete({
        messages: [
          { role: 'system', content: 'Answer in JSON: {"city": string}.' },
          { role: 'user', content: 'I live in Lisbon.' },
        ],
        json: true,
        temperature: 0,
      })
      expect(JSON.parse(answer)).toHaveProperty('city')
    },
    120_000,
  )
})

describe('live Vectorize', () => {
  it.skipIf(!account || !env.VECTORIZE_INDEX)(
    'writes (visible on return), searches with a scope filter, lists and deletes',
    async () => {
      const store = createVectorizeVectorStore({ ...account!, indexName: env.VECTORIZE_INDEX! }, { collection: uniqueCollection('live') })
      await store.init({})
      const dims = store.dimensions!
      const random = seeded(3)
      const records = Array.from({ length: 12 }, (_, i) => ({
        id: `live-${i}`,
        vector: randomVector(random, dims),
        payload: { user_id: i % 2 ? 'a' : 'b', i },
      }))
      const started = Date.now()
      await store.upsert(records)
      const visibleAfterMs = Date.now() - started
      try {
        expect((await store.get(['live-3']))[0]?.payload).toEqual({ user_id: 'a', i: 3 })
        const found = await store.search({ vector: records[3]!.vector, topK: 3, filter: eq('user_id', 'a'), scope: { user_id: 'a' } })
        expect(found[0]?.id).toBe('live-3')
        expect(found[0]!.score).toBeCloseTo(1, 3)
        expect(found.every((r) => r.payload.user_id === 'a')).toBe(true)
        expect((await store.list({ filter: MATCH_ALL, scope: {}, limit: 100 })).records).toHaveLength(12)
        console.log(`live Vectorize: 12 vectors visible ${visibleAfterMs} ms after the upsert was sent`)
      } finally {
        await store.reset()
      }
      expect((await store.list({ filter: MATCH_ALL, scope: {}, limit: 100 })).records).toEqual([])
    },
    300_000,
  )
})
