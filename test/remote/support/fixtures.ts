import { createPineconeVectorStore } from '../../../adapters/pinecone.ts'
import { createQdrantVectorStore } from '../../../adapters/qdrant.ts'
import { createUpstashVectorStore } from '../../../adapters/upstash.ts'
import { createPgvectorVectorStore } from '../../../adapters/pgvector.ts'
import type { VectorStore } from '../../../src/interfaces/vector-store.ts'

/**
 * Adapter factories over the fake servers, shared by the Node and workerd test suites. Each call gets a
 * fresh Memory collection so tests never see each other's data on a shared server.
 */
export interface ServerUrls {
  upstash: { url: string; token: string }
  qdrant: { url: string; apiKey: string }
  pinecone: { url: string; apiKey: string }
  /** A Postgres with pgvector (PGlite over loopback in the tests). */
  pgvector?: { connectionString: string }
}

let counter = 0
export function uniqueCollection(prefix: string): string {
  counter++
  return `${prefix}${Date.now().toString(36)}${counter}${Math.floor(Math.random() * 1e6).toString(36)}`
}

export type AdapterName = 'upstash' | 'qdrant' | 'pinecone' | 'pgvector'

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
    case 'pgvector':
      if (!urls.pgvector) throw new Error('no Postgres for the pgvector adapter')
      return createPgvectorVectorStore({ connectionString: urls.pgvector.connectionString, maxConnections: 2 }, { collection })
  }
}
