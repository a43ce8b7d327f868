import { createAzureAiSearchVectorStore } from '../../../adapters/azure-ai-search.ts'
import { createNeptuneAnalyticsVectorStore } from '../../../adapters/neptune-analytics.ts'
import { createPineconeVectorStore } from '../../../adapters/pinecone.ts'
import { createQdrantVectorStore } from '../../../adapters/qdrant.ts'
import { createS3VectorsVectorStore } from '../../../adapters/s3-vectors.ts'
import { createUpstashVectorStore } from '../../../adapters/upstash.ts'
import { createChromaVectorStore } from '../../../adapters/chroma.ts'
import { createElasticsearchVectorStore } from '../../../adapters/elasticsearch.ts'
import { createOpenSearchVectorStore } from '../../../adapters/opensearch.ts'
import { createPgvectorVectorStore } from '../../../adapters/pgvector.ts'
import { createWeaviateVectorStore } from '../../../adapters/weaviate.ts'
import { createMilvusVectorStore } from '../../../adapters/milvus.ts'
import type { VectorStore } from '../../../src/interfaces/vector-store.ts'
import { createVectorizeVectorStore, type VectorizeBinding } from '../../../adapters/vectorize.ts'

/**
 * Adapter factories over the fake servers, shared by the Node and workerd test suites. Each call gets a
 * fresh Memory collection so tests never see each other's data on a shared server.
 */
export interface ServerUrls {
  upstash: { url: string; token: string }
  qdrant: { url: string; apiKey: string }
  pinecone: { url: string; apiKey: string }
  azure_ai_search?: { url: string; apiKey: string }
  s3_vectors?: { url: string; region: string; accessKeyId: string; secretAccessKey: string; sessionToken?: string }
  neptune?: { url: string; graphId: string; region: string; accessKeyId: string; secretAccessKey: string; sessionToken?: string }
  chroma?: { url: string; token: string }
  elasticsearch?: { url: string; apiKey: string }
  opensearch?: { url: string }
  /** A Postgres with pgvector (PGlite over loopback in the tests). */
  pgvector?: { connectionString: string }
  weaviate?: { url: string; apiKey: string }
  milvus?: { url: string; token: string }
  /** A fake Vectorize index: the binding itself, or the REST API in front of it. */
  vectorize?: { index: VectorizeBinding } | { apiBase: string; accountId: string; apiToken: string; indexName: string }
}

let counter = 0
export function uniqueCollection(prefix: string): string {
  counter++
  return `${prefix}${Date.now().toString(36)}${counter}${Math.floor(Math.random() * 1e6).toString(36)}`
}

export type AdapterName =
  | 'upstash'
  | 'qdrant'
  | 'pinecone'
  | 'azure_ai_search'
  | 's3_vectors'
  | 'neptune'
  | 'chroma'
  | 'elasticsearch'
  | 'opensearch'
  | 'pgvector'
  | 'weaviate'
  | 'milvus'
  | 'vectorize'

/** Fast retries: the fakes answer locally. */
const transport = { retryBaseDelayMs: 1, timeoutMs: 10_000 }

export function makeAdapter(name: AdapterName, urls: ServerUrls, collection: string): VectorStore {
  switch (name) {
    case 'upstash':
      return createUpstashVectorStore({ ...urls.upstash, ...transport }, { collection })
    case 'qdrant':
      return createQdrantVectorStore(
        { url: urls.qdrant.url, apiKey: urls.qdrant.apiKey, collection: 'conformance', ...transport },
        { collection },
      )
    case 'pinecone':
      return createPineconeVectorStore({ host: urls.pinecone.url, apiKey: urls.pinecone.apiKey, ...transport }, { collection })
    case 'azure_ai_search':
      return createAzureAiSearchVectorStore(
        { endpoint: urls.azure_ai_search!.url, apiKey: urls.azure_ai_search!.apiKey, index: 'conformance', ...transport },
        { collection },
      )
    case 's3_vectors': {
      const { url, ...credentials } = urls.s3_vectors!
      return createS3VectorsVectorStore({ endpoint: url, vectorBucketName: 'edgemem-test', ...credentials, ...transport }, { collection })
    }
    case 'neptune': {
      const { url, ...rest } = urls.neptune!
      return createNeptuneAnalyticsVectorStore({ endpoint: url, controlEndpoint: url, ...rest, ...transport }, { collection })
    }
    case 'chroma':
      return createChromaVectorStore(
        { url: need(urls.chroma, name).url, apiKey: need(urls.chroma, name).token, collection: 'conformance', ...transport },
        { collection },
      )
    case 'elasticsearch':
      return createElasticsearchVectorStore(
        { url: need(urls.elasticsearch, name).url, apiKey: need(urls.elasticsearch, name).apiKey, index: 'conformance', ...transport },
        { collection },
      )
    case 'opensearch':
      return createOpenSearchVectorStore({ url: need(urls.opensearch, name).url, index: 'conformance', ...transport }, { collection })
    case 'pgvector':
      if (!urls.pgvector) throw new Error('no Postgres for the pgvector adapter')
      return createPgvectorVectorStore({ connectionString: urls.pgvector.connectionString, maxConnections: 2 }, { collection })
    case 'weaviate':
      return createWeaviateVectorStore(
        { url: need(urls.weaviate, name).url, apiKey: need(urls.weaviate, name).apiKey, className: 'Conformance', ...transport },
        { collection },
      )
    case 'milvus':
      return createMilvusVectorStore(
        { url: need(urls.milvus, name).url, token: need(urls.milvus, name).token, collection: 'conformance', ...transport },
        { collection },
      )
    case 'vectorize':
      // The fakes apply writes after a few milliseconds: poll quickly.
      return createVectorizeVectorStore(
        { ...need(urls.vectorize, name), visibilityPollMs: 2, visibilityTimeoutMs: 5000, ...transport },
        { collection },
      )
  }
}

function need<T>(value: T | undefined, name: string): T {
  if (value === undefined) throw new Error(`no fake server URL given for ${name}`)
  return value
}
