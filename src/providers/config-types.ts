import type { ProviderKind } from '../registry.ts'
import type { AnthropicLLMConfig } from './anthropic/config.ts'
import type { AzureOpenAIEmbedderConfig, AzureOpenAILLMConfig } from './azure-openai/config.ts'
import type { BedrockEmbedderConfig, BedrockLLMConfig } from './bedrock/config.ts'
import type { CohereEmbedderConfig } from './cohere/config.ts'
import type { GeminiEmbedderConfig, GeminiLLMConfig } from './gemini/config.ts'
import type { HuggingfaceEmbedderConfig } from './huggingface/config.ts'
import type { JinaEmbedderConfig } from './jina/config.ts'
import type { CohereRerankerConfig, JinaRerankerConfig, LLMRerankerConfig, VoyageRerankerConfig } from './rerankers/config.ts'
import type { OpenAIEmbedderConfig, OpenAILLMConfig } from './openai/config.ts'
import type { CloudflareKvStorageConfig } from './storage/cloudflare-kv-config.ts'
import type { IndexedDbStorageConfig } from './storage/indexeddb-config.ts'
import type { TransformersEmbedderOptions } from './transformers/config.ts'
import type { FlatConfig } from './vector-stores/flat.ts'
import type { LocalGraphConfig } from './graph-stores/local.ts'
import type { HnswConfig } from './vector-stores/hnsw.ts'
import type { VoyageEmbedderConfig } from './voyage/config.ts'
import type { WorkersAIEmbedderConfig, WorkersAILLMConfig } from './workers-ai/config.ts'

// The config type of every provider, by kind and name: what `{ provider, config }` in a MemoryConfig
// accepts. One line per built-in provider (its config as the user writes it, i.e. the schema's input);
// providers in adapters/ add themselves from their config.ts with the same augmentation, and are listed
// in AdapterConfigs of src/builtins.ts so that edgemem's own types load them.
// A custom provider adds its own by module augmentation:
//
//   declare module 'edgemem' {
//     interface VectorStoreProviders { mystore: { url: string } }
//   }

export interface EmbedderProviders {
  openai: OpenAIEmbedderConfig
  transformers: TransformersEmbedderOptions
  gemini: GeminiEmbedderConfig
  cohere: CohereEmbedderConfig
  voyage: VoyageEmbedderConfig
  jina: JinaEmbedderConfig
  bedrock: BedrockEmbedderConfig
  'azure-openai': AzureOpenAIEmbedderConfig
  huggingface: HuggingfaceEmbedderConfig
  'workers-ai': WorkersAIEmbedderConfig
}

export interface LLMProviders {
  openai: OpenAILLMConfig
  anthropic: AnthropicLLMConfig
  gemini: GeminiLLMConfig
  bedrock: BedrockLLMConfig
  'azure-openai': AzureOpenAILLMConfig
  'workers-ai': WorkersAILLMConfig
}

export interface VectorStoreProviders {
  flat: FlatConfig
  hnsw: HnswConfig
  // upstash, qdrant, pinecone: added by their adapters/<name>/config.ts (module augmentation).
}

export interface StorageProviders {
  memory: Record<string, never>
  indexeddb: IndexedDbStorageConfig
  'cloudflare-kv': CloudflareKvStorageConfig
}

export interface RerankerProviders {
  cohere: CohereRerankerConfig
  jina: JinaRerankerConfig
  voyage: VoyageRerankerConfig
  llm: LLMRerankerConfig
  transformers: TransformersEmbedderOptions
}

export interface GraphStoreProviders {
  local: LocalGraphConfig
}

export interface ProviderConfigs {
  embedder: EmbedderProviders
  llm: LLMProviders
  vectorStore: VectorStoreProviders
  storage: StorageProviders
  reranker: RerankerProviders
  graphStore: GraphStoreProviders
}

/** `config` may be left out exactly when every key of the provider's config is optional. */
// biome-ignore lint/complexity/noBannedTypes: `{} extends C` is the test for "every key of C is optional"
type SpecFor<N extends string, C> = {} extends C ? { provider: N; config?: C } : { provider: N; config: C }

type SpecsOf<M> = { [N in keyof M & string]: SpecFor<N, M[N]> }[keyof M & string]

/**
 * `{ provider, config }` for a provider of kind `K` (every kind when omitted): a discriminated union, so
 * a literal config with an unknown provider name or a misspelled key is a type error.
 */
export type ProviderSpec<K extends ProviderKind = ProviderKind> = K extends ProviderKind ? SpecsOf<ProviderConfigs[K]> : never

/** The names of the providers of kind `K` that the type map knows. */
export type ProviderName<K extends ProviderKind> = keyof ProviderConfigs[K] & string
