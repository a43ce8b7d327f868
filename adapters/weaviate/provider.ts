import { defineProvider } from '../../src/internal.ts'
import { weaviateConfigSchema, type WeaviateConfig } from './config.ts'

/** The `weaviate` vector store: its config schema is checked when a Memory is built, the adapter loads on first use. */
export const weaviateProvider = defineProvider({
  kind: 'vectorStore',
  name: 'weaviate',
  factory: async (config, context) => new (await import('./store.ts')).WeaviateVectorStore(config as WeaviateConfig, context.collection),
  options: { schema: weaviateConfigSchema },
})
