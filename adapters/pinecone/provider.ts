import { defineProvider } from '../../src/internal.ts'
import { pineconeConfigSchema, type PineconeConfig } from './config.ts'

/** The `pinecone` vector store: its config schema is checked when a Memory is built, the adapter loads on first use. */
export const pineconeProvider = defineProvider({
  kind: 'vectorStore',
  name: 'pinecone',
  factory: async (config, context) => new (await import('./store.ts')).PineconeVectorStore(config as PineconeConfig, context.collection),
  options: { schema: pineconeConfigSchema },
})
