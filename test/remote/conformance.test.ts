import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { describeVectorStoreConformance } from '../conformance/vector-store.ts'
import { startPineconeServer, type FakePinecone } from '../servers/pinecone.ts'
import { startQdrantServer, type FakeQdrant } from '../servers/qdrant.ts'
import { startUpstashServer, type FakeUpstash } from '../servers/upstash.ts'
import { makeAdapter, uniqueCollection, type AdapterName, type ServerUrls } from './support/fixtures.ts'

// The shared vector-store conformance suite, run by every remote adapter against its fake server.

const DIMENSIONS = 8
let upstash: FakeUpstash
let qdrant: FakeQdrant
let pinecone: FakePinecone
const urls = (): ServerUrls => ({
  upstash: { url: upstash.url, token: upstash.token },
  qdrant: { url: qdrant.url, apiKey: 'conformance-key' },
  pinecone: { url: pinecone.url, apiKey: pinecone.apiKey },
})

beforeAll(async () => {
  upstash = await startUpstashServer({ dimension: DIMENSIONS })
  qdrant = await startQdrantServer({ apiKey: 'conformance-key' })
  pinecone = await startPineconeServer({ dimension: DIMENSIONS })
})
afterAll(async () => {
  await upstash?.close()
  await qdrant?.close()
  await pinecone?.close()
})

for (const name of ['upstash', 'qdrant', 'pinecone'] as AdapterName[]) {
  describeVectorStoreConformance(
    name,
    async () => {
      const collection = uniqueCollection('c')
      return {
        store: makeAdapter(name, urls(), collection),
        reopen: async () => makeAdapter(name, urls(), collection),
      }
    },
    { dimensions: DIMENSIONS },
  )
}

describe('adapters: one-time init', () => {
  const server = (name: Exclude<AdapterName, 'pgvector'>) => ({ upstash, qdrant, pinecone })[name].server
  /** The request that reads the index or collection on init. */
  const isDescribe = (path: string) => path === '/info' || path === '/describe_index_stats' || path.endsWith('/exists')

  for (const name of ['upstash', 'qdrant', 'pinecone'] as const) {
    it(`${name}: concurrent inits share one request, a failed one is tried again, a successful one is kept`, async () => {
      const fake = server(name)
      const store = makeAdapter(name, urls(), uniqueCollection('i'))
      const start = fake.requests.length
      fake.injectFault({ kind: 'status', status: 400, body: { error: 'no' } })
      const failed = await Promise.allSettled(Array.from({ length: 5 }, () => store.init({ dimensions: DIMENSIONS })))
      expect(failed.map((r) => r.status)).toEqual(Array(5).fill('rejected'))
      expect(fake.requests.length - start).toBe(1)

      await Promise.all(Array.from({ length: 5 }, () => store.init({ dimensions: DIMENSIONS })))
      expect(fake.requests.slice(start + 1).filter((r) => isDescribe(r.path))).toHaveLength(1)
      const settled = fake.requests.length
      await store.init({ dimensions: DIMENSIONS })
      await store.list({ filter: { op: 'and', children: [] }, scope: {}, limit: 1 })
      expect(fake.requests.slice(settled).filter((r) => isDescribe(r.path))).toEqual([])
    })
  }
})
