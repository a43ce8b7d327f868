import * as z from 'zod/mini'
import { transportShape } from '../../src/internal.ts'

const secret = z.string().check(z.minLength(1))

export const neo4jConfigSchema = z.strictObject({
  /** The server's HTTP(S) address: http://localhost:7474, or an AuraDB instance's https://<id>.databases.neo4j.io. */
  url: z.string().check(z.regex(/^https?:\/\/[^\s?#]+$/, 'expected an http(s) URL without query or fragment')),
  /** Database name (default "neo4j"). */
  database: z.optional(z.string().check(z.regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/, 'expected a Neo4j database name'))),
  /** Basic auth: user and password. */
  username: z.optional(secret),
  password: z.optional(secret),
  /** Bearer auth (an SSO / OIDC token) instead of a user and password. */
  token: z.optional(secret),
  /** Create the store's indexes on first use (default true); turn off for a user without schema privileges (an admin creates them once). */
  createIndexes: z.optional(z.boolean()),
  /** Cosine similarity of name embeddings at or above which two names of a scope are one entity (default 0.92). */
  resolveSimilarity: z.optional(z.number().check(z.gt(0), z.lte(1))),
  ...transportShape,
})

export type Neo4jConfig = z.infer<typeof neo4jConfigSchema>

// The `neo4j` entry of the provider config type map (docs/architecture.md, "How to add a provider").
declare module '../../src/providers/config-types.ts' {
  interface GraphStoreProviders {
    neo4j: z.input<typeof neo4jConfigSchema>
  }
}
