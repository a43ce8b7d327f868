/**
 * edgemem/adapters/elasticsearch — an Elasticsearch index (dense_vector, kNN search with bool filters) as
 * the Memory's vector store, over the REST API with fetch only (browsers, Workers, Deno, Bun, Node). See
 * docs/adapters/elasticsearch.md.
 */
import { parseConfig, registerProvider, type ProviderContext, type VectorStore } from '../src/internal.ts'
import { elasticsearchConfigSchema, type ElasticsearchConfig } from './elasticsearch/config.ts'
import { elasticsearchProvider } from './elasticsearch/provider.ts'
import { SearchEngineVectorStore } from './elasticsearch/store.ts'

// Importing this module registers the provider: needed in Cloudflare Workers, harmless elsewhere.
registerProvider(elasticsearchProvider)

export { SearchEngineVectorStore, elasticsearchConfigSchema, elasticsearchProvider, type ElasticsearchConfig }
export { compileSearchEngineFilter } from './elasticsearch/filter.ts'

export function createElasticsearchVectorStore(
  config: ElasticsearchConfig | Record<string, unknown>,
  context: Pick<ProviderContext, 'collection'>,
): VectorStore {
  return new SearchEngineVectorStore(
    'elasticsearch',
    parseConfig(elasticsearchConfigSchema, config, 'vectorStore.config'),
    context.collection,
  )
}
