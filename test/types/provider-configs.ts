// Type tests of the provider config map (src/providers/config-types.ts), checked by `npm run typecheck`
// (tsconfig.test.json): every `@ts-expect-error` below must be an error, everything else must
// compile. The same checks run against the packed package under four moduleResolution settings in
// test/package/consumer.ts.
import { Memory, MemoryStorage, registerProvider, type MemoryConfig, type ProviderSpec, type VectorStore } from '../../src/index.ts'

declare module '../../src/index.ts' {
  interface VectorStoreProviders {
    mystore: { url: string; timeoutMs?: number }
  }
}

declare const store: VectorStore

export const valid: MemoryConfig[] = [
  { embedder: { provider: 'openai', config: { apiKey: 'sk', model: 'text-embedding-3-small', dimensions: 256 } } },
  { embedder: { provider: 'transformers', config: { model: 'Xenova/all-MiniLM-L6-v2', dtype: 'q8' } } },
  { embedder: { provider: 'transformers' }, vectorStore: { provider: 'hnsw', config: { efSearch: 64 } } },
  { vectorStore: { provider: 'flat', config: { hybrid: false } }, storage: { provider: 'memory' } },
  { vectorStore: { provider: 'qdrant', config: { url: 'http://localhost:6333', collection: 'x' } } },
  { vectorStore: { provider: 'upstash', config: { url: 'https://x.upstash.io', token: 't' } } },
  { vectorStore: { provider: 'pinecone', config: { host: 'x.pinecone.io', apiKey: 'k' } } },
  { vectorStore: { provider: 'azure_ai_search', config: { endpoint: 'https://x.search.windows.net', apiKey: 'k' } } },
  {
    vectorStore: {
      provider: 's3_vectors',
      config: { vectorBucketName: 'b', region: 'us-east-1', accessKeyId: 'a', secretAccessKey: 's' },
    },
  },
  {
    vectorStore: {
      provider: 'neptune',
      config: { graphId: 'g-0123456789', region: 'us-east-1', accessKeyId: 'a', secretAccessKey: 's' },
    },
  },
  { vectorStore: { provider: 'elasticsearch', config: { url: 'http://localhost:9200', apiKey: 'k', metric: 'dot' } } },
  {
    vectorStore: {
      provider: 'opensearch',
      config: { url: 'https://search.example', aws: { region: 'us-east-1', accessKeyId: 'a', secretAccessKey: 's' } },
    },
  },
  { vectorStore: { provider: 'chroma', config: { url: 'http://localhost:8000', tenant: 'default_tenant', space: 'cosine' } } },
  { vectorStore: { provider: 'weaviate', config: { url: 'http://localhost:8080', className: 'Memories', distance: 'dot' } } },
  { vectorStore: { provider: 'milvus', config: { url: 'http://localhost:19530', token: 'root:Milvus', metric: 'IP' } } },
  {
    storage: { provider: 'indexeddb', config: { dbName: 'notes' } },
    llm: { provider: 'openai', config: { baseURL: 'http://localhost:11434/v1' } },
  },
  // A provider added by module augmentation, and instances instead of specs.
  { vectorStore: { provider: 'mystore', config: { url: 'http://127.0.0.1:1' } }, storage: new MemoryStorage() },
  { vectorStore: store },
]

export const invalid: MemoryConfig[] = [
  // @ts-expect-error misspelled key (apikey for apiKey)
  { embedder: { provider: 'openai', config: { apikey: 'sk' } } },
  // @ts-expect-error unknown provider
  { vectorStore: { provider: 'chroma' } },
  // @ts-expect-error a provider of another kind
  { vectorStore: { provider: 'indexeddb' } },
  // @ts-expect-error qdrant needs its url: config is required
  { vectorStore: { provider: 'qdrant' } },
  // @ts-expect-error wrong value type
  { vectorStore: { provider: 'hnsw', config: { efSearch: '64' } } },
  // @ts-expect-error the augmented provider's config is checked too
  { vectorStore: { provider: 'mystore', config: { url: 'http://127.0.0.1:1', timeout: 5 } } },
]

// Specs built apart from a Memory config keep their kind.
export const embedderSpec: ProviderSpec<'embedder'> = { provider: 'openai', config: { baseURL: 'http://localhost:8080/v1' } }
// @ts-expect-error not an embedder
export const wrongKind: ProviderSpec<'embedder'> = { provider: 'flat' }

registerProvider('vectorStore', 'mystore', () => store)
export const memory = new Memory({ embedder: embedderSpec, vectorStore: { provider: 'mystore', config: { url: 'http://127.0.0.1:1' } } })
