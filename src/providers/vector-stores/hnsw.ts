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
  /** Partitions with fewer memories are searched exactly (default 5,000; see docs/hnsw.md "Search plan"). */
  exactBelow: z.optional(z.int().check(z.gte(0))),
  /** Rows the sign-bit first pass scores exactly per query (default 640): recall against cost. */
  rescore: z.optional(z.int().check(z.gte(1), z.lte(100_000))),
  /** Partitions of at least this many memories get an HNSW graph (default: never; built on the write that reaches it). */
  graphFrom: z.optional(z.int().check(z.gte(1))),
})
export type HnswConfig = z.infer<typeof hnswSchema>

/**
 * The default vector store: the local engine with its approximate search plan (src/local/search-plan.ts):
 * partitions below `exactBelow` (5,000) memories and selective filters are searched exactly, larger ones
 * with a sign-bit first pass and exact rescoring; an HNSW graph (hnswlib in WebAssembly) only from
 * `graphFrom` memories, when configured (measured in docs/hnsw.md).
 */
export function createHnswStore(config: HnswConfig, context: ProviderContext): VectorStore {
  if (!context.storage) throw new ConfigError('vectorStore', 'the hnsw store needs a storage provider')
  const { memoryBudgetMB, hybrid, exactBelow, rescore, graphFrom, ...index } = config
  return new LocalVectorStore({
    name: 'hnsw',
    storage: context.storage,
    collection: context.collection,
    ann: createHnswIndexFactory(index),
    memoryBudgetBytes: memoryBudgetMB === undefined ? undefined : memoryBudgetMB * 1024 * 1024,
    hybrid: hybridOption(hybrid),
    plan: { exactBelow, rescore, graphFrom },
  })
}

/** The hnswlib WebAssembly loader and binary are imported on first use (src/local/hnsw/load-module.ts). */
export const hnswProvider = defineProvider({
  kind: 'vectorStore',
  name: 'hnsw',
  factory: (c, ctx) => createHnswStore(c as HnswConfig, ctx),
  options: { schema: hnswSchema },
})
