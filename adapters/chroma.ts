/**
 * edgemem/adapters/chroma — a Chroma collection as the Memory's vector store, over Chroma's HTTP API v2
 * (tenants, databases, collections) with fetch only (browsers, Workers, Deno, Bun, Node). Works with a
 * local `chroma run` server and Chroma Cloud. See docs/adapters/chroma.md.
 */
import { parseConfig, registerProvider, type ProviderContext, type VectorStore } from '../src/internal.ts'
import { chromaConfigSchema, type ChromaConfig } from './chroma/config.ts'
import { chromaProvider } from './chroma/provider.ts'
import { ChromaVectorStore } from './chroma/store.ts'

// Importing this module registers the provider: needed in Cloudflare Workers, harmless elsewhere.
registerProvider(chromaProvider)

export { ChromaVectorStore, chromaConfigSchema, chromaProvider, type ChromaConfig }
export { compileChromaFilter } from './chroma/filter.ts'

export function createChromaVectorStore(
  config: ChromaConfig | Record<string, unknown>,
  context: Pick<ProviderContext, 'collection'>,
): VectorStore {
  return new ChromaVectorStore(parseConfig(chromaConfigSchema, config, 'vectorStore.config'), context.collection)
}
