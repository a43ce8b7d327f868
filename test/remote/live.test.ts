import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createAzureAiSearchVectorStore } from '../../adapters/azure-ai-search.ts'
import { createNeptuneAnalyticsVectorStore } from '../../adapters/neptune-analytics.ts'
import { createPineconeVectorStore } from '../../adapters/pinecone.ts'
import { createS3VectorsVectorStore } from '../../adapters/s3-vectors.ts'
import { createQdrantVectorStore } from '../../adapters/qdrant.ts'
import { createUpstashVectorStore } from '../../adapters/upstash.ts'
import { createChromaVectorStore } from '../../adapters/chroma.ts'
import { createElasticsearchVectorStore } from '../../adapters/elasticsearch.ts'
import { createOpenSearchVectorStore } from '../../adapters/opensearch.ts'
import { createWeaviateVectorStore } from '../../adapters/weaviate.ts'
import { createMilvusVectorStore } from '../../adapters/milvus.ts'
import { and, eq } from '../../src/filters/ast.ts'
import type { VectorStore } from '../../src/interfaces/vector-store.ts'
import { describeVectorStoreConformance, randomVector, seeded } from '../conformance/vector-store.ts'
import { uniqueCollection } from './support/fixtures.ts'

/**
 * Against real services, when credentials are given (skipped otherwise, saying which variables to set):
 *   UPSTASH_VECTOR_REST_URL, UPSTASH_VECTOR_REST_TOKEN     — an Upstash Vector index (any dimension)
 *   QDRANT_URL [, QDRANT_API_KEY]                            — a Qdrant server or cluster
 *   PINECONE_HOST, PINECONE_API_KEY                          — a Pinecone serverless index (any dimension)
 *   S3_VECTORS_BUCKET, AWS_REGION, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY [, AWS_SESSION_TOKEN] — an S3 vector bucket
 *   NEPTUNE_GRAPH_ID, AWS_REGION, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY [, AWS_SESSION_TOKEN] — a Neptune Analytics graph with vector search
 *   AZURE_SEARCH_ENDPOINT, AZURE_SEARCH_ADMIN_KEY            — an Azure AI Search service (index edgemem-live, created with 8 dimensions when missing)
 *   CHROMA_URL [, CHROMA_API_KEY, CHROMA_TENANT, CHROMA_DATABASE] — a Chroma server or Chroma Cloud
 *   ELASTICSEARCH_URL [, ELASTICSEARCH_API_KEY]             — an Elasticsearch 8.x/9.x cluster
 *   OPENSEARCH_URL [, OPENSEARCH_USERNAME, OPENSEARCH_PASSWORD] — an OpenSearch 2.x cluster with the k-NN plugin
 *   WEAVIATE_URL [, WEAVIATE_API_KEY]                       — a Weaviate server or Weaviate Cloud cluster
 *   MILVUS_URL [, MILVUS_TOKEN]                             — a Milvus server (RESTful API v2) or a Zilliz Cloud cluster
 * Every run writes to a fresh namespace / tenant and removes it afterwards. Upstash and Pinecone are
 * eventually consistent, so their checks poll; Qdrant writes with wait=true and runs the full
 * conformance suite.
 */
const env = process.env

async function eventually<T>(read: () => Promise<T>, ok: (value: T) => boolean, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await read()
    if (ok(value) || Date.now() > deadline) return value
    await new Promise((resolve) => setTimeout(resolve, 1000))
  }
}

function skipped(service: string, variables: string): void {
  describe(`live ${service}`, () => {
    it(`runs against a real ${service}`, (ctx) => ctx.skip(`${variables} not set: live ${service} tests skipped (see docs/adapters)`))
  })
}

/** Write, read back, search, filter, list and delete through a real, eventually consistent service. */
function describeLiveSmoke(service: string, make: (namespace: string) => VectorStore): void {
  describe(`live ${service}`, () => {
    const namespace = uniqueCollection('edgemem_live_')
    const store = make(namespace)
    afterAll(async () => {
      await store.reset()
    })

    it('stores, searches with filters, lists and deletes', async () => {
      await store.init({})
      const dims = store.dimensions!
      const random = seeded(17)
      const records = Array.from({ length: 12 }, (_, i) => ({
        id: `live-${i}`,
        vector: randomVector(random, dims),
        payload: { user_id: i % 2 ? 'odd' : 'even', rank: i, tags: i % 3 ? ['a'] : ['a', 'b'], note: i === 3 ? `it's "quoted"` : null },
      }))
      await store.upsert(records)
      const got = await eventually(
        () => store.get(records.map((r) => r.id)),
        (rows) => rows.every((r) => r !== null),
      )
      expect(got.map((r) => r?.payload)).toEqual(records.map((r) => r.payload))
      const filter = and(eq('user_id', 'odd'), { op: 'gte', field: 'rank', value: 5 }, { op: 'not', child: eq('tags', 'b') })
      const expected = records
        .filter((r) => r.payload.user_id === 'odd' && r.payload.rank >= 5 && r.payload.tags.length === 1)
        .map((r) => r.id)
        .sort()
      const hits = await eventually(
        () => store.search({ vector: records[7]!.vector, topK: 10, filter, scope: { user_id: 'odd' } }),
        (h) => h.length === expected.length,
      )
      expect(hits.map((h) => h.id).sort()).toEqual(expected)
      expect(hits[0]!.id).toBe('live-7')
      expect(hits[0]!.score).toBeCloseTo(1, 3)
      const quoted = await eventually(
        () => store.list({ filter: eq('note', `it's "quoted"`), scope: {}, limit: 5 }),
        (p) => p.records.length === 1,
      )
      expect(quoted.records.map((r) => r.id)).toEqual(['live-3'])
      await store.delete(['live-3'])
      expect(
        await eventually(
          () => store.get(['live-3']),
          (rows) => rows[0] === null,
        ),
      ).toEqual([null])
    }, 180_000)
  })
}

if (env.UPSTASH_VECTOR_REST_URL && env.UPSTASH_VECTOR_REST_TOKEN) {
  describeLiveSmoke('Upstash Vector', (namespace) =>
    createUpstashVectorStore({ url: env.UPSTASH_VECTOR_REST_URL!, token: env.UPSTASH_VECTOR_REST_TOKEN! }, { collection: namespace }),
  )
} else skipped('Upstash Vector', 'UPSTASH_VECTOR_REST_URL and UPSTASH_VECTOR_REST_TOKEN')

if (env.PINECONE_HOST && env.PINECONE_API_KEY) {
  describeLiveSmoke('Pinecone', (namespace) =>
    createPineconeVectorStore({ host: env.PINECONE_HOST!, apiKey: env.PINECONE_API_KEY! }, { collection: namespace }),
  )
} else skipped('Pinecone', 'PINECONE_HOST and PINECONE_API_KEY')

if (env.QDRANT_URL) {
  const collection = 'edgemem_live_conformance'
  const config = { url: env.QDRANT_URL, collection, ...(env.QDRANT_API_KEY ? { apiKey: env.QDRANT_API_KEY } : {}) }
  describeVectorStoreConformance('live Qdrant', async () => {
    const tenant = uniqueCollection('live')
    const store = createQdrantVectorStore(config, { collection: tenant })
    return { store, reopen: async () => createQdrantVectorStore(config, { collection: tenant }), cleanup: () => store.reset() }
  })
  afterAll(async () => {
    await fetch(`${env.QDRANT_URL!.replace(/\/+$/, '')}/collections/${collection}`, {
      method: 'DELETE',
      headers: env.QDRANT_API_KEY ? { 'api-key': env.QDRANT_API_KEY } : {},
    })
  })
} else skipped('Qdrant', 'QDRANT_URL (and QDRANT_API_KEY if the server needs one)')

if (env.AZURE_SEARCH_ENDPOINT && env.AZURE_SEARCH_ADMIN_KEY) {
  const config = { endpoint: env.AZURE_SEARCH_ENDPOINT, apiKey: env.AZURE_SEARCH_ADMIN_KEY, index: 'edgemem-live' }
  // Azure AI Search is near-real-time (a write is searchable about a second later): the smoke test polls.
  beforeAll(async () => {
    await createAzureAiSearchVectorStore(config, { collection: 'setup' }).init({ dimensions: 8 })
  })
  describeLiveSmoke('Azure AI Search', (namespace) => createAzureAiSearchVectorStore(config, { collection: namespace }))
} else skipped('Azure AI Search', 'AZURE_SEARCH_ENDPOINT and AZURE_SEARCH_ADMIN_KEY')

if (env.S3_VECTORS_BUCKET && env.AWS_REGION && env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY) {
  const config = {
    vectorBucketName: env.S3_VECTORS_BUCKET,
    region: env.AWS_REGION,
    accessKeyId: env.AWS_ACCESS_KEY_ID,
    secretAccessKey: env.AWS_SECRET_ACCESS_KEY,
    ...(env.AWS_SESSION_TOKEN ? { sessionToken: env.AWS_SESSION_TOKEN } : {}),
    indexPrefix: 'edgemem-live',
  }
  // One index per Memory collection: the smoke test's index is created here, and deleted by its reset.
  describeLiveSmoke('S3 Vectors', (namespace) => {
    const store = createS3VectorsVectorStore(config, { collection: namespace.toLowerCase() })
    const init = store.init.bind(store)
    store.init = (options) => init({ dimensions: 8, ...options })
    return store
  })
} else skipped('S3 Vectors', 'S3_VECTORS_BUCKET, AWS_REGION, AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY')

if (env.NEPTUNE_GRAPH_ID && env.AWS_REGION && env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY) {
  const config = {
    graphId: env.NEPTUNE_GRAPH_ID,
    region: env.AWS_REGION,
    accessKeyId: env.AWS_ACCESS_KEY_ID,
    secretAccessKey: env.AWS_SECRET_ACCESS_KEY,
    ...(env.AWS_SESSION_TOKEN ? { sessionToken: env.AWS_SESSION_TOKEN } : {}),
  }
  describeLiveSmoke('Neptune Analytics', (namespace) => createNeptuneAnalyticsVectorStore(config, { collection: namespace }))
} else skipped('Neptune Analytics', 'NEPTUNE_GRAPH_ID, AWS_REGION, AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY')

if (env.CHROMA_URL) {
  // Chroma reads its own writes: the whole conformance suite runs, in a collection removed afterwards.
  const collection = 'edgemem_live_conformance'
  const config = {
    url: env.CHROMA_URL,
    collection,
    ...(env.CHROMA_API_KEY ? { apiKey: env.CHROMA_API_KEY } : {}),
    ...(env.CHROMA_TENANT ? { tenant: env.CHROMA_TENANT } : {}),
    ...(env.CHROMA_DATABASE ? { database: env.CHROMA_DATABASE } : {}),
  }
  describeVectorStoreConformance('live Chroma', async () => {
    const tenant = uniqueCollection('live')
    const store = createChromaVectorStore(config, { collection: tenant })
    return { store, reopen: async () => createChromaVectorStore(config, { collection: tenant }), cleanup: () => store.reset() }
  })
  afterAll(async () => {
    const base = `${env.CHROMA_URL!.replace(/\/+$/, '')}/api/v2/tenants/${env.CHROMA_TENANT ?? 'default_tenant'}/databases/${env.CHROMA_DATABASE ?? 'default_database'}`
    await fetch(`${base}/collections/${collection}`, {
      method: 'DELETE',
      headers: env.CHROMA_API_KEY ? { 'x-chroma-token': env.CHROMA_API_KEY } : {},
    })
  })
} else skipped('Chroma', 'CHROMA_URL (and CHROMA_API_KEY, CHROMA_TENANT, CHROMA_DATABASE for Chroma Cloud)')

// Elasticsearch and OpenSearch write with refresh=wait_for: the whole conformance suite runs, in an index removed afterwards.
function describeLiveSearchEngine(
  service: string,
  url: string,
  make: (index: string, collection: string) => VectorStore,
  headers: Record<string, string>,
): void {
  const index = 'edgemem-live-conformance'
  describeVectorStoreConformance(`live ${service}`, async () => {
    const tenant = uniqueCollection('live')
    const store = make(index, tenant)
    return { store, reopen: async () => make(index, tenant), cleanup: () => store.reset() }
  })
  afterAll(async () => {
    await fetch(`${url.replace(/\/+$/, '')}/${index}`, { method: 'DELETE', headers })
  })
}

if (env.ELASTICSEARCH_URL) {
  const apiKey = env.ELASTICSEARCH_API_KEY
  describeLiveSearchEngine(
    'Elasticsearch',
    env.ELASTICSEARCH_URL,
    (index, collection) =>
      createElasticsearchVectorStore({ url: env.ELASTICSEARCH_URL!, index, ...(apiKey ? { apiKey } : {}) }, { collection }),
    apiKey ? { Authorization: `ApiKey ${apiKey}` } : {},
  )
} else skipped('Elasticsearch', 'ELASTICSEARCH_URL (and ELASTICSEARCH_API_KEY if the cluster needs one)')

if (env.OPENSEARCH_URL) {
  const username = env.OPENSEARCH_USERNAME
  const password = env.OPENSEARCH_PASSWORD ?? ''
  describeLiveSearchEngine(
    'OpenSearch',
    env.OPENSEARCH_URL,
    (index, collection) =>
      createOpenSearchVectorStore({ url: env.OPENSEARCH_URL!, index, ...(username ? { username, password } : {}) }, { collection }),
    username ? { Authorization: `Basic ${btoa(`${username}:${password}`)}` } : {},
  )
} else skipped('OpenSearch', 'OPENSEARCH_URL (and OPENSEARCH_USERNAME, OPENSEARCH_PASSWORD with the security plugin)')

if (env.WEAVIATE_URL) {
  // Weaviate imports synchronously (the object and the vector index): the whole conformance suite runs,
  // in a class removed afterwards.
  const className = 'EdgememLiveConformance'
  const config = { url: env.WEAVIATE_URL, className, ...(env.WEAVIATE_API_KEY ? { apiKey: env.WEAVIATE_API_KEY } : {}) }
  describeVectorStoreConformance('live Weaviate', async () => {
    const tenant = uniqueCollection('live')
    const store = createWeaviateVectorStore(config, { collection: tenant })
    return { store, reopen: async () => createWeaviateVectorStore(config, { collection: tenant }), cleanup: () => store.reset() }
  })
  afterAll(async () => {
    await fetch(`${env.WEAVIATE_URL!.replace(/\/+$/, '')}/v1/schema/${className}`, {
      method: 'DELETE',
      headers: env.WEAVIATE_API_KEY ? { authorization: `Bearer ${env.WEAVIATE_API_KEY}` } : {},
    })
  })
} else skipped('Weaviate', 'WEAVIATE_URL (and WEAVIATE_API_KEY for Weaviate Cloud or API-key auth)')

if (env.MILVUS_URL) {
  // Reads are Strong (the collection's consistency level and each request's): the whole conformance
  // suite runs, in a collection dropped afterwards.
  const collection = 'edgemem_live_conformance'
  const config = { url: env.MILVUS_URL, collection, ...(env.MILVUS_TOKEN ? { token: env.MILVUS_TOKEN } : {}) }
  describeVectorStoreConformance('live Milvus', async () => {
    const tenant = uniqueCollection('live')
    const store = createMilvusVectorStore(config, { collection: tenant })
    return { store, reopen: async () => createMilvusVectorStore(config, { collection: tenant }), cleanup: () => store.reset() }
  })
  afterAll(async () => {
    await fetch(`${env.MILVUS_URL!.replace(/\/+$/, '')}/v2/vectordb/collections/drop`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(env.MILVUS_TOKEN ? { authorization: `Bearer ${env.MILVUS_TOKEN}` } : {}) },
      body: JSON.stringify({ collectionName: collection }),
    })
  })
} else skipped('Milvus / Zilliz Cloud', 'MILVUS_URL (and MILVUS_TOKEN: a Zilliz Cloud API key or "user:password")')
