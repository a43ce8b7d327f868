/**
 * edgemem/adapters/pgvector — Postgres with pgvector (Supabase, Neon, RDS, Azure, AlloyDB, your own) as the
 * Memory's vector store, over the `postgres` driver (an optional peer dependency, loaded on first use; TCP
 * in Node, Deno and Bun, `cloudflare:sockets` in Workers). See docs/adapters/pgvector.md.
 */
import { parseConfig, registerProvider, type ProviderContext, type VectorStore } from '../src/internal.ts'
import { pgvectorConfigSchema, type PgvectorConfig } from './pgvector/config.ts'
import { definePgvectorProvider } from './pgvector/provider.ts'
import { PgvectorVectorStore } from './pgvector/store.ts'

/** The driver, named literally so that bundlers (wrangler, Vite) include it; imported on first use only. */
const loadDriver = () => import('postgres')

/** The `pgvector` provider whose driver import bundlers can see. */
export const pgvectorProvider = definePgvectorProvider(loadDriver)

// Importing this module registers the provider: needed in Cloudflare Workers, harmless elsewhere.
registerProvider(pgvectorProvider)

export { PgvectorVectorStore, pgvectorConfigSchema, type PgvectorConfig }
export { compilePgvectorFilter } from './pgvector/filter.ts'

export function createPgvectorVectorStore(
  config: PgvectorConfig | Record<string, unknown>,
  context: Pick<ProviderContext, 'collection'>,
): VectorStore {
  return new PgvectorVectorStore(parseConfig(pgvectorConfigSchema, config, 'vectorStore.config'), context.collection, loadDriver)
}
