import * as z from 'zod/mini'
import { transportShape } from '../../src/internal.ts'

/** Upstash passes the namespace unencoded in the path: keep it to characters that need no encoding. */
export const UPSTASH_NAMESPACE = /^[A-Za-z0-9_-]{0,100}$/

export const upstashConfigSchema = z.strictObject({
  /** UPSTASH_VECTOR_REST_URL. */
  url: z.string().check(z.regex(/^https?:\/\/\S+$/, 'expected the http(s) REST URL of the index')),
  /** UPSTASH_VECTOR_REST_TOKEN. */
  token: z.string().check(z.minLength(1)),
  /** Default: the Memory's collection. "" is Upstash's default namespace. */
  namespace: z.optional(z.string().check(z.regex(UPSTASH_NAMESPACE, 'use letters, digits, "_" and "-" (at most 100)'))),
  ...transportShape,
})

export type UpstashConfig = z.infer<typeof upstashConfigSchema>

// The `upstash` entry of the provider config type map (docs/architecture.md, "How to add a provider").
declare module '../../src/providers/config-types.ts' {
  interface VectorStoreProviders {
    upstash: z.input<typeof upstashConfigSchema>
  }
}
