import * as z from 'zod/mini'
import { ConfigError } from './errors.ts'
import type { Embedder } from './interfaces/embedder.ts'
import type { GraphStore } from './interfaces/graph-store.ts'
import type { KeyValueStore } from './interfaces/key-value-store.ts'
import type { LLM } from './interfaces/llm.ts'
import type { Reranker } from './interfaces/reranker.ts'
import type { VectorStore } from './interfaces/vector-store.ts'
import type { OperationEvent } from './types.ts'
import { isRegistered, resolveProvider, type ProviderInstances, type ProviderKind, type ResolvedProvider } from './registry.ts'
import { parseConfig } from './util/zod-errors.ts'

import type { ProviderSpec } from './providers/config-types.ts'

export type { ProviderSpec }

/**
 * How long one embedder or LLM call may take, retries included, before the Memory gives up on it. Writes
 * to a scope are serialised, so without a bound a call that never returns (a hanging endpoint, a custom
 * embedder that never resolves) would hold every later write to that scope; with it, a write waits
 * behind another one for at most its deadline. The defaults leave room for the providers' own retries.
 */
export interface Timeouts {
  embedderMs: number
  llmMs: number
}
export const DEFAULT_TIMEOUTS: Timeouts = { embedderMs: 60_000, llmMs: 120_000 }

export interface MemoryConfig {
  /** Default: { provider: 'transformers' } (on-device). */
  embedder?: ProviderSpec<'embedder'> | Embedder
  /**
   * Default: { provider: 'hnsw' } (in-process WASM HNSW) where it is registered (every entry but the
   * workerd one, or after `import 'edgemem/hnsw'`), else { provider: 'flat' } (the same engine without
   * the WebAssembly index).
   */
  vectorStore?: ProviderSpec<'vectorStore'> | VectorStore
  /** Needed only for infer: true. */
  llm?: ProviderSpec<'llm'> | LLM
  /** Where the local index, records and history persist. Default: 'indexeddb' where indexedDB exists, else 'memory'. */
  storage?: ProviderSpec<'storage'> | KeyValueStore
  /** Default enabled. */
  history?: { enabled?: boolean }
  /** Namespace of everything this Memory writes. Default 'memories'. */
  collection?: string
  /** Appended guidance for fact extraction. */
  customInstructions?: string
  /**
   * Longest an embedder or LLM call may take, retries included (milliseconds). Default embedderMs
   * 60000, llmMs 120000. A call past it fails with EmbeddingError / LLMError and writes nothing.
   */
  timeouts?: { embedderMs?: number; llmMs?: number }
  /**
   * Called after every public operation with its duration and outcome (metrics, tracing, logs). Opt-in;
   * a hook that throws is ignored, so observing can never break a call.
   */
  onOperation?: (event: OperationEvent) => void
  /** Re-orders search results when a search asks for it (`rerank: true`). */
  reranker?: ProviderSpec<'reranker'> | Reranker
  /**
   * Graph memory (docs/graph.md): entities and relations learnt with the memories, returned as `relations`.
   * Off without it. { provider: 'local' } keeps the graph in the Memory's storage.
   */
  graphStore?: ProviderSpec<'graphStore'> | GraphStore
  /**
   * Graph memory's ranking: `entityBoost` (0..1, default 0 = off) is added to a result's score times its
   * entity overlap with the query (docs/graph.md).
   */
  graph?: { entityBoost?: number }
}

/** Either an instance to use as is, or a provider validated now and created on first use. */
export type ProviderChoice<K extends ProviderKind> =
  | { kind: 'instance'; instance: ProviderInstances[K]; name: string }
  | { kind: 'provider'; provider: ResolvedProvider<K> }

export interface ResolvedConfig {
  embedder: ProviderChoice<'embedder'>
  vectorStore: ProviderChoice<'vectorStore'>
  llm: ProviderChoice<'llm'> | undefined
  storage: ProviderChoice<'storage'>
  historyEnabled: boolean
  collection: string
  customInstructions: string | undefined
  timeouts: Timeouts
  onOperation: ((event: OperationEvent) => void) | undefined
  reranker: ProviderChoice<'reranker'> | undefined
  graphStore: ProviderChoice<'graphStore'> | undefined
  entityBoost: number
}

const REQUIRED_METHODS: { [K in ProviderKind]: string[] } = {
  embedder: ['embed'],
  vectorStore: ['init', 'upsert', 'get', 'search', 'delete', 'list', 'reset'],
  llm: ['complete'],
  storage: ['get', 'set', 'delete', 'list'],
  reranker: ['rerank'],
  graphStore: ['apply', 'findEntities', 'neighbourhood', 'listEntities', 'listRelations', 'forgetMemories', 'deleteScope', 'reset'],
}

const providerSpecSchema = z.strictObject({
  provider: z.string().check(z.minLength(1)),
  config: z.optional(z.record(z.string(), z.unknown())),
})

const topLevelSchema = z.strictObject({
  embedder: z.optional(z.unknown()),
  vectorStore: z.optional(z.unknown()),
  llm: z.optional(z.unknown()),
  storage: z.optional(z.unknown()),
  history: z.optional(z.strictObject({ enabled: z.optional(z.boolean()) })),
  collection: z.optional(z.string().check(z.regex(/^[A-Za-z0-9_-]{1,64}$/, 'expected 1-64 letters, digits, "_" or "-"'))),
  customInstructions: z.optional(z.string()),
  onOperation: z.optional(z.custom<(event: OperationEvent) => void>((v) => typeof v === 'function', 'expected a function')),
  timeouts: z.optional(
    z.strictObject({
      embedderMs: z.optional(z.number().check(z.int(), z.positive())),
      llmMs: z.optional(z.number().check(z.int(), z.positive())),
    }),
  ),
  reranker: z.optional(z.unknown()),
  graphStore: z.optional(z.unknown()),
  graph: z.optional(z.strictObject({ entityBoost: z.optional(z.number().check(z.gte(0), z.lte(1))) })),
})

/**
 * Weight of graph memory's entity-overlap signal in search ranking. Off by default: on LOCOMO it gave no
 * clear gain over hybrid search with LLM-free linking (BENCHMARKS.md, "Retrieval: LOCOMO with graph memory").
 */
export const DEFAULT_ENTITY_BOOST = 0

function hasIndexedDB(): boolean {
  return typeof (globalThis as { indexedDB?: unknown }).indexedDB === 'object' && (globalThis as { indexedDB?: unknown }).indexedDB !== null
}

function resolveChoice<K extends ProviderKind>(
  kind: K,
  field: string,
  value: unknown,
  fallback: { provider: string } | undefined,
): ProviderChoice<K> | undefined {
  if (value === undefined) {
    if (!fallback) return undefined
    return { kind: 'provider', provider: resolveProvider(kind, fallback.provider, undefined, field) }
  }
  if (typeof value !== 'object' || value === null) {
    throw new ConfigError(field, `expected { provider, config? } or a ${kind} instance, got ${value === null ? 'null' : typeof value}`)
  }
  if (!('provider' in value)) {
    const missing = REQUIRED_METHODS[kind].filter((method) => typeof (value as Record<string, unknown>)[method] !== 'function')
    if (missing.length > 0) {
      throw new ConfigError(
        field,
        `expected { provider, config? } or a ${kind} instance; this object lacks ${missing.map((m) => `${m}()`).join(', ')}`,
      )
    }
    const name = typeof (value as { name?: unknown }).name === 'string' ? (value as { name: string }).name : 'custom'
    return { kind: 'instance', instance: value as ProviderInstances[K], name }
  }
  const spec = parseConfig(providerSpecSchema, value, field)
  return { kind: 'provider', provider: resolveProvider(kind, spec.provider, spec.config, field) }
}

/** Validates the whole config synchronously; throws ConfigError naming the field and what was expected. */
export function resolveMemoryConfig(config: unknown = {}): ResolvedConfig {
  if (typeof config !== 'object' || config === null || Array.isArray(config)) {
    throw new ConfigError('config', 'expected an object (or nothing for the defaults)')
  }
  const c = parseConfig(topLevelSchema, config, '')
  return {
    storage: resolveChoice('storage', 'storage', c.storage, { provider: hasIndexedDB() ? 'indexeddb' : 'memory' })!,
    embedder: resolveChoice('embedder', 'embedder', c.embedder, { provider: 'transformers' })!,
    vectorStore: resolveChoice('vectorStore', 'vectorStore', c.vectorStore, {
      provider: isRegistered('vectorStore', 'hnsw') ? 'hnsw' : 'flat',
    })!,
    llm: resolveChoice('llm', 'llm', c.llm, undefined),
    historyEnabled: c.history?.enabled ?? true,
    collection: c.collection ?? 'memories',
    customInstructions: c.customInstructions,
    onOperation: c.onOperation,
    timeouts: {
      embedderMs: c.timeouts?.embedderMs ?? DEFAULT_TIMEOUTS.embedderMs,
      llmMs: c.timeouts?.llmMs ?? DEFAULT_TIMEOUTS.llmMs,
    },
    reranker: resolveChoice('reranker', 'reranker', c.reranker, undefined),
    graphStore: resolveChoice('graphStore', 'graphStore', c.graphStore, undefined),
    entityBoost: c.graph?.entityBoost ?? DEFAULT_ENTITY_BOOST,
  }
}
