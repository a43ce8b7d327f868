import * as z from 'zod/mini'
import { transportShape } from '../../src/internal.ts'

const secret = z.string().check(z.minLength(1))

export const neptuneConfigSchema = z.strictObject({
  /** The cluster (writer) endpoint with its port, e.g. https://my-cluster.cluster-abc.us-east-1.neptune.amazonaws.com:8182. */
  endpoint: z.string().check(z.regex(/^https?:\/\/[^\s/?#]+\/?$/, 'expected the cluster endpoint URL, e.g. https://<cluster>:8182')),
  /** AWS region of the cluster; needed with IAM database authentication (SigV4). */
  region: z.optional(z.string().check(z.regex(/^[a-z]{2}(-[a-z]+)+-\d+$/, 'expected an AWS region, e.g. us-east-1'))),
  /** IAM credentials: when given, every request is SigV4-signed for neptune-db; without them requests are unsigned. */
  accessKeyId: z.optional(secret),
  secretAccessKey: z.optional(secret),
  sessionToken: z.optional(secret),
  /** Cosine similarity of name embeddings at or above which two names of a scope are one entity (default 0.92). */
  resolveSimilarity: z.optional(z.number().check(z.gt(0), z.lte(1))),
  ...transportShape,
})

export type NeptuneConfig = z.infer<typeof neptuneConfigSchema>

// The `neptune` entry of the graph store config type map (docs/architecture.md, "How to add a provider").
declare module '../../src/providers/config-types.ts' {
  interface GraphStoreProviders {
    neptune: z.input<typeof neptuneConfigSchema>
  }
}
