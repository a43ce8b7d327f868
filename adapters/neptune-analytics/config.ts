import * as z from 'zod/mini'
import { transportShape } from '../../src/internal.ts'

/** What reaching a graph's data plane takes: shared by the vector store and the graph store. */
const connectionShape = {
  /** The graph identifier, e.g. g-abc123defg (created with a vector search configuration). */
  graphId: z.string().check(z.regex(/^g-[a-z0-9]{10}$/, 'expected a Neptune Analytics graph identifier, e.g. g-abc123defg')),
  /** AWS region of the graph, e.g. us-east-1. */
  region: z.string().check(z.regex(/^[a-z]{2}(-[a-z]+)+-\d+$/, 'expected an AWS region, e.g. us-east-1')),
  accessKeyId: z.string().check(z.minLength(1)),
  secretAccessKey: z.string().check(z.minLength(1)),
  sessionToken: z.optional(z.string().check(z.minLength(1))),
  /** Data plane; default https://<graphId>.<region>.neptune-graph.amazonaws.com. */
  endpoint: z.optional(z.string().check(z.regex(/^https?:\/\/\S+$/, 'expected an http(s) URL'))),
  ...transportShape,
}

export const neptuneAnalyticsConfigSchema = z.strictObject({
  ...connectionShape,
  /** Control plane (reads the graph's vector dimension); default https://neptune-graph.<region>.amazonaws.com. */
  controlEndpoint: z.optional(z.string().check(z.regex(/^https?:\/\/\S+$/, 'expected an http(s) URL'))),
})

export type NeptuneAnalyticsConfig = z.infer<typeof neptuneAnalyticsConfigSchema>

/** The `neptune-analytics` graph store: a graph of Neptune Analytics through openCypher (no vector configuration needed). */
export const neptuneAnalyticsGraphConfigSchema = z.strictObject({
  ...connectionShape,
  /** Cosine similarity of name embeddings at or above which two names of a scope are one entity (default 0.92). */
  resolveSimilarity: z.optional(z.number().check(z.gt(0), z.lte(1))),
})

export type NeptuneAnalyticsGraphConfig = z.infer<typeof neptuneAnalyticsGraphConfigSchema>

// The `neptune` vector store and `neptune-analytics` graph store entries of the provider config type
// maps (docs/architecture.md, "How to add a provider").
declare module '../../src/providers/config-types.ts' {
  interface VectorStoreProviders {
    neptune: z.input<typeof neptuneAnalyticsConfigSchema>
  }
  interface GraphStoreProviders {
    'neptune-analytics': z.input<typeof neptuneAnalyticsGraphConfigSchema>
  }
}
