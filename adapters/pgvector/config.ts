import * as z from 'zod/mini'

/** A Postgres identifier edgemem writes into SQL unquoted-safe: lower-case letters, digits and "_" (it is still quoted). */
const identifier = z
  .string()
  .check(z.regex(/^[a-z_][a-z0-9_]{0,39}$/, 'use lower-case letters, digits and "_" (at most 40, not starting with a digit)'))

export const pgvectorConfigSchema = z.strictObject({
  /** postgres://user:password@host:port/database[?sslmode=require]: Supabase, Neon, RDS, a local server, Hyperdrive's connectionString. */
  connectionString: z.string().check(z.regex(/^postgres(ql)?:\/\/\S+$/, 'expected a postgres:// or postgresql:// connection URL')),
  /** The table (default "edgemem_memories"), created on first use. Memories of different Memory collections share it, kept apart by a namespace column. */
  table: z.optional(identifier),
  /** The schema of the table (default "public"). */
  schema: z.optional(identifier),
  /** Distance of the HNSW index and of the query operator (default cosine). */
  metric: z.optional(z.enum(['cosine', 'inner_product', 'l2'])),
  /** Connections in the pool (default 4; 1 suits a Worker request or a serverless function). */
  maxConnections: z.optional(z.int().check(z.gte(1), z.lte(100))),
  /**
   * Named prepared statements (default true). Set false behind a transaction-mode pooler that cannot keep
   * them (PgBouncer before 1.21, Supabase's port 6543 pooler); the queries stay parameterised either way.
   */
  prepare: z.optional(z.boolean()),
  /** HNSW candidate list size per query (hnsw.ef_search, default 100); higher is more accurate and slower. */
  efSearch: z.optional(z.int().check(z.gte(1), z.lte(1000))),
  /**
   * Keep a pool of connections across calls (default true). Set false in Cloudflare Workers, where a socket
   * opened while serving one request cannot be used by another: each call then opens one connection and
   * closes it (cheap through Hyperdrive, which pools next to the database).
   */
  reuseConnections: z.optional(z.boolean()),
  /** Seconds to wait for a connection (default 30). */
  connectTimeoutSeconds: z.optional(z.number().check(z.positive(), z.lte(600))),
})

export type PgvectorConfig = z.infer<typeof pgvectorConfigSchema>

// The `pgvector` entry of the provider config type map (docs/architecture.md, "How to add a provider").
declare module '../../src/providers/config-types.ts' {
  interface VectorStoreProviders {
    pgvector: z.input<typeof pgvectorConfigSchema>
  }
}
