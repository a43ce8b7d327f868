/**
 * edgemem/adapters/opensearch — an OpenSearch index (knn_vector, k-NN query with filters) as the Memory's
 * vector store, over the REST API with fetch only (browsers, Workers, Deno, Bun, Node); SigV4 for Amazon
 * OpenSearch Service. Same adapter as edgemem/adapters/elasticsearch. See docs/adapters/elasticsearch.md.
 */
import { parseConfig, registerProvider, type ProviderContext, type VectorStore } from '../src/internal.ts'
import { opensearchConfigSchema, type OpenSearchConfig } from './elasticsearch/config.ts'
import { opensearchProvider } from './elasticsearch/provider.ts'
import { SearchEngineVectorStore } from './elasticsearch/store.ts'

// Importing this module registers the provider: needed in Cloudflare Workers, harmless elsewhere.
registerProvider(opensearchProvider)

export { opensearchConfigSchema, opensearchProvider, type OpenSearchConfig }

export function createOpenSearchVectorStore(
  config: OpenSearchConfig | Record<string, unknown>,
  context: Pick<ProviderContext, 'collection'>,
): VectorStore {
  return new SearchEngineVectorStore('opensearch', parseConfig(opensearchConfigSchema, config, 'vectorStore.config'), context.collection)
}
