import * as z from 'zod/mini'
import { transportShape } from '../../src/internal.ts'

export const milvusConfigSchema = z.strictObject({
  /**
   * The RESTful endpoint: e.g. http://localhost:19530 (a Milvus server's proxy) or
   * https://in03-xxxx.serverless.gcp-us-west1.cloud.zilliz.com (a Zilliz Cloud cluster's public endpoint).
   */
  url: z.string().check(z.regex(/^https?:\/\/\S+$/, 'expected the http(s) URL of the Milvus / Zilliz Cloud endpoint')),
  /** Sent as `Authorization: Bearer <token>`: a Zilliz Cloud API key, or "user:password" for a Milvus with authentication. */
  token: z.optional(z.string().check(z.minLength(1))),
  /** The database (`dbName`; default: the server's default database). */
  database: z.optional(z.string().check(z.regex(/^[A-Za-z_][A-Za-z0-9_]{0,254}$/, 'expected a Milvus database name'))),
  /** The collection (default "edgemem"). Memories of different Memory collections share it, kept apart by a tenant field. */
  collection: z.optional(
    z
      .string()
      .check(
        z.regex(
          /^[A-Za-z_][A-Za-z0-9_]{0,254}$/,
          'expected a Milvus collection name: a letter or "_", then letters, digits or "_" (at most 255)',
        ),
      ),
  ),
  /** Metric of the vector index when the adapter creates the collection (default COSINE). */
  metric: z.optional(z.enum(['COSINE', 'IP', 'L2'])),
  ...transportShape,
})

export type MilvusConfig = z.infer<typeof milvusConfigSchema>

// The `milvus` entry of the provider config type map (docs/architecture.md, "How to add a provider").
declare module '../../src/providers/config-types.ts' {
  interface VectorStoreProviders {
    milvus: z.input<typeof milvusConfigSchema>
  }
}
