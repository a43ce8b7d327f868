import * as z from 'zod/mini'
import { transportShape } from '../../src/internal.ts'

export const neptuneAnalyticsConfigSchema = z.strictObject({
  /** The graph identifier, e.g. g-abc123defg (created with a vector search configuration). */
  graphId: z.string().check(z.regex(/^g-[a-z0-9]{10}$/, 'expected a Neptune Analytics graph identifier, e.g. g-abc123defg')),
  /** AWS region of the graph, e.g. us-east-1. */
  region: z.string().check(z.regex(/^[a-z]{2}(-[a-z]+)+-\d+$/, 'expected an AWS region, e.g. us-east-1')),
  accessKeyId: z.string().check(z.minLength(1)),
  secretAccessKey: z.string().check(z.minLength(1)),
  sessionToken: z.optional(z.string().check(z.minLength(1))),
  /** Data plane; default https://<graphId>.<region>.neptune-graph.amazonaws.com. */
  endpoint: z.optional(z.string().check(z.regex(/^https?:\/\/\S+$/, 'expected an http(s) URL'))),
  /** Control plane (reads the graph's vector dimension); default https://neptune-graph.<region>.amazonaws.com. */
  controlEndpoint: z.optional(z.string().check(z.regex(/^https?:\/\/\S+$/, 'expected an http(s) URL'))),
  ...transportShape,
})

export type NeptuneAnalyticsConfig = z.infer<typeof neptuneAnalyticsConfigSchema>

// The `neptune` entry of the provider config type map (docs/architecture.md, "How to add a provider").
declare module '../../src/providers/config-types.ts' {
  interface VectorStoreProviders {
    neptune: z.input<typeof neptuneAnalyticsConfigSchema>
  }
}
