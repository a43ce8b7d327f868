import * as z from 'zod/mini'
import { transportShape } from '../../src/internal.ts'

export const weaviateConfigSchema = z.strictObject({
  /** e.g. http://localhost:8080 (a local Weaviate) or https://<cluster>.weaviate.cloud (Weaviate Cloud). */
  url: z.string().check(z.regex(/^https?:\/\/\S+$/, 'expected the http(s) URL of the Weaviate server')),
  /** Sent as `Authorization: Bearer <key>` (Weaviate Cloud and API-key auth). Optional for servers with anonymous access. */
  apiKey: z.optional(z.string().check(z.minLength(1))),
  /**
   * The Weaviate class (collection; default "Edgemem"). Weaviate capitalises class names: "memories" is
   * the class "Memories". Memories of different Memory collections share it, kept apart by a tenant property.
   */
  className: z.optional(
    z
      .string()
      .check(
        z.regex(/^[A-Za-z][_0-9A-Za-z]{0,254}$/, 'expected a Weaviate class name: a letter, then letters, digits or "_" (at most 255)'),
      ),
  ),
  /** Vector index distance used when the adapter creates the class (default cosine). */
  distance: z.optional(z.enum(['cosine', 'dot', 'l2-squared'])),
  ...transportShape,
})

export type WeaviateConfig = z.infer<typeof weaviateConfigSchema>

// The `weaviate` entry of the provider config type map (docs/architecture.md, "How to add a provider").
declare module '../../src/providers/config-types.ts' {
  interface VectorStoreProviders {
    weaviate: z.input<typeof weaviateConfigSchema>
  }
}
