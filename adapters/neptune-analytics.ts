/**
 * edgemem/adapters/neptune-analytics — Amazon Neptune Analytics as the Memory's vector store: openCypher
 * over HTTPS with SigV4, parameterised queries, fetch only. See docs/adapters/neptune-analytics.md.
 */
import { parseConfig, registerProvider, type ProviderContext, type VectorStore } from '../src/internal.ts'
import { neptuneAnalyticsConfigSchema, type NeptuneAnalyticsConfig } from './neptune-analytics/config.ts'
import { neptuneAnalyticsProvider } from './neptune-analytics/provider.ts'
import { NeptuneAnalyticsVectorStore } from './neptune-analytics/store.ts'

// Importing this module registers the provider: needed in Cloudflare Workers, harmless elsewhere.
registerProvider(neptuneAnalyticsProvider)

export { NeptuneAnalyticsVectorStore, neptuneAnalyticsConfigSchema, neptuneAnalyticsProvider, type NeptuneAnalyticsConfig }
export { compileNeptuneFilter } from './neptune-analytics/filter.ts'

export function createNeptuneAnalyticsVectorStore(
  config: NeptuneAnalyticsConfig | Record<string, unknown>,
  context: Pick<ProviderContext, 'collection'>,
): VectorStore {
  return new NeptuneAnalyticsVectorStore(parseConfig(neptuneAnalyticsConfigSchema, config, 'vectorStore.config'), context.collection)
}
