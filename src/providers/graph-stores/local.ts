import * as z from 'zod/mini'
import { ConfigError } from '../../errors.ts'
import type { GraphStore } from '../../interfaces/graph-store.ts'
import { LocalGraphStore } from '../../local/graph/local-graph-store.ts'
import type { ProviderContext } from '../../registry.ts'

export const localGraphSchema = z.strictObject({
  /** Cosine similarity of name embeddings at or above which two names of a scope are one entity (default 0.92). */
  resolveSimilarity: z.optional(z.number().check(z.gt(0), z.lte(1))),
})
export type LocalGraphConfig = z.infer<typeof localGraphSchema>

/** The graph in process memory, persisted through the Memory's storage (docs/graph.md). */
export function createLocalGraphStore(config: LocalGraphConfig, context: ProviderContext): GraphStore {
  if (!context.storage) throw new ConfigError('graphStore', 'the local graph store needs a storage provider')
  return new LocalGraphStore({ storage: context.storage, collection: context.collection, resolveSimilarity: config.resolveSimilarity })
}
