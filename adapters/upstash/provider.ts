import { defineProvider } from '../../src/internal.ts'
import { upstashConfigSchema, type UpstashConfig } from './config.ts'

/** The `upstash` vector store: its config schema is checked when a Memory is built, the adapter loads on first use. */
export const upstashProvider = defineProvider({
  kind: 'vectorStore',
  name: 'upstash',
  factory: async (config, context) => new (await import('./store.ts')).UpstashVectorStore(config as UpstashConfig, context.collection),
  options: { schema: upstashConfigSchema },
})
