/**
 * edgemem/adapters/qdrant — Qdrant as the Memory's vector store, over Qdrant's REST API with fetch only
 * (browsers, Workers, Deno, Bun, Node). See docs/adapters/qdrant.md.
 */
import { parseConfig, type ProviderContext, type VectorStore } from '../src/internal.ts'
import { qdrantConfigSchema, type QdrantConfig } from './qdrant/config.ts'
import { QdrantVectorStore } from './qdrant/store.ts'

export { QdrantVectorStore, qdrantConfigSchema, type QdrantConfig }
export { compileQdrantFilter } from './qdrant/filter.ts'

export function createQdrantVectorStore(
  config: QdrantConfig | Record<string, unknown>,
  context: Pick<ProviderContext, 'collection'>,
): VectorStore {
  return new QdrantVectorStore(parseConfig(qdrantConfigSchema, config, 'vectorStore.config'), context.collection)
}
