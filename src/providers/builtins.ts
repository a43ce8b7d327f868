import { pineconeProvider } from '../../adapters/pinecone/provider.ts'
import { qdrantProvider } from '../../adapters/qdrant/provider.ts'
import { upstashProvider } from '../../adapters/upstash/provider.ts'
import { registerProvider, type ProviderDefinition } from '../registry.ts'
import { LIGHT_PROVIDERS } from './light.ts'
import { indexedDbProvider } from './storage/indexeddb-config.ts'
import { transformersProvider } from './transformers/provider.ts'
import { hnswProvider } from './vector-stores/hnsw.ts'

/**
 * Every built-in provider, registered by the default entry (src/index.ts): the light ones plus one line
 * per provider that the workerd entry leaves to an import of its module (listed with that module in
 * catalog.ts). Each definition validates its config with a small schema loaded now and imports its
 * implementation on first use, so bundlers that split code (Vite, Rollup, webpack, esbuild with
 * splitting) put it in a chunk of its own.
 */
export const BUILTIN_PROVIDERS: readonly ProviderDefinition[] = [
  ...LIGHT_PROVIDERS,
  hnswProvider,
  indexedDbProvider,
  transformersProvider,
  upstashProvider,
  qdrantProvider,
  pineconeProvider,
]

/** Registers every built-in provider (what src/index.ts does when it is imported). */
export function registerBuiltinProviders(): void {
  for (const provider of BUILTIN_PROVIDERS) registerProvider(provider)
}
