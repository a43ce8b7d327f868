import * as z from 'zod/mini'
import { transportShape } from '../../src/internal.ts'

export const azureAiSearchConfigSchema = z.strictObject({
  /** The search service endpoint, e.g. https://my-service.search.windows.net. */
  endpoint: z
    .string()
    .check(z.regex(/^https?:\/\/\S+$/, 'expected the http(s) URL of the search service, e.g. https://my-service.search.windows.net')),
  /** An admin key (sent as the `api-key` header): the adapter creates the index and writes documents. */
  apiKey: z.string().check(z.minLength(1)),
  /** The index (default "edgemem"). Memories of different Memory collections share it, kept apart by a tenant field. */
  index: z.optional(
    z
      .string()
      .check(z.regex(/^[a-z0-9](?:[a-z0-9-]{0,126}[a-z0-9])?$/, 'use lowercase letters, digits and "-" (not first or last), at most 128')),
  ),
  /** Similarity metric used when the adapter creates the index (default cosine). */
  metric: z.optional(z.enum(['cosine', 'euclidean'])),
  /** REST API version sent as `api-version` (default 2024-07-01, the first GA version with vector search). */
  apiVersion: z.optional(z.string().check(z.regex(/^\d{4}-\d{2}-\d{2}(-preview)?$/, 'expected e.g. 2024-07-01'))),
  ...transportShape,
})

export type AzureAiSearchConfig = z.infer<typeof azureAiSearchConfigSchema>

// The `azure_ai_search` entry of the provider config type map (docs/architecture.md, "How to add a provider").
declare module '../../src/providers/config-types.ts' {
  interface VectorStoreProviders {
    azure_ai_search: z.input<typeof azureAiSearchConfigSchema>
  }
}
