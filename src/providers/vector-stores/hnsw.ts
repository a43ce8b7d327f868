import * as z from 'zod/mini'
import { ConfigError } from '../../errors.ts'
import type { VectorStore } from '../../interfaces/vector-store.ts'
import { createHnswIndexFactory, hnswIndexOptionsSchema } from '../../local/hnsw/factory.ts'
import { LocalVectorStore } from '../../local/local-vector-store.ts'
import type { ProviderContext } from '../../registry.ts'
import { localStoreShape } from './flat.ts'

export const hnswSchema = z.strictObject({ ...localStoreShape, ...hnswIndexOptionsSchema.shape })
export type HnswConfig = z.infer<typeof hnswSchema>

/**
 * The default vector store: the local engine with an HNSW index (hnswlib in WebAssembly) per scope
 * partition of 1000+ memories; smaller partitions and selective filters are searched exactly.
 */
export function createHnswStore(config: HnswConfig, context: ProviderContext): VectorStore {
  if (!context.storage) throw new ConfigError('vectorStore', 'the hnsw store needs a storage provider')
  const { memoryBudgetMB, hybrid, ...index } = config
  return new LocalVectorStore({
    name: 'hnsw',
    storage: context.storage,
    collection: context.collection,
    ann: createHnswIndexFactory(index),
    memoryBudgetBytes: memoryBudgetMB === undefined ? undefined : memoryBudgetMB * 1024 * 1024,
    hybrid,
  })
}
