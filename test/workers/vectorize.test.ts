import { describe, expect, inject, it } from 'vitest'
import { Memory } from '../../src/index.workerd.ts'
import { describeVectorStoreConformance } from '../conformance/vector-store.ts'
import { makeAdapter, uniqueCollection } from '../remote/support/fixtures.ts'
import { scriptControl } from '../servers/scripted-service.ts'
import { FakeAiBinding } from '../servers/services/workers-ai.ts'
import { FakeVectorizeIndex } from '../servers/vectorize.ts'
import '../../adapters/vectorize.ts'
// Workers AI's providers, as a Worker registers them (they are not among the light providers).
import '../../src/entries/providers.ts'

// The vectorize adapter inside workerd over the fake index binding (plain TypeScript, so it runs here as
// a binding object would), and a Memory built only from Cloudflare bindings: Vectorize + Workers AI.

const DIMENSIONS = 8
const INDEXES = { user_id: 'string', agent_id: 'string', run_id: 'string', _em_h: 'number' } as const
const NO_SERVERS = { upstash: { url: '', token: '' }, qdrant: { url: '', apiKey: '' }, pinecone: { url: '', apiKey: '' } }
const index = new FakeVectorizeIndex({ dimensions: DIMENSIONS, metadataIndexes: INDEXES, visibilityDelayMs: 3 })

describeVectorStoreConformance(
  'vectorize (workerd, index binding)',
  async () => {
    const collection = uniqueCollection('w')
    const urls = { ...NO_SERVERS, vectorize: { index } }
    return { store: makeAdapter('vectorize', urls, collection), reopen: async () => makeAdapter('vectorize', urls, collection) }
  },
  { dimensions: DIMENSIONS },
)

describeVectorStoreConformance(
  'vectorize (workerd, REST API)',
  async () => {
    const collection = uniqueCollection('wr')
    const urls = { ...NO_SERVERS, vectorize: inject('remoteServers').vectorize }
    return { store: makeAdapter('vectorize', urls, collection), reopen: async () => makeAdapter('vectorize', urls, collection) }
  },
  { dimensions: DIMENSIONS },
)

describe('a Memory of Cloudflare bindings only, in workerd', () => {
  it('`new Memory` with the workers-ai embedder and llm (AI binding) and the vectorize store (index binding)', async () => {
    const urls = inject('aiServices')
    const ai = new FakeAiBinding(urls['workers-ai'], { embedLocally: true })
    const llm = scriptControl(urls['workers-ai'])
    await llm.reset()
    await llm.enqueue({ text: JSON.stringify({ operations: [{ event: 'ADD', text: 'Keeps bees in Porto' }] }) })
    const memory = new Memory({
      embedder: { provider: 'workers-ai', config: { binding: ai } },
      llm: { provider: 'workers-ai', config: { binding: ai } },
      vectorStore: {
        provider: 'vectorize',
        config: {
          index: new FakeVectorizeIndex({ dimensions: 384, metadataIndexes: INDEXES, visibilityDelayMs: 20 }),
          visibilityPollMs: 5,
        },
      },
      collection: uniqueCollection('mem'),
    })
    try {
      await memory.add('I keep bees in Porto', { userId: 'alice' })
      const { results } = await memory.search('bees', { userId: 'alice' })
      expect(results.map((r) => r.memory)).toEqual(['Keeps bees in Porto'])
      await memory.delete(results[0]!.id)
      expect((await memory.getAll({ userId: 'alice' })).results).toEqual([])
    } finally {
      await memory.close()
    }
  })
})
