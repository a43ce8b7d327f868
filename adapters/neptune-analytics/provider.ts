import { defineProvider } from '../../src/internal.ts'
import { neptuneAnalyticsConfigSchema, type NeptuneAnalyticsConfig } from './config.ts'

/** The `neptune` vector store (Neptune Analytics): its config schema is checked when a Memory is built, the adapter loads on first use. */
export const neptuneAnalyticsProvider = defineProvider({
  kind: 'vectorStore',
  name: 'neptune',
  factory: async (config, context) =>
    new (await import('./store.ts')).NeptuneAnalyticsVectorStore(config as NeptuneAnalyticsConfig, context.collection),
  options: { schema: neptuneAnalyticsConfigSchema },
})
