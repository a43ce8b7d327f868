import { defineProvider } from '../../src/internal.ts'
import { azureAiSearchConfigSchema, type AzureAiSearchConfig } from './config.ts'

/** The `azure_ai_search` vector store: its config schema is checked when a Memory is built, the adapter loads on first use. */
export const azureAiSearchProvider = defineProvider({
  kind: 'vectorStore',
  name: 'azure_ai_search',
  factory: async (config, context) =>
    new (await import('./store.ts')).AzureAiSearchVectorStore(config as AzureAiSearchConfig, context.collection),
  options: { schema: azureAiSearchConfigSchema },
})
