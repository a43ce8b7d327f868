import type * as z from 'zod/mini'
import type { azureAiSearchConfigSchema } from '../adapters/azure-ai-search/config.ts'
import { azureAiSearchProvider } from '../adapters/azure-ai-search/provider.ts'
import type { neptuneAnalyticsConfigSchema, neptuneAnalyticsGraphConfigSchema } from '../adapters/neptune-analytics/config.ts'
import { neptuneAnalyticsGraphProvider, neptuneAnalyticsProvider } from '../adapters/neptune-analytics/provider.ts'
import type { pineconeConfigSchema } from '../adapters/pinecone/config.ts'
import { pineconeProvider } from '../adapters/pinecone/provider.ts'
import type { s3VectorsConfigSchema } from '../adapters/s3-vectors/config.ts'
import { s3VectorsProvider } from '../adapters/s3-vectors/provider.ts'
import type { qdrantConfigSchema } from '../adapters/qdrant/config.ts'
import { qdrantProvider } from '../adapters/qdrant/provider.ts'
import type { pgvectorConfigSchema } from '../adapters/pgvector/config.ts'
import { pgvectorProvider } from '../adapters/pgvector/provider.ts'
import type { upstashConfigSchema } from '../adapters/upstash/config.ts'
import { upstashProvider } from '../adapters/upstash/provider.ts'
import type { chromaConfigSchema } from '../adapters/chroma/config.ts'
import { chromaProvider } from '../adapters/chroma/provider.ts'
import type { elasticsearchConfigSchema, opensearchConfigSchema } from '../adapters/elasticsearch/config.ts'
import { elasticsearchProvider, opensearchProvider } from '../adapters/elasticsearch/provider.ts'
import type { neo4jConfigSchema } from '../adapters/neo4j/config.ts'
import { neo4jProvider } from '../adapters/neo4j/provider.ts'
import type { neptuneConfigSchema } from '../adapters/neptune/config.ts'
import { neptuneProvider } from '../adapters/neptune/provider.ts'
import type { weaviateConfigSchema } from '../adapters/weaviate/config.ts'
import { weaviateProvider } from '../adapters/weaviate/provider.ts'
import type { milvusConfigSchema } from '../adapters/milvus/config.ts'
import { milvusProvider } from '../adapters/milvus/provider.ts'
import type { vectorizeConfigSchema } from '../adapters/vectorize/config.ts'
import { vectorizeProvider } from '../adapters/vectorize/provider.ts'
import { LIGHT_PROVIDERS } from './providers/light.ts'
import { SERVICE_PROVIDERS } from './providers/service-providers.ts'
import { indexedDbProvider } from './providers/storage/indexeddb-config.ts'
import { transformersProvider, transformersRerankerProvider } from './providers/transformers/provider.ts'
import { hnswProvider } from './providers/vector-stores/hnsw.ts'
import { registerProvider, type ProviderDefinition } from './registry.ts'

/**
 * The composition root: the one module that wires every built-in provider and adapter into the
 * registry, one line each. It is the only module in src/ that imports adapters/ (adapters build on the
 * core through src/internal.ts; test/unit/boundaries.test.ts holds both rules), and only src/index.ts
 * (the default entry) runs it; the workerd entry (src/index.workerd.ts) registers only the light
 * providers and leaves the others to an import of their module (listed in providers/catalog.ts). Each
 * definition validates its config with a small schema loaded now and imports its implementation on first
 * use, so bundlers that split code put it in a chunk of its own.
 */
export const BUILTIN_PROVIDERS: readonly ProviderDefinition[] = [
  ...LIGHT_PROVIDERS,
  ...SERVICE_PROVIDERS,
  hnswProvider,
  indexedDbProvider,
  transformersProvider,
  upstashProvider,
  qdrantProvider,
  pineconeProvider,
  azureAiSearchProvider,
  s3VectorsProvider,
  neptuneAnalyticsProvider,
  chromaProvider,
  elasticsearchProvider,
  opensearchProvider,
  pgvectorProvider,
  transformersRerankerProvider,
  neo4jProvider,
  neptuneProvider,
  neptuneAnalyticsGraphProvider,
  weaviateProvider,
  milvusProvider,
  vectorizeProvider,
]

/** Registers every built-in provider (what src/index.ts does when it is imported). */
export function registerBuiltinProviders(): void {
  for (const provider of BUILTIN_PROVIDERS) registerProvider(provider)
}

/**
 * The adapters' config types by provider name. Each adapter's config.ts adds its own to
 * VectorStoreProviders (module augmentation); src/index.ts re-exports this type, which makes every
 * program that sees edgemem's types load those config modules, and so their entries.
 */
export interface AdapterConfigs {
  upstash: z.input<typeof upstashConfigSchema>
  qdrant: z.input<typeof qdrantConfigSchema>
  pinecone: z.input<typeof pineconeConfigSchema>
  azure_ai_search: z.input<typeof azureAiSearchConfigSchema>
  s3_vectors: z.input<typeof s3VectorsConfigSchema>
  neptune: z.input<typeof neptuneAnalyticsConfigSchema>
  chroma: z.input<typeof chromaConfigSchema>
  elasticsearch: z.input<typeof elasticsearchConfigSchema>
  opensearch: z.input<typeof opensearchConfigSchema>
  pgvector: z.input<typeof pgvectorConfigSchema>
  neo4j: z.input<typeof neo4jConfigSchema>
  neptune_database: z.input<typeof neptuneConfigSchema>
  neptune_analytics_graph: z.input<typeof neptuneAnalyticsGraphConfigSchema>
  weaviate: z.input<typeof weaviateConfigSchema>
  milvus: z.input<typeof milvusConfigSchema>
  vectorize: z.input<typeof vectorizeConfigSchema>
}
