import { defineProvider } from '../../src/internal.ts'
import { elasticsearchConfigSchema, opensearchConfigSchema, type ElasticsearchConfig, type OpenSearchConfig } from './config.ts'

/** The `elasticsearch` vector store: its config schema is checked when a Memory is built, the adapter loads on first use. */
export const elasticsearchProvider = defineProvider({
  kind: 'vectorStore',
  name: 'elasticsearch',
  factory: async (config, context) =>
    new (await import('./store.ts')).SearchEngineVectorStore('elasticsearch', config as ElasticsearchConfig, context.collection),
  options: { schema: elasticsearchConfigSchema },
})

/** The `opensearch` vector store (same adapter, OpenSearch's k-NN plugin dialect). */
export const opensearchProvider = defineProvider({
  kind: 'vectorStore',
  name: 'opensearch',
  factory: async (config, context) =>
    new (await import('./store.ts')).SearchEngineVectorStore('opensearch', config as OpenSearchConfig, context.collection),
  options: { schema: opensearchConfigSchema },
})
