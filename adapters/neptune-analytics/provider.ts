import { defineProvider } from '../../src/internal.ts'
import {
  neptuneAnalyticsConfigSchema,
  neptuneAnalyticsGraphConfigSchema,
  type NeptuneAnalyticsConfig,
  type NeptuneAnalyticsGraphConfig,
} from './config.ts'

/** The `neptune` vector store (Neptune Analytics): its config schema is checked when a Memory is built, the adapter loads on first use. */
export const neptuneAnalyticsProvider = defineProvider({
  kind: 'vectorStore',
  name: 'neptune',
  factory: async (config, context) =>
    new (await import('./store.ts')).NeptuneAnalyticsVectorStore(config as NeptuneAnalyticsConfig, context.collection),
  options: { schema: neptuneAnalyticsConfigSchema },
})

/** The `neptune-analytics` graph store (graph memory in a Neptune Analytics graph). */
export const neptuneAnalyticsGraphProvider = defineProvider({
  kind: 'graphStore',
  name: 'neptune-analytics',
  factory: async (config, context) =>
    (await import('./graph-store.ts')).createNeptuneAnalyticsGraphStore(config as NeptuneAnalyticsGraphConfig, context.collection),
  options: { schema: neptuneAnalyticsGraphConfigSchema },
})
