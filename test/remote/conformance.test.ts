import { afterAll, beforeAll } from 'vitest'
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
