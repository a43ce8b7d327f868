import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { describeVectorStoreConformance } from '../conformance/vector-store.ts'
import { startAzureSearchServer, type FakeAzureSearch } from '../servers/azure-ai-search.ts'
import { startNeptuneServer, type FakeNeptune } from '../servers/neptune-analytics.ts'
import { startPineconeServer, type FakePinecone } from '../servers/pinecone.ts'
import { startQdrantServer, type FakeQdrant } from '../servers/qdrant.ts'
import { startS3VectorsServer, type FakeS3Vectors } from '../servers/s3-vectors.ts'
import { startUpstashServer, type FakeUpstash } from '../servers/upstash.ts'
import { startChromaServer, type FakeChroma } from '../servers/chroma.ts'
import { startSearchEngineServer, type FakeSearchEngine } from '../servers/search-engine.ts'
import { startWeaviateServer, type FakeWeaviate } from '../servers/weaviate.ts'
import { startMilvusServer, type FakeMilvus } from '../servers/milvus.ts'
import { makeAdapter, uniqueCollection, type AdapterName, type ServerUrls } from './support/fixtures.ts'

// The shared vector-store conformance suite, run by every remote adapter against its fake server.

const DIMENSIONS = 8
let upstash: FakeUpstash
let qdrant: FakeQdrant
let pinecone: FakePinecone
let azure: FakeAzureSearch
let s3: FakeS3Vectors
let neptune: FakeNeptune
const AWS = {
  region: 'us-east-1',
  accessKeyId: 'AKIDEXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
  sessionToken: 'session-token',
}
let chroma: FakeChroma
let elasticsearch: FakeSearchEngine
let opensearch: FakeSearchEngine
let weaviate: FakeWeaviate
let milvus: FakeMilvus
const urls = (): ServerUrls => ({
  upstash: { url: upstash.url, token: upstash.token },
  qdrant: { url: qdrant.url, apiKey: 'conformance-key' },
  pinecone: { url: pinecone.url, apiKey: pinecone.apiKey },
  azure_ai_search: { url: azure.url, apiKey: azure.apiKey },
  s3_vectors: { url: s3.url, ...AWS },
  neptune: { url: neptune.url, graphId: 'g-0123456789', ...AWS },
  chroma: { url: chroma.url, token: 'chroma-token' },
  elasticsearch: { url: elasticsearch.url, apiKey: 'es-key' },
  opensearch: { url: opensearch.url },
  weaviate: { url: weaviate.url, apiKey: 'weaviate-key' },
  milvus: { url: milvus.url, token: 'root:Milvus' },
})

beforeAll(async () => {
  upstash = await startUpstashServer({ dimension: DIMENSIONS })
  qdrant = await startQdrantServer({ apiKey: 'conformance-key' })
  pinecone = await startPineconeServer({ dimension: DIMENSIONS })
  azure = await startAzureSearchServer()
  s3 = await startS3VectorsServer({ credentials: { ...AWS, service: 's3vectors' } })
  neptune = await startNeptuneServer({ credentials: { ...AWS, service: 'neptune-graph' }, graphId: 'g-0123456789', dimension: DIMENSIONS })
  chroma = await startChromaServer({ token: 'chroma-token' })
  elasticsearch = await startSearchEngineServer({ engine: 'elasticsearch', apiKey: 'es-key' })
  opensearch = await startSearchEngineServer({ engine: 'opensearch' })
  weaviate = await startWeaviateServer({ apiKey: 'weaviate-key' })
  milvus = await startMilvusServer({ token: 'root:Milvus' })
})
afterAll(async () => {
  await upstash?.close()
  await qdrant?.close()
  await pinecone?.close()
  await azure?.close()
  await s3?.close()
  await neptune?.close()
  await chroma?.close()
  await elasticsearch?.close()
  await opensearch?.close()
  await weaviate?.close()
  await milvus?.close()
})

for (const name of [
  'upstash',
  'qdrant',
  'pinecone',
  'azure_ai_search',
  's3_vectors',
  'neptune',
  'chroma',
  'elasticsearch',
  'opensearch',
  'weaviate',
  'milvus',
] as AdapterName[]) {
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
  const server = (name: Exclude<AdapterName, 'pgvector' | 'vectorize'>) =>
    ({ upstash, qdrant, pinecone, azure_ai_search: azure, s3_vectors: s3, neptune, chroma, elasticsearch, opensearch, weaviate, milvus })[
      name
    ].server
  /** The request that reads the index or collection on init. */
  const isDescribe = (path: string) =>
    path === '/info' ||
    path === '/describe_index_stats' ||
    path.endsWith('/exists') ||
    /^\/indexes\/[^/]+$/.test(path) ||
    path === '/GetIndex' ||
    path.startsWith('/graphs/') ||
    /^\/api\/v2\/.*\/collections\/conformance$/.test(path) ||
    path === '/conformance/_mapping' ||
    path === '/v1/schema/Conformance' ||
    path === '/v2/vectordb/collections/describe'

  for (const name of [
    'upstash',
    'qdrant',
    'pinecone',
    'azure_ai_search',
    's3_vectors',
    'neptune',
    'chroma',
    'elasticsearch',
    'opensearch',
    'weaviate',
    'milvus',
  ] as const) {
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
