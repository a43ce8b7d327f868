/**
 * edgemem/adapters/upstash — Upstash Vector as the Memory's vector store, over Upstash's REST API with
 * fetch only (browsers, Workers, Deno, Bun, Node). See docs/adapters/upstash.md.
 */
import { parseConfig, registerProvider, type ProviderContext, type VectorStore } from '../src/internal.ts'
import { upstashConfigSchema, type UpstashConfig } from './upstash/config.ts'
import { upstashProvider } from './upstash/provider.ts'
import { UpstashVectorStore } from './upstash/store.ts'

// Importing this module registers the provider: needed in Cloudflare Workers, harmless elsewhere.
registerProvider(upstashProvider)

export { UpstashVectorStore, upstashConfigSchema, upstashProvider, type UpstashConfig }
export { compileUpstashFilter } from './upstash/filter.ts'

export function createUpstashVectorStore(
  config: UpstashConfig | Record<string, unknown>,
  context: Pick<ProviderContext, 'collection'>,
): VectorStore {
  return new UpstashVectorStore(parseConfig(upstashConfigSchema, config, 'vectorStore.config'), context.collection)
}
