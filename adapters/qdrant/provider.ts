import { defineProvider } from '../../src/internal.ts'
import { qdrantConfigSchema, type QdrantConfig } from './config.ts'

/** The `qdrant` vector store: its config schema is checked when a Memory is built, the adapter loads on first use. */
export const qdrantProvider = defineProvider({
  kind: 'vectorStore',
  name: 'qdrant',
  factory: async (config, context) => new (await import('./store.ts')).QdrantVectorStore(config as QdrantConfig, context.collection),
  options: { schema: qdrantConfigSchema },
})
