import type { TestProject } from 'vitest/node'
import { startPgliteServer } from '../servers/pglite.ts'
import { startPineconeServer } from '../servers/pinecone.ts'
import { startQdrantServer } from '../servers/qdrant.ts'
import { startUpstashServer } from '../servers/upstash.ts'

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
      /** A real Postgres (PGlite + pgvector) on 127.0.0.1, reached from workerd over cloudflare:sockets. */
      pgvector: { connectionString: string }
      dimensions: number
    }
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const upstash = await startUpstashServer({ dimension: REMOTE_DIMENSIONS })
  const qdrant = await startQdrantServer({ apiKey: 'workerd-key' })
  const pinecone = await startPineconeServer({ dimension: REMOTE_DIMENSIONS })
  const postgres = await startPgliteServer()
  project.provide('remoteServers', {
    upstash: { url: upstash.url, token: upstash.token },
    qdrant: { url: qdrant.url, apiKey: 'workerd-key' },
    pinecone: { url: pinecone.url, apiKey: pinecone.apiKey },
    pgvector: { connectionString: postgres.connectionString },
    dimensions: REMOTE_DIMENSIONS,
  })
  return async () => {
    await Promise.all([upstash.close(), qdrant.close(), pinecone.close(), postgres.close()])
  }
}
