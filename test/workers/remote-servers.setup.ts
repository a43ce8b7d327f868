import type { TestProject } from 'vitest/node'
import { startAzureSearchServer } from '../servers/azure-ai-search.ts'
import { startNeptuneServer } from '../servers/neptune-analytics.ts'
import { startPgliteServer } from '../servers/pglite.ts'
import { startPineconeServer } from '../servers/pinecone.ts'
import { startQdrantServer } from '../servers/qdrant.ts'
import { startS3VectorsServer } from '../servers/s3-vectors.ts'
import { startUpstashServer } from '../servers/upstash.ts'
import { startChromaServer } from '../servers/chroma.ts'
import { startSearchEngineServer } from '../servers/search-engine.ts'
import { startNeo4jServer } from '../servers/neo4j.ts'
import { startNeptuneDatabaseServer } from '../servers/neptune-database.ts'
import { startWeaviateServer } from '../servers/weaviate.ts'
import { startMilvusServer } from '../servers/milvus.ts'
import { startVectorizeRestServer } from '../servers/vectorize-rest.ts'

/**
 * Global setup of the workerd project (runs in Node): starts the fake Upstash, Qdrant and Pinecone
 * servers and a PGlite Postgres and hands their URLs to the tests inside workerd through `provide` / `inject`.
 */
export const REMOTE_DIMENSIONS = 8

declare module 'vitest' {
  export interface ProvidedContext {
    remoteServers: {
      upstash: { url: string; token: string }
      qdrant: { url: string; apiKey: string }
      pinecone: { url: string; apiKey: string }
      azure_ai_search: { url: string; apiKey: string }
      s3_vectors: { url: string; region: string; accessKeyId: string; secretAccessKey: string; sessionToken: string }
      neptune: { url: string; graphId: string; region: string; accessKeyId: string; secretAccessKey: string; sessionToken: string }
      chroma: { url: string; token: string }
      elasticsearch: { url: string; apiKey: string }
      opensearch: { url: string }
      /** A real Postgres (PGlite + pgvector) on 127.0.0.1, reached from workerd over cloudflare:sockets. */
      pgvector: { connectionString: string }
      weaviate: { url: string; apiKey: string }
      milvus: { url: string; token: string }
      /** Cloudflare's Vectorize REST API over a fake index (metadata indexes on the scope ids and _em_h). */
      vectorize: { apiBase: string; accountId: string; apiToken: string; indexName: string }
      dimensions: number
      /** Graph databases for the remote graph stores (test/workers/remote-graph-stores.test.ts). */
      neo4j: { url: string; username: string; password: string }
      neptune_database: { url: string; region: string; accessKeyId: string; secretAccessKey: string; sessionToken: string }
    }
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const upstash = await startUpstashServer({ dimension: REMOTE_DIMENSIONS })
  const qdrant = await startQdrantServer({ apiKey: 'workerd-key' })
  const pinecone = await startPineconeServer({ dimension: REMOTE_DIMENSIONS })
  const azure = await startAzureSearchServer()
  const aws = { region: 'us-west-2', accessKeyId: 'AKIDWORKERD', secretAccessKey: 'workerd-secret', sessionToken: 'workerd-session' }
  const s3 = await startS3VectorsServer({ credentials: { ...aws, service: 's3vectors' } })
  const neptune = await startNeptuneServer({
    credentials: { ...aws, service: 'neptune-graph' },
    graphId: 'g-workerd001',
    dimension: REMOTE_DIMENSIONS,
  })
  const chroma = await startChromaServer({ token: 'workerd-token' })
  const elasticsearch = await startSearchEngineServer({ engine: 'elasticsearch', apiKey: 'workerd-es' })
  const opensearch = await startSearchEngineServer({ engine: 'opensearch' })
  const postgres = await startPgliteServer()
  const neo4j = await startNeo4jServer({ password: 'workerd-neo4j' })
  const neptuneDatabase = await startNeptuneDatabaseServer({ credentials: { ...aws, service: 'neptune-db' } })
  const weaviate = await startWeaviateServer({ apiKey: 'workerd-weaviate' })
  const milvus = await startMilvusServer({ token: 'workerd-milvus' })
  const vectorize = await startVectorizeRestServer({
    indexes: {
      workerd: {
        dimensions: REMOTE_DIMENSIONS,
        metadataIndexes: { user_id: 'string', agent_id: 'string', run_id: 'string', _em_h: 'number' },
        visibilityDelayMs: 3,
      },
    },
  })
  project.provide('remoteServers', {
    upstash: { url: upstash.url, token: upstash.token },
    qdrant: { url: qdrant.url, apiKey: 'workerd-key' },
    pinecone: { url: pinecone.url, apiKey: pinecone.apiKey },
    azure_ai_search: { url: azure.url, apiKey: azure.apiKey },
    s3_vectors: { url: s3.url, ...aws },
    neptune: { url: neptune.url, graphId: 'g-workerd001', ...aws },
    chroma: { url: chroma.url, token: 'workerd-token' },
    elasticsearch: { url: elasticsearch.url, apiKey: 'workerd-es' },
    opensearch: { url: opensearch.url },
    pgvector: { connectionString: postgres.connectionString },
    weaviate: { url: weaviate.url, apiKey: 'workerd-weaviate' },
    milvus: { url: milvus.url, token: 'workerd-milvus' },
    vectorize: { apiBase: vectorize.apiBase, accountId: vectorize.accountId, apiToken: vectorize.apiToken, indexName: 'workerd' },
    dimensions: REMOTE_DIMENSIONS,
    neo4j: { url: neo4j.url, username: 'neo4j', password: 'workerd-neo4j' },
    neptune_database: { url: neptuneDatabase.url, ...aws },
  })
  return async () => {
    await Promise.all([
      upstash.close(),
      qdrant.close(),
      pinecone.close(),
      azure.close(),
      s3.close(),
      neptune.close(),
      chroma.close(),
      elasticsearch.close(),
      opensearch.close(),
      postgres.close(),
      neo4j.close(),
      neptuneDatabase.close(),
      weaviate.close(),
      milvus.close(),
      vectorize.close(),
    ])
  }
}
