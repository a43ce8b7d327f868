import * as z from 'zod/mini'
import { ConfigError } from '../../errors.ts'
import type { VectorStore } from '../../interfaces/vector-store.ts'
import { createHnswIndexFactory, hnswIndexOptionsSchema } from '../../local/hnsw/factory.ts'
import { LocalVectorStore } from '../../local/local-vector-store.ts'
import { defineProvider, type ProviderContext } from '../../registry.ts'
import { hybridOption, localStoreShape } from './flat.ts'

export const hnswSchema = z.strictObject({
  ...localStoreShape,
  ...hnswIndexOptionsSchema.shape,
  /** Partitions with fewer memories are searched exactly (default 15,000; see docs/hnsw.md). */
  exactBelow: z.optional(z.int().check(z.gte(0))),
})
export type HnswConfig = z.infer<typeof hnswSchema>

/**
 * The default vector store: the local engine with an HNSW index (hnswlib in WebAssembly) per scope
 * partition of `exactBelow` (15,000) memories or more; smaller partitions and selective filters are
 * searched exactly (faster than the graph at that size, measured in docs/hnsw.md).
 */
export function createHnswStore(config: HnswConfig, context: ProviderContext): VectorStore {
  if (!context.storage) throw new ConfigError('vectorStore', 'the hnsw store needs a storage provider')
  const { memoryBudgetMB, hybrid, exactBelow, ...index } = config
  return new LocalVectorStore({
    name: 'hnsw',
    storage: context.storage,
    collection: context.collection,
    ann: createHnswIndexFactory(index),
    memoryBudgetBytes: memoryBudgetMB === undefined ? undefined : memoryBudgetMB * 1024 * 1024,
    hybrid: hybridOption(hybrid),
    annMinSize: exactBelow,
  })
}

/** The hnswlib WebAssembly loader and binary are imported on first use (src/local/hnsw/load-module.ts). */
export const hnswProvider = defineProvider({
  kind: 'vectorStore',
  name: 'hnsw',
  factory: (c, ctx) => createHnswStore(c as HnswConfig, ctx),
  options: { schema: hnswSchema },
})
