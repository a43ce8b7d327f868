import * as z from 'zod/mini'
import { transportShape } from '../../src/internal.ts'

/** Index names: lowercase, no `\ / * ? " < > | , # :` or spaces, not starting with `-`, `_` or `+`, not `.` or `..`. */
const indexName = z
  .string()
  .check(
    z.regex(
      /^(?![-_+.])[a-z0-9][^A-Z\\/*?"<>|,#:\s]{0,254}$/,
      'expected an index name: lowercase, no \\ / * ? " < > | , # : or spaces, not starting with - _ + .',
    ),
  )

const common = {
  /** The cluster URL, e.g. http://localhost:9200 or an Elastic Cloud / managed OpenSearch endpoint. */
  url: z.string().check(z.regex(/^https?:\/\/\S+$/, 'expected the http(s) URL of the cluster')),
  /** The index (default "edgemem"). Memories of different Memory collections share it, kept apart by a tenant field. */
  index: z.optional(indexName),
  /** HTTP Basic credentials (self-managed clusters, the security plugin). */
  username: z.optional(z.string().check(z.minLength(1))),
  password: z.optional(z.string()),
  /** Vector similarity when the adapter creates the index (default cosine). */
  metric: z.optional(z.enum(['cosine', 'dot', 'euclidean'])),
  /**
   * Makes every write visible to searches before it returns (`refresh=wait_for`, the default) or not
   * (`false`: faster bulk loads, searches see writes after the next refresh, ~1 s).
   */
  refresh: z.optional(z.union([z.literal('wait_for'), z.literal(false)])),
  ...transportShape,
}

export const elasticsearchConfigSchema = z.strictObject({
  ...common,
  /** An Elasticsearch API key (the encoded form), sent as `Authorization: ApiKey <key>`. */
  apiKey: z.optional(z.string().check(z.minLength(1))),
})

export const opensearchConfigSchema = z.strictObject({
  ...common,
  /** k-NN engine when the adapter creates the index (default lucene; faiss for large indexes). */
  engine: z.optional(z.enum(['lucene', 'faiss'])),
  /** Amazon OpenSearch Service / Serverless: requests are signed with SigV4 (service `es` or `aoss`). */
  aws: z.optional(
    z.strictObject({
      region: z.string().check(z.minLength(1)),
      accessKeyId: z.string().check(z.minLength(1)),
      secretAccessKey: z.string().check(z.minLength(1)),
      sessionToken: z.optional(z.string()),
      service: z.optional(z.enum(['es', 'aoss'])),
    }),
  ),
})

export type ElasticsearchConfig = z.infer<typeof elasticsearchConfigSchema>
export type OpenSearchConfig = z.infer<typeof opensearchConfigSchema>

// The `elasticsearch` and `opensearch` entries of the provider config type map (docs/architecture.md).
declare module '../../src/providers/config-types.ts' {
  interface VectorStoreProviders {
    elasticsearch: z.input<typeof elasticsearchConfigSchema>
    opensearch: z.input<typeof opensearchConfigSchema>
  }
}
