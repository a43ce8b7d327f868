/**
 * edgemem/adapters/neptune-analytics — Amazon Neptune Analytics as the Memory's vector store (`neptune`)
 * and as its graph store (`neptune-analytics`): openCypher over HTTPS with SigV4, parameterised queries,
 * fetch only. See docs/adapters/neptune-analytics.md and docs/graph.md.
 */
import { type GraphStore, parseConfig, registerProvider, type ProviderContext, type VectorStore } from '../src/internal.ts'
import {
  neptuneAnalyticsConfigSchema,
  neptuneAnalyticsGraphConfigSchema,
  type NeptuneAnalyticsConfig,
  type NeptuneAnalyticsGraphConfig,
} from './neptune-analytics/config.ts'
import { createNeptuneAnalyticsGraphStore as createGraph } from './neptune-analytics/graph-store.ts'
import { neptuneAnalyticsGraphProvider, neptuneAnalyticsProvider } from './neptune-analytics/provider.ts'
import { NeptuneAnalyticsVectorStore } from './neptune-analytics/store.ts'

// Importing this module registers the providers: needed in Cloudflare Workers, harmless elsewhere.
registerProvider(neptuneAnalyticsProvider)
registerProvider(neptuneAnalyticsGraphProvider)

export { NeptuneAnalyticsVectorStore, neptuneAnalyticsConfigSchema, neptuneAnalyticsProvider, type NeptuneAnalyticsConfig }
export { neptuneAnalyticsGraphConfigSchema, neptuneAnalyticsGraphProvider, type NeptuneAnalyticsGraphConfig }
export { compileNeptuneFilter } from './neptune-analytics/filter.ts'

export function createNeptuneAnalyticsVectorStore(
  config: NeptuneAnalyticsConfig | Record<string, unknown>,
  context: Pick<ProviderContext, 'collection'>,
): VectorStore {
  return new NeptuneAnalyticsVectorStore(parseConfig(neptuneAnalyticsConfigSchema, config, 'vectorStore.config'), context.collection)
}

export function createNeptuneAnalyticsGraphStore(
  config: NeptuneAnalyticsGraphConfig | Record<string, unknown>,
  context: Pick<ProviderContext, 'collection'>,
): GraphStore {
  return createGraph(parseConfig(neptuneAnalyticsGraphConfigSchema, config, 'graphStore.config'), context.collection)
}
