/**
 * edgemem/adapters/vectorize — a Cloudflare Vectorize index as the Memory's vector store, through the
 * index binding in a Worker or Cloudflare's REST API elsewhere (fetch only). See docs/adapters/vectorize.md.
 */
import { parseConfig, registerProvider, type ProviderContext, type VectorStore } from '../src/internal.ts'
import { vectorizeConfigSchema, type VectorizeConfig } from './vectorize/config.ts'
import { vectorizeProvider } from './vectorize/provider.ts'
import { VectorizeVectorStore } from './vectorize/store.ts'

// Importing this module registers the provider: needed in Cloudflare Workers, harmless elsewhere.
registerProvider(vectorizeProvider)

export { VectorizeVectorStore, vectorizeConfigSchema, vectorizeProvider, type VectorizeConfig }
export { compileVectorizeFilter } from './vectorize/filter.ts'
export type { VectorizeBinding } from './vectorize/api.ts'

export function createVectorizeVectorStore(
  config: VectorizeConfig | Record<string, unknown>,
  context: Pick<ProviderContext, 'collection'>,
): VectorStore {
  return new VectorizeVectorStore(parseConfig(vectorizeConfigSchema, config, 'vectorStore.config'), context.collection)
}
