import * as z from 'zod/mini'
import { transportShape } from '../../src/internal.ts'

export const QDRANT_INDEX_TYPES = ['keyword', 'integer', 'float', 'bool', 'datetime', 'uuid', 'text'] as const

export const qdrantConfigSchema = z.strictObject({
  /** e.g. http://localhost:6333 or the cluster URL of Qdrant Cloud. */
  url: z.string().check(z.regex(/^https?:\/\/\S+$/, 'expected the http(s) URL of the Qdrant server')),
  /** Sent as the `api-key` header. Optional for servers without auth. */
  apiKey: z.optional(z.string().check(z.minLength(1))),
  /** The Qdrant collection (default "edgemem"). Memories of different Memory collections share it, kept apart by a tenant field. */
  collection: z.optional(z.string().check(z.regex(/^[A-Za-z0-9_-]{1,255}$/, 'use letters, digits, "_" and "-"'))),
  /** Distance used when the adapter creates the collection (default Cosine). */
  distance: z.optional(z.enum(['Cosine', 'Dot', 'Euclid'])),
  /** Extra payload indexes for metadata fields you filter on (needed when strict mode is on). */
  payloadIndexes: z.optional(z.record(z.string().check(z.regex(/^[A-Za-z_][A-Za-z0-9_-]{0,63}$/)), z.enum(QDRANT_INDEX_TYPES))),
  ...transportShape,
})

export type QdrantConfig = z.infer<typeof qdrantConfigSchema>

// The `qdrant` entry of the provider config type map (docs/architecture.md, "How to add a provider").
declare module '../../src/providers/config-types.ts' {
  interface VectorStoreProviders {
    qdrant: z.input<typeof qdrantConfigSchema>
  }
}
