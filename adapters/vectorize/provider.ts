import { defineProvider } from '../../src/internal.ts'
import { vectorizeConfigSchema, type VectorizeConfig } from './config.ts'

/** The `vectorize` vector store: its config schema is checked when a Memory is built, the adapter loads on first use. */
export const vectorizeProvider = defineProvider({
  kind: 'vectorStore',
  name: 'vectorize',
  factory: async (config, context) => new (await import('./store.ts')).VectorizeVectorStore(config as VectorizeConfig, context.collection),
  options: { schema: vectorizeConfigSchema },
})
