// The workerd entry of edgemem carries only the light providers; the Worker's modes use these too
// (LOCAL_INDEX=hnsw, the remote STORAGE_MODEs), so it registers them by importing their modules.
import '../../src/entries/hnsw.ts'
import '../../src/entries/providers.ts'
// Memory.export / Memory.import (GET /export, POST /import): left out of the workerd entry.
import '../../src/entries/portable.ts'
import '../../adapters/upstash.ts'
import '../../adapters/qdrant.ts'
import '../../adapters/pinecone.ts'
import '../../adapters/pgvector.ts'
import '../../adapters/vectorize.ts'
import type { KeyValueStore, MemoryConfig, ProviderSpec } from '../../src/index.workerd.ts'
import type { Settings } from '../settings.ts'
import { PinnedDimensionsEmbedder } from './pinned-dimensions.ts'

/**
 * Where a Memory's data goes: the Durable Object's own storage (durable-object mode), a KV namespace
 * with the in-process index (kv mode), or a remote vector store with history in KV (remote modes).
 */
export type MemoryPlacement =
  | { kind: 'durable-object'; storage: KeyValueStore }
  | { kind: 'kv'; namespace: KVNamespace; collection: string }
  | { kind: 'remote'; namespace: KVNamespace; collection: string }

/** The Worker's bindings a Memory's providers use (kept out of the settings, which are compared as JSON). */
export interface WorkerBindings {
  ai?: Ai | undefined
  vectorize?: Vectorize | undefined
}

export const bindingsOf = (env: { AI?: Ai | undefined; VECTORIZE?: Vectorize | undefined }): WorkerBindings => ({
  ai: env.AI,
  vectorize: env.VECTORIZE,
})

function embedder(settings: Settings, bindings: WorkerBindings): ProviderSpec<'embedder'> {
  if (settings.embedding.other) return settings.embedding.other as ProviderSpec<'embedder'>
  const { model, baseURL, apiKey, dimensions } = settings.embedding
  const { embeddingTimeoutMs, maxRetries } = settings.upstream
  if (settings.embedding.workersAI) {
    const chosen = settings.embedding.workersAI.model
    return {
      provider: 'workers-ai',
      config: {
        binding: bindings.ai,
        timeoutMs: embeddingTimeoutMs,
        maxRetries,
        ...(chosen ? { model: chosen } : {}),
        ...(dimensions ? { dimensions } : {}),
      },
    }
  }
  return {
    provider: 'openai',
    config: {
      model,
      timeoutMs: embeddingTimeoutMs,
      maxRetries,
      ...(baseURL ? { baseURL } : {}),
      ...(apiKey ? { apiKey } : {}),
      ...(dimensions ? { dimensions } : {}),
    },
  }
}

function llm(settings: Settings, bindings: WorkerBindings): ProviderSpec<'llm'> | undefined {
  if (!settings.llm) return undefined
  if (settings.llm.other) return settings.llm.other as ProviderSpec<'llm'>
  const { model, baseURL, apiKey } = settings.llm
  const { llmTimeoutMs, maxRetries } = settings.upstream
  if (settings.llm.workersAI) {
    return { provider: 'workers-ai', config: { binding: bindings.ai, timeoutMs: llmTimeoutMs, maxRetries, ...(model ? { model } : {}) } }
  }
  return {
    provider: 'openai',
    config: { model, timeoutMs: llmTimeoutMs, maxRetries, ...(baseURL ? { baseURL } : {}), ...(apiKey ? { apiKey } : {}) },
  }
}

/**
 * The Memory config of one tenant (or one Durable Object shard) under the Worker's settings. With
 * `deploymentKV` and no EMBEDDING_DIMENSIONS, the vector size is pinned for the whole deployment at its
 * first write (pinned-dimensions.ts).
 */
export function memoryConfig(
  settings: Settings,
  placement: MemoryPlacement,
  deploymentKV?: KVNamespace,
  bindings: WorkerBindings = {},
): MemoryConfig {
  const spec = embedder(settings, bindings)
  const base: MemoryConfig = {
    timeouts: { embedderMs: settings.upstream.embeddingTimeoutMs, llmMs: settings.upstream.llmTimeoutMs },
    embedder: deploymentKV && settings.embedding.dimensions === undefined ? new PinnedDimensionsEmbedder(spec, deploymentKV) : spec,
  }
  const model = llm(settings, bindings)
  if (model) base.llm = model
  if (settings.reranker) base.reranker = settings.reranker as ProviderSpec<'reranker'>
  // The local graph store keeps the graph in the Memory's storage: the Durable Object's own SQLite
  // (same object and database as the memories), or KV in the kv and remote modes.
  if (settings.graph) base.graphStore = { provider: settings.graph }
  const localIndex: ProviderSpec<'vectorStore'> = { provider: settings.localIndex, config: { memoryBudgetMB: settings.memoryBudgetMB } }
  switch (placement.kind) {
    case 'durable-object':
      // The object belongs to one tenant and shard; its storage holds nothing else.
      return { ...base, storage: placement.storage, vectorStore: localIndex, collection: 'memories' }
    case 'kv':
      return {
        ...base,
        storage: { provider: 'cloudflare-kv', config: { namespace: placement.namespace } },
        vectorStore: localIndex,
        collection: placement.collection,
      }
    case 'remote':
      // Upstash and Pinecone put each collection in its own namespace, Qdrant tags each point with it:
      // the per-tenant collection is the tenant boundary on the service too.
      return {
        ...base,
        vectorStore:
          settings.remote!.provider === 'vectorize'
            ? { provider: 'vectorize', config: { ...settings.remote!.config, index: bindings.vectorize } }
            : settings.remote!,
        collection: placement.collection,
        // History rows are written once under fresh keys, never rewritten: KV's eventual consistency
        // and one-write-per-second-per-key limit do not bite there.
        storage: { provider: 'cloudflare-kv', config: { namespace: placement.namespace } },
      }
  }
}
