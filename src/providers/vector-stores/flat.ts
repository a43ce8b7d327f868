import * as z from 'zod/mini'
import { ConfigError } from '../../errors.ts'
import type { VectorStore } from '../../interfaces/vector-store.ts'
import { type HybridOptions, LocalVectorStore } from '../../local/local-vector-store.ts'
import type { ProviderContext } from '../../registry.ts'

/**
 * Hybrid search settings shared by the local stores (flat, hnsw): `true` (the default), `false` (keyword
 * search off) or the weights.
 */
export const hybridSchema = z.optional(
  z.union(
    [
      z.boolean(),
      z.strictObject({
        keywordWeight: z.optional(z.number().check(z.gte(0), z.lte(1))),
        saturation: z.optional(z.number().check(z.positive())),
      }),
    ],
    { error: 'expected true (the default), false, or { keywordWeight?: number in 0..1, saturation?: number > 0 }' },
  ),
)

/** The engine's hybrid option from the config value (`true` and absent mean the defaults). */
export function hybridOption(value: FlatConfig['hybrid']): false | HybridOptions | undefined {
  return value === true ? undefined : value
}

/** Config keys every local store (flat, hnsw) accepts. */
export const localStoreShape = {
  /** Memory held by loaded partitions before the least recently used are dropped (reloaded on demand). */
  memoryBudgetMB: z.optional(z.number().check(z.positive())),
  hybrid: hybridSchema,
}

export const flatSchema = z.strictObject(localStoreShape)
export type FlatConfig = z.infer<typeof flatSchema>

/** Exact search over typed arrays: every query scores every candidate. Persisted through storage. */
export function createFlatStore(config: FlatConfig, context: ProviderContext): VectorStore {
  if (!context.storage) throw new ConfigError('vectorStore', 'the flat store needs a storage provider')
  return new LocalVectorStore({
    name: 'flat',
    storage: context.storage,
    collection: context.collection,
    memoryBudgetBytes: config.memoryBudgetMB === undefined ? undefined : config.memoryBudgetMB * 1024 * 1024,
    hybrid: hybridOption(config.hybrid),
  })
}
