/**
 * edgemem/adapters/azure-ai-search — Azure AI Search as the Memory's vector store, over its REST API with
 * fetch only (browsers, Workers, Deno, Bun, Node). See docs/adapters/azure-ai-search.md.
 */
import { parseConfig, registerProvider, type ProviderContext, type VectorStore } from '../src/internal.ts'
import { azureAiSearchConfigSchema, type AzureAiSearchConfig } from './azure-ai-search/config.ts'
import { azureAiSearchProvider } from './azure-ai-search/provider.ts'
import { AzureAiSearchVectorStore } from './azure-ai-search/store.ts'

// Importing this module registers the provider: needed in Cloudflare Workers, harmless elsewhere.
registerProvider(azureAiSearchProvider)

export { AzureAiSearchVectorStore, azureAiSearchConfigSchema, azureAiSearchProvider, type AzureAiSearchConfig }
export { compileAzureFilter } from './azure-ai-search/filter.ts'

export function createAzureAiSearchVectorStore(
  config: AzureAiSearchConfig | Record<string, unknown>,
  context: Pick<ProviderContext, 'collection'>,
): VectorStore {
  return new AzureAiSearchVectorStore(parseConfig(azureAiSearchConfigSchema, config, 'vectorStore.config'), context.collection)
}
