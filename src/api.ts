// The public API of edgemem, shared by its entries: src/index.ts (every runtime but workerd) and
// src/index.workerd.ts (Cloudflare Workers). The entries differ only in which providers they register.
export { Memory } from './memory/memory.ts'
export type { MemoryConfig } from './config.ts'
export type {
  EmbedderProviders,
  LLMProviders,
  ProviderConfigs,
  ProviderName,
  ProviderSpec,
  RerankerProviders,
  StorageProviders,
  VectorStoreProviders,
  GraphStoreProviders,
} from './providers/config-types.ts'
export { defineProvider, registerProvider, providerNames } from './registry.ts'
export type { ProviderContext, ProviderDefinition, ProviderFactory, ProviderKind, ProviderOptions } from './registry.ts'
export * from './errors.ts'
export type * from './types.ts'
export type { Embedder } from './interfaces/embedder.ts'
export type { ChatMessage, LLM, LLMRequest } from './interfaces/llm.ts'
export type { Reranker } from './interfaces/reranker.ts'
export type { KeyValueOp, KeyValueStore } from './interfaces/key-value-store.ts'
export type {
  Payload,
  ScopeHint,
  ScoredRecord,
  StoredRecord,
  VectorListPage,
  VectorListQuery,
  VectorRecord,
  VectorSearchQuery,
  VectorStore,
  VectorStoreInit,
} from './interfaces/vector-store.ts'
export { and, compileFilter, eq, formatFilter, matchesFilter, not, or, parseFilter } from './filters/index.ts'
export type { FilterNode, PayloadPredicate, ScalarValue } from './filters/index.ts'
export { MemoryStorage } from './providers/storage/memory.ts'
// The openai package itself loads on the first request; these classes let apps build instances directly.
export { OpenAIEmbedder } from './providers/openai/embedder.ts'
export { OpenAILLM } from './providers/openai/llm.ts'
export type { OpenAIEmbedderConfig, OpenAILLMConfig } from './providers/openai/config.ts'
export type * from './interfaces/graph-store.ts'
// Graph memory's LLM-free entity linking in bundled browser apps (docs/graph.md).
export { useCompromise } from './memory/entity-linker.ts'
// The portable format (docs/format.md): export/import records, the JSON Lines codec, importers of mem0's formats.
export * from './portable/index.ts'
