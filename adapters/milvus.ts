/**
 * edgemem/adapters/milvus — a Milvus or Zilliz Cloud collection as the Memory's vector store, over the
 * RESTful API v2 (`/v2/vectordb/...`) with fetch only (browsers, Workers, Deno, Bun, Node). See
 * docs/adapters/milvus.md.
 */
import { parseConfig, registerProvider, type ProviderContext, type VectorStore } from '../src/internal.ts'
import { milvusConfigSchema, type MilvusConfig } from './milvus/config.ts'
import { milvusProvider } from './milvus/provider.ts'
import { MilvusVectorStore } from './milvus/store.ts'

// Importing this module registers the provider: needed in Cloudflare Workers, harmless elsewhere.
registerProvider(milvusProvider)

export { MilvusVectorStore, milvusConfigSchema, milvusProvider, type MilvusConfig }
export { compileMilvusFilter } from './milvus/filter.ts'

export function createMilvusVectorStore(
  config: MilvusConfig | Record<string, unknown>,
  context: Pick<ProviderContext, 'collection'>,
): VectorStore {
  return new MilvusVectorStore(parseConfig(milvusConfigSchema, config, 'vectorStore.config'), context.collection)
}
