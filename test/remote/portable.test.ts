import { afterAll, beforeAll } from 'vitest'
import { Memory, MemoryStorage } from '../../src/index.ts'
import { describePortableRoundTrip, PORTABLE_DIMENSIONS, portableEmbedder } from '../conformance/portable.ts'
import { startAzureSearchServer, type FakeAzureSearch } from '../servers/azure-ai-search.ts'
import { startChromaServer, type FakeChroma } from '../servers/chroma.ts'
import { startNeptuneServer, type FakeNeptune } from '../servers/neptune-analytics.ts'
import { startPgliteServer, type PgliteServer } from '../servers/pglite.ts'
import { startPineconeServer, type FakePinecone } from '../servers/pinecone.ts'
import { startQdrantServer, type FakeQdrant } from '../servers/qdrant.ts'
import { startS3VectorsServer, type FakeS3Vectors } from '../servers/s3-vectors.ts'
import { startSearchEngineServer, type FakeSearchEngine } from '../servers/search-engine.ts'
import { startUpstashServer, type FakeUpstash } from '../servers/upstash.ts'
import { makeAdapter, uniqueCollection, type AdapterName, type ServerUrls } from './support/fixtures.ts'

// The portable round trip (export → import → export, then a second import) into every remote store,
// over its fake server, and into pgvector on PGlite.

const AWS = {
  region: 'us-east-1',
  accessKeyId: 'AKIDEXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
  sessionToken: 'session-token',
}
let upstash: FakeUpstash
let qdrant: FakeQdrant
let pinecone: FakePinecone
let azure: FakeAzureSearch
let s3: FakeS3Vectors
let neptune: FakeNeptune
let chroma: FakeChroma
let elasticsearch: FakeSearchEngine
let opensearch: FakeSearchEngine
let pg: PgliteServer
const urls = (): ServerUrls => ({
  upstash: { url: upstash.url, token: upstash.token },
  qdrant: { url: qdrant.url, apiKey: 'portable-key' },
  pinecone: { url: pinecone.url, apiKey: pinecone.apiKey },
  azure_ai_search: { url: azure.url, apiKey: azure.apiKey },
  s3_vectors: { url: s3.url, ...AWS },
  neptune: { url: neptune.url, graphId: 'g-0123456789', ...AWS },
  chroma: { url: chroma.url, token: 'chroma-token' },
  elasticsearch: { url: elasticsearch.url, apiKey: 'es-key' },
  opensearch: { url: opensearch.url },
  pgvector: { connectionString: pg.connectionString },
})

beforeAll(async () => {
  upstash = await startUpstashServer({ dimension: PORTABLE_DIMENSIONS })
  qdrant = await startQdrantServer({ apiKey: 'portable-key' })
  pinecone = await startPineconeServer({ dimension: PORTABLE_DIMENSIONS })
  azure = await startAzureSearchServer()
  s3 = await startS3VectorsServer({ credentials: { ...AWS, service: 's3vectors' } })
  neptune = await startNeptuneServer({
    credentials: { ...AWS, service: 'neptune-graph' },
    graphId: 'g-0123456789',
    dimension: PORTABLE_DIMENSIONS,
  })
  chroma = await startChromaServer({ token: 'chroma-token' })
  elasticsearch = await startSearchEngineServer({ engine: 'elasticsearch', apiKey: 'es-key' })
  opensearch = await startSearchEngineServer({ engine: 'opensearch' })
  pg = await startPgliteServer()
}, 120_000)
afterAll(async () => {
  await Promise.all([upstash, qdrant, pinecone, azure, s3, neptune, chroma, elasticsearch, opensearch, pg].map((s) => s?.close()))
})

const STORES: AdapterName[] = [
  'upstash',
  'qdrant',
  'pinecone',
  'azure_ai_search',
  's3_vectors',
  'neptune',
  'chroma',
  'elasticsearch',
  'opensearch',
  'pgvector',
]
for (const name of STORES) {
  describePortableRoundTrip(name, async () => ({
    memory: new Memory({
      embedder: portableEmbedder(),
      vectorStore: makeAdapter(name, urls(), uniqueCollection('p')),
      storage: new MemoryStorage(),
    }),
  }))
}
