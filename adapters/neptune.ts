/**
 * edgemem/adapters/neptune — Amazon Neptune Database as the Memory's graph store: openCypher over HTTPS,
 * SigV4 (IAM database authentication) when credentials are given, parameterised queries, fetch only.
 * See docs/adapters/neptune.md and docs/graph.md. (Neptune Analytics: edgemem/adapters/neptune-analytics.)
 */
import { type GraphStore, parseConfig, registerProvider } from '../src/internal.ts'
import { neptuneConfigSchema, type NeptuneConfig } from './neptune/config.ts'
import { neptuneProvider } from './neptune/provider.ts'
import { createNeptuneGraphStore as create } from './neptune/store.ts'

// Importing this module registers the provider: needed in Cloudflare Workers, harmless elsewhere.
registerProvider(neptuneProvider)

export { neptuneConfigSchema, neptuneProvider, type NeptuneConfig }

export function createNeptuneGraphStore(config: NeptuneConfig | Record<string, unknown>, context: { collection: string }): GraphStore {
  return create(parseConfig(neptuneConfigSchema, config, 'graphStore.config'), context.collection)
}
