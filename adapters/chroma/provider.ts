import { defineProvider } from '../../src/internal.ts'
import { chromaConfigSchema, type ChromaConfig } from './config.ts'

/** The `chroma` vector store: its config schema is checked when a Memory is built, the adapter loads on first use. */
export const chromaProvider = defineProvider({
  kind: 'vectorStore',
  name: 'chroma',
  factory: async (config, context) => new (await import('./store.ts')).ChromaVectorStore(config as ChromaConfig, context.collection),
  options: { schema: chromaConfigSchema },
})
