import * as z from 'zod/mini'
import { transportShape } from '../../src/internal.ts'
import type { VectorizeBinding } from './api.ts'

const isBinding = (value: unknown): value is VectorizeBinding =>
  typeof value === 'object' &&
  value !== null &&
  ['query', 'upsert', 'getByIds', 'deleteByIds', 'describe'].every((m) => typeof (value as Record<string, unknown>)[m] === 'function')

const utf8Bytes = (value: string): number => new TextEncoder().encode(value).byteLength

/** Metadata field names the adapter may filter on natively: each needs a Vectorize metadata index. */
const fieldName = z.string().check(z.regex(/^[A-Za-z0-9_-]{1,64}$/, 'use letters, digits, "_" and "-" (at most 64)'))

export const vectorizeConfigSchema = z
  .strictObject({
    /** The Vectorize index binding (`env.VECTORIZE` in a Worker; wrangler.toml `[[vectorize]]`). */
    index: z.optional(z.custom<VectorizeBinding>(isBinding, 'expected a Vectorize index binding (env.VECTORIZE)')),
    /** Outside Workers: the Cloudflare account id, an API token with Vectorize edit rights and the index name. */
    accountId: z.optional(z.string().check(z.regex(/^[A-Za-z0-9]{1,64}$/, 'expected the Cloudflare account id'))),
    apiToken: z.optional(z.string().check(z.minLength(1))),
    indexName: z.optional(
      z.string().check(z.regex(/^[a-z0-9-]{1,64}$/, 'Vectorize index names are 1-64 lowercase letters, digits and "-"')),
    ),
    /** REST base (default https://api.cloudflare.com/client/v4); tests point it at a fake. */
    apiBase: z.optional(z.string().check(z.regex(/^https?:\/\/\S+$/, 'expected an http(s) URL'))),
    /** The Vectorize namespace (default: the Memory's collection). At most 64 bytes. */
    namespace: z.optional(
      z.string().check(
        z.minLength(1),
        z.refine((v) => utf8Bytes(v) <= 64, 'Vectorize namespaces are at most 64 bytes'),
      ),
    ),
    /** The index's metric (fixed at `wrangler vectorize create`). A binding cannot report it: default cosine. */
    metric: z.optional(z.enum(['cosine', 'euclidean', 'dot-product'])),
    /**
     * Payload fields with a metadata index (`wrangler vectorize create-metadata-index --property-name f
     * --type string|number|boolean`) and its type, filtered on natively; every other condition is applied
     * by the adapter. Default: user_id, agent_id and run_id as strings. `_em_h` (number) is always
     * required on top: listing pages through it (Vectorize allows 10 metadata indexes).
     */
    indexedFields: z.optional(
      z
        .record(fieldName, z.enum(['string', 'number', 'boolean']))
        .check(z.refine((r) => Object.keys(r).length <= 9, 'at most 9 fields (Vectorize allows 10 metadata indexes, one is _em_h)')),
    ),
    /**
     * Vectorize applies writes asynchronously. The adapter waits (polling getByIds) until its writes are
     * visible, so a read after a write sees it: at most `visibilityTimeoutMs` (default 60000), polling
     * every `visibilityPollMs` (default 500). 0 disables the wait (reads may then miss recent writes).
     */
    visibilityTimeoutMs: z.optional(z.number().check(z.gte(0), z.lte(600_000))),
    visibilityPollMs: z.optional(z.number().check(z.gte(1), z.lte(60_000))),
    ...transportShape,
  })
  .check(
    z.refine(
      (c) => c.index !== undefined || (c.accountId !== undefined && c.apiToken !== undefined && c.indexName !== undefined),
      'give either `index` (a Vectorize binding) or `accountId`, `apiToken` and `indexName` (the REST API)',
    ),
  )

export type VectorizeConfig = z.infer<typeof vectorizeConfigSchema>

// The `vectorize` entry of the provider config type map (docs/architecture.md, "How to add a provider").
declare module '../../src/providers/config-types.ts' {
  interface VectorStoreProviders {
    vectorize: z.input<typeof vectorizeConfigSchema>
  }
}
