import { defineProvider, type ProviderDefinition } from '../../src/internal.ts'
import { pgvectorConfigSchema, type PgvectorConfig } from './config.ts'

/** Loads the `postgres` driver (porsager/postgres), an optional peer dependency. */
export type PostgresDriverLoader = () => Promise<unknown>

// The specifier is a parameter, never a literal, and the magic comments tell Vite and webpack to leave the
// import alone: a bundle of edgemem's core must not try to resolve a driver that may not be installed (nor
// pull Node's net and tls into a browser build). `import 'edgemem/adapters/pgvector'` names it literally.
function importByName(specifier: string): Promise<unknown> {
  return import(/* @vite-ignore */ /* webpackIgnore: true */ specifier)
}

/** The `pgvector` vector store with a given driver loader: its config is checked when a Memory is built, the adapter loads on first use. */
export function definePgvectorProvider(loadDriver: PostgresDriverLoader): ProviderDefinition<'vectorStore'> {
  return defineProvider({
    kind: 'vectorStore',
    name: 'pgvector',
    factory: async (config, context) =>
      new (await import('./store.ts')).PgvectorVectorStore(config as PgvectorConfig, context.collection, loadDriver),
    options: { schema: pgvectorConfigSchema },
  })
}

/** What edgemem's default entry registers: the driver is imported by name at run time (Node, Deno, Bun). */
export const pgvectorProvider = definePgvectorProvider(() => importByName('postgres'))
