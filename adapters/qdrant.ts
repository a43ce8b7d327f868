/**
 * edgemem/adapters/qdrant — Qdrant as the Memory's vector store, over Qdrant's REST API with fetch only
 * (browsers, Workers, Deno, Bun, Node). See docs/adapters/qdrant.md.
 */
import { parseConfig, registerProvider, type ProviderContext, type VectorStore } from '../src/internal.ts'
import { qdrantConfigSchema, type QdrantConfig } from './qdrant/config.ts'
import { qdrantProvider } from './qdrant/provider.ts'
import { QdrantVectorStore } from './qdrant/store.ts'

// Importing this module registers the provider: needed in Cloudflare Workers, harmless elsewhere.
registerProvider(qdrantProvider)

export { QdrantVectorStore, qdrantConfigSchema, qdrantProvider, type QdrantConfig }
export { compileQdrantFilter } from './qdrant/filter.ts'

export function createQdrantVectorStore(
  config: QdrantConfig | Record<string, unknown>,
  context: Pick<ProviderContext, 'collection'>,
): VectorStore {
  return new QdrantVectorStore(parseConfig(qdrantConfigSchema, config, 'vectorStore.config'), context.collection)
}
