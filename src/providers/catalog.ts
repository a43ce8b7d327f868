// Data only, no imports of providers: the registry reads this to tell a user which module registers a
// built-in provider that the running build of edgemem does not carry. Every entry of edgemem registers
// the light providers (src/providers/light.ts); the default entry (src/index.ts) also registers every
// provider below, lazily; the workerd entry (src/index.workerd.ts) does not, so that wrangler, which
// inlines every dynamic import, bundles only the providers a Worker imports. See docs/architecture.md,
// "How to add a provider".

export const TRANSFORMERS_IN_WORKERD =
  'the "transformers" embedder cannot run in Cloudflare Workers (workerd): transformers.js and ONNX Runtime ' +
  'compile WebAssembly from bytes at run time, which workerd forbids, and the runtime plus model exceed the ' +
  'script size limits. Use the "workers-ai" embedder (binding: env.AI, after import "edgemem/providers") or the "openai" embedder with any OpenAI-compatible endpoint instead, e.g. ' +
  "embedder: { provider: 'openai', config: { baseURL, apiKey, model } } (OpenAI, Workers AI's OpenAI-compatible " +
  'endpoint, or your own server), or compute embeddings elsewhere and pass your own Embedder instance.'

export interface ProviderModule {
  /** The import that registers the provider, e.g. `edgemem/adapters/qdrant`. */
  module: string
  /** Why the provider cannot run in workerd at all, when that is so (replaces the import advice there). */
  workerd?: string
}

/** Built-in providers that are not light, by kind and name: one line each. */
export const PROVIDER_MODULES = {
  embedder: {
    transformers: { module: 'edgemem/transformers', workerd: TRANSFORMERS_IN_WORKERD },
    gemini: { module: 'edgemem/providers' },
    cohere: { module: 'edgemem/providers' },
    voyage: { module: 'edgemem/providers' },
    jina: { module: 'edgemem/providers' },
    bedrock: { module: 'edgemem/providers' },
    'azure-openai': { module: 'edgemem/providers' },
    huggingface: { module: 'edgemem/providers' },
    'workers-ai': { module: 'edgemem/providers' },
  },
  llm: {
    anthropic: { module: 'edgemem/providers' },
    gemini: { module: 'edgemem/providers' },
    bedrock: { module: 'edgemem/providers' },
    'azure-openai': { module: 'edgemem/providers' },
    'workers-ai': { module: 'edgemem/providers' },
  },
  vectorStore: {
    hnsw: { module: 'edgemem/hnsw' },
    upstash: { module: 'edgemem/adapters/upstash' },
    qdrant: { module: 'edgemem/adapters/qdrant' },
    pinecone: { module: 'edgemem/adapters/pinecone' },
    azure_ai_search: { module: 'edgemem/adapters/azure-ai-search' },
    s3_vectors: { module: 'edgemem/adapters/s3-vectors' },
    neptune: { module: 'edgemem/adapters/neptune-analytics' },
    chroma: { module: 'edgemem/adapters/chroma' },
    elasticsearch: { module: 'edgemem/adapters/elasticsearch' },
    opensearch: { module: 'edgemem/adapters/opensearch' },
    pgvector: { module: 'edgemem/adapters/pgvector' },
    weaviate: { module: 'edgemem/adapters/weaviate' },
    milvus: { module: 'edgemem/adapters/milvus' },
    vectorize: { module: 'edgemem/adapters/vectorize' },
  },
  storage: {
    indexeddb: { module: 'edgemem/indexeddb' },
  },
  reranker: {
    transformers: { module: 'edgemem/transformers', workerd: TRANSFORMERS_IN_WORKERD },
    cohere: { module: 'edgemem/providers' },
    jina: { module: 'edgemem/providers' },
    voyage: { module: 'edgemem/providers' },
    llm: { module: 'edgemem/providers' },
  },
  graphStore: {
    local: { module: 'edgemem/providers' },
    neo4j: { module: 'edgemem/adapters/neo4j' },
    neptune: { module: 'edgemem/adapters/neptune' },
    'neptune-analytics': { module: 'edgemem/adapters/neptune-analytics' },
  },
} satisfies Record<'embedder' | 'llm' | 'vectorStore' | 'storage' | 'reranker' | 'graphStore', Record<string, ProviderModule>>
