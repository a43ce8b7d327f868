import * as z from 'zod/mini'
import { transportShape } from '../../src/internal.ts'

/** Chroma names (tenants, databases, collections): 3-512 characters of [a-zA-Z0-9._-], starting and ending alphanumeric. */
const chromaName = (what: string) =>
  z
    .string()
    .check(
      z.regex(
        /^[A-Za-z0-9](?:[A-Za-z0-9._-]{1,510})[A-Za-z0-9]$/,
        `expected a Chroma ${what} name: 3-512 of a-z A-Z 0-9 . _ -, starting and ending alphanumeric`,
      ),
    )

export const chromaConfigSchema = z.strictObject({
  /** e.g. http://localhost:8000 (a local `chroma run`) or https://api.trychroma.com (Chroma Cloud). */
  url: z.string().check(z.regex(/^https?:\/\/\S+$/, 'expected the http(s) URL of the Chroma server')),
  /** Sent as the `x-chroma-token` header (Chroma Cloud API keys, token auth). Optional for servers without auth. */
  apiKey: z.optional(z.string().check(z.minLength(1))),
  /** Default "default_tenant" (a local server's); Chroma Cloud shows yours in the dashboard. */
  tenant: z.optional(chromaName('tenant')),
  /** Default "default_database"; created when missing. */
  database: z.optional(chromaName('database')),
  /** The Chroma collection (default "edgemem"). Memories of different Memory collections share it, kept apart by a tenant field. */
  collection: z.optional(chromaName('collection')),
  /** Distance used when the adapter creates the collection (default cosine). */
  space: z.optional(z.enum(['cosine', 'l2', 'ip'])),
  ...transportShape,
})

export type ChromaConfig = z.infer<typeof chromaConfigSchema>

// The `chroma` entry of the provider config type map (docs/architecture.md, "How to add a provider").
declare module '../../src/providers/config-types.ts' {
  interface VectorStoreProviders {
    chroma: z.input<typeof chromaConfigSchema>
  }
}
