/**
 * edgemem/adapters/weaviate — a Weaviate class as the Memory's vector store, over Weaviate's REST v1
 * (schema, batch import, batch delete) and GraphQL `Get` with `nearVector` and `where` (no gRPC), with
 * fetch only (browsers, Workers, Deno, Bun, Node). Works with a self-hosted Weaviate and Weaviate Cloud.
 * See docs/adapters/weaviate.md.
 */
import { parseConfig, registerProvider, type ProviderContext, type VectorStore } from '../src/internal.ts'
import { weaviateConfigSchema, type WeaviateConfig } from './weaviate/config.ts'
import { weaviateProvider } from './weaviate/provider.ts'
import { WeaviateVectorStore } from './weaviate/store.ts'

// Importing this module registers the provider: needed in Cloudflare Workers, harmless elsewhere.
registerProvider(weaviateProvider)

export { WeaviateVectorStore, weaviateConfigSchema, weaviateProvider, type WeaviateConfig }
export { compileWeaviateFilter } from './weaviate/filter.ts'

export function createWeaviateVectorStore(
  config: WeaviateConfig | Record<string, unknown>,
  context: Pick<ProviderContext, 'collection'>,
): VectorStore {
  return new WeaviateVectorStore(parseConfig(weaviateConfigSchema, config, 'vectorStore.config'), context.collection)
}
