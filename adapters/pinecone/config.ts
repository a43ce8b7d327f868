import * as z from 'zod/mini'
import { transportShape } from '../../src/internal.ts'

export const pineconeConfigSchema = z.strictObject({
  /** The index host from the console or `GET /indexes/{name}` (with or without https://). */
  host: z
    .string()
    .check(
      z.regex(/^(https?:\/\/)?[A-Za-z0-9.-]+(:\d+)?\/?$/, 'expected the index host, e.g. my-index-abc123.svc.aped-4627-b74a.pinecone.io'),
    ),
  apiKey: z.string().check(z.minLength(1)),
  /** Default: the Memory's collection. "" is Pinecone's default namespace. */
  namespace: z.optional(z.string().check(z.maxLength(512))),
  ...transportShape,
})

export type PineconeConfig = z.infer<typeof pineconeConfigSchema>

// The `pinecone` entry of the provider config type map (docs/architecture.md, "How to add a provider").
declare module '../../src/providers/config-types.ts' {
  interface VectorStoreProviders {
    pinecone: z.input<typeof pineconeConfigSchema>
  }
}
