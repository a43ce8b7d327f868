import { providerNames } from '../src/index.workerd.ts'
import { MAX_TOP_K } from '../src/internal.ts'
import type { Env } from './env.ts'
import { ApiError } from './http/errors.ts'

export const STORAGE_MODES = ['durable-object', 'kv', 'upstash', 'qdrant', 'pinecone', 'pgvector', 'vectorize'] as const
export type StorageMode = (typeof STORAGE_MODES)[number]
export type LocalIndex = 'hnsw' | 'flat'

export interface Limits {
  maxBodyBytes: number
  maxMessages: number
  maxMessageChars: number
  maxTopK: number
  /** Requests per minute and key; 0 turns rate limiting off. */
  ratePerMinute: number
  rateBurst: number
}

/** A provider other than openai (LLM_PROVIDER / EMBEDDING_PROVIDER) with its config (the *_CONFIG JSON plus the common vars). */
export interface ProviderChoice {
  provider: string
  config: Record<string, unknown>
}

export interface EmbeddingSettings {
  other?: ProviderChoice
  /** Workers AI through the AI binding, with this model. */
  workersAI?: { model: string }
  baseURL?: string
  model: string
  dimensions?: number
  apiKey?: string
}

export interface LLMSettings {
  other?: ProviderChoice
  /** Workers AI through the AI binding, with this model. */
  workersAI?: { model: string }
  baseURL?: string
  model: string
  apiKey?: string
}

export type RemoteSettings =
  | { provider: 'upstash'; config: { url: string; token: string } }
  | { provider: 'qdrant'; config: { url: string; apiKey?: string; collection?: string } }
  | { provider: 'pinecone'; config: { host: string; apiKey: string } }
  | { provider: 'pgvector'; config: { connectionString: string; maxConnections: 1; reuseConnections: false } }
  /** The index binding itself is added by memory-config.ts (bindings stay out of the settings). */
  | {
      provider: 'vectorize'
      config: { indexedFields?: Record<string, 'string' | 'number' | 'boolean'>; metric?: 'cosine' | 'euclidean' | 'dot-product' }
    }

/** The Worker's configuration, parsed and checked from its environment once per env object. */
export interface Settings {
  mode: StorageMode
  localIndex: LocalIndex
  shards: number
  memoryBudgetMB: number
  embedding: EmbeddingSettings
  /** Absent when no LLM is configured: then only infer: false is accepted. */
  llm: LLMSettings | undefined
  /** Deadlines of upstream calls: a request never waits longer than these behind a slow upstream. */
  upstream: { embeddingTimeoutMs: number; llmTimeoutMs: number; maxRetries: number }
  /** RERANKER_PROVIDER: absent when none is configured (then search with rerank: true is a 400). */
  reranker: ProviderChoice | undefined
  remote: RemoteSettings | undefined
  /** GRAPH_STORE: graph memory with the `local` graph store in the Memory's own storage; undefined: off. */
  graph: 'local' | undefined
  adminKey: string | undefined
  /** undefined: no CORS headers; '*' or a list of allowed origins. */
  corsOrigins: '*' | string[] | undefined
  limits: Limits
}

export const DEFAULT_LIMITS: Limits = {
  maxBodyBytes: 256 * 1024,
  maxMessages: 50,
  maxMessageChars: 8000,
  maxTopK: 100,
  ratePerMinute: 600,
  rateBurst: 60,
}
export const DEFAULT_SHARDS = 16
export const MAX_SHARDS = 256
const DEFAULT_MEMORY_BUDGET_MB = 32

/** A wrong setting is the operator's problem: 500 with the variable named, never a silent default. */
function invalid(name: string, message: string): ApiError {
  return new ApiError(500, 'CONFIG', `server configuration: ${name} ${message} (see docs/worker.md)`)
}

function text(env: Env, name: keyof Env): string | undefined {
  const value = env[name]
  if (value === undefined || value === null) return undefined
  if (typeof value !== 'string' && typeof value !== 'number') throw invalid(name, `must be a string, got ${typeof value}`)
  const trimmed = String(value).trim()
  return trimmed === '' ? undefined : trimmed
}

function integer(env: Env, name: keyof Env, fallback: number, min: number, max: number): number {
  const raw = text(env, name)
  if (raw === undefined) return fallback
  const value = Number(raw)
  if (!Number.isSafeInteger(value) || value < min || value > max)
    throw invalid(name, `must be a whole number from ${min} to ${max}, got ${JSON.stringify(raw)}`)
  return value
}

function required(env: Env, name: keyof Env, mode: string): string {
  const value = text(env, name)
  if (value === undefined) throw invalid(name, `is required in STORAGE_MODE ${mode} (wrangler secret put ${name})`)
  return value
}

function parseMode(env: Env): StorageMode {
  const raw = text(env, 'STORAGE_MODE') ?? 'durable-object'
  if (!(STORAGE_MODES as readonly string[]).includes(raw))
    throw invalid('STORAGE_MODE', `must be one of ${STORAGE_MODES.join(', ')}, got ${JSON.stringify(raw)}`)
  return raw as StorageMode
}

/** hnsw when the build registers it (the default of the core), else flat: same engine and storage format. */
function parseLocalIndex(env: Env): LocalIndex {
  const registered = providerNames('vectorStore')
  const fallback: LocalIndex = registered.includes('hnsw') ? 'hnsw' : 'flat'
  const raw = text(env, 'LOCAL_INDEX') ?? fallback
  if (raw !== 'hnsw' && raw !== 'flat') throw invalid('LOCAL_INDEX', `must be hnsw or flat, got ${JSON.stringify(raw)}`)
  if (!registered.includes(raw))
    throw invalid('LOCAL_INDEX', `"${raw}" is not available in this build (registered: ${registered.join(', ')})`)
  return raw
}

function parseRemote(env: Env, mode: StorageMode): RemoteSettings | undefined {
  switch (mode) {
    case 'upstash':
      return {
        provider: 'upstash',
        config: { url: required(env, 'UPSTASH_VECTOR_REST_URL', mode), token: required(env, 'UPSTASH_VECTOR_REST_TOKEN', mode) },
      }
    case 'qdrant': {
      const apiKey = text(env, 'QDRANT_API_KEY')
      const collection = text(env, 'QDRANT_COLLECTION')
      return {
        provider: 'qdrant',
        config: { url: required(env, 'QDRANT_URL', mode), ...(apiKey ? { apiKey } : {}), ...(collection ? { collection } : {}) },
      }
    }
    case 'pinecone':
      return {
        provider: 'pinecone',
        config: { host: required(env, 'PINECONE_HOST', mode), apiKey: required(env, 'PINECONE_API_KEY', mode) },
      }
    case 'pgvector':
      // Hyperdrive's binding when there is one (pooled next to the database), else the secret. A Worker's
      // sockets serve one request: one connection per call, closed after it.
      return {
        provider: 'pgvector',
        config: {
          connectionString: env.HYPERDRIVE?.connectionString ?? required(env, 'DATABASE_URL', mode),
          maxConnections: 1,
          reuseConnections: false,
        },
      }
    case 'vectorize': {
      if (!env.VECTORIZE) throw invalid('VECTORIZE', 'binding is required in STORAGE_MODE vectorize ([[vectorize]] in wrangler.toml)')
      const fields = text(env, 'VECTORIZE_INDEXED_FIELDS')
      const metric = text(env, 'VECTORIZE_METRIC')
      if (metric !== undefined && metric !== 'cosine' && metric !== 'euclidean' && metric !== 'dot-product')
        throw invalid('VECTORIZE_METRIC', `must be cosine, euclidean or dot-product, got ${JSON.stringify(metric)}`)
      let indexedFields: Record<string, 'string' | 'number' | 'boolean'> | undefined
      if (fields !== undefined) {
        indexedFields = {}
        for (const entry of fields
          .split(',')
          .map((f) => f.trim())
          .filter((f) => f !== '')) {
          const [name, type = 'string'] = entry.split(':').map((p) => p.trim())
          if (!name || (type !== 'string' && type !== 'number' && type !== 'boolean'))
            throw invalid(
              'VECTORIZE_INDEXED_FIELDS',
              `must list field:type pairs (type string, number or boolean), got ${JSON.stringify(entry)}`,
            )
          indexedFields[name] = type
        }
      }
      return { provider: 'vectorize', config: { ...(indexedFields ? { indexedFields } : {}), ...(metric ? { metric } : {}) } }
    }
    default:
      return undefined
  }
}

const WORKERS_AI_MODEL = /^@(cf|hf)\//

/**
 * Workers AI through the AI binding: when the provider var names it, or when nothing else is configured
 * (no provider, key or endpoint) and the binding is there; so a Worker with an `AI` binding needs no
 * outside key. The model var is used when it names a Workers AI model.
 */
function workersAIChoice(env: Env, prefix: 'LLM' | 'EMBEDDING'): { model: string } | undefined {
  const provider = text(env, `${prefix}_PROVIDER`)
  const named = provider === 'workers-ai'
  const unset = provider === undefined && text(env, `${prefix}_API_KEY`) === undefined && text(env, `${prefix}_BASE_URL`) === undefined
  if (!named && !(unset && env.AI)) return undefined
  if (!env.AI) throw invalid(`${prefix}_PROVIDER`, 'workers-ai needs the AI binding ([ai] binding = "AI" in wrangler.toml)')
  const model = text(env, `${prefix}_MODEL`)
  return { model: model !== undefined && WORKERS_AI_MODEL.test(model) ? model : '' }
}

function parseCors(env: Env): Settings['corsOrigins'] {
  const raw = text(env, 'CORS_ORIGINS')
  if (raw === undefined) return undefined
  if (raw === '*') return '*'
  const origins = raw
    .split(',')
    .map((o) => o.trim())
    .filter((o) => o.length > 0)
  for (const origin of origins) {
    if (!/^https?:\/\/[^/\s]+$/.test(origin))
      throw invalid('CORS_ORIGINS', `must be "*" or comma-separated origins like https://app.example.com, got ${JSON.stringify(origin)}`)
  }
  return origins
}

/**
 * LLM_PROVIDER / EMBEDDING_PROVIDER other than openai: the provider must be registered in this build; its
 * config is the *_CONFIG JSON object plus model, apiKey and baseURL from the common vars when set and not in the JSON (the
 * provider's schema checks the whole, when the first Memory is built).
 */
function parseChoice(
  env: Env,
  kind: 'llm' | 'embedder' | 'reranker',
  prefix: 'LLM' | 'EMBEDDING' | 'RERANKER',
): ProviderChoice | undefined {
  const name = `${prefix}_PROVIDER` as const
  const provider = text(env, name)
  if (provider === undefined || provider === 'openai') return undefined
  const registered = providerNames(kind)
  if (!registered.includes(provider))
    throw invalid(name, `"${provider}" is not a registered ${kind} provider (registered: ${registered.join(', ')})`)
  const raw = text(env, `${prefix}_CONFIG`)
  let config: unknown = {}
  try {
    if (raw !== undefined) config = JSON.parse(raw)
  } catch {
    throw invalid(`${prefix}_CONFIG`, 'must be a JSON object')
  }
  if (config === null || typeof config !== 'object' || Array.isArray(config)) throw invalid(`${prefix}_CONFIG`, 'must be a JSON object')
  const common =
    prefix === 'RERANKER'
      ? {}
      : { model: text(env, `${prefix}_MODEL`), apiKey: text(env, `${prefix}_API_KEY`), baseURL: text(env, `${prefix}_BASE_URL`) }
  const extra = Object.fromEntries(Object.entries(common).filter(([, v]) => v !== undefined))
  // The JSON names the provider's own settings and wins over the common vars (which may serve the default openai setup).
  return { provider, config: { ...extra, ...(config as Record<string, unknown>) } }
}

function parseLLM(env: Env): LLMSettings | undefined {
  const workersAI = workersAIChoice(env, 'LLM')
  if (workersAI) return { workersAI, model: workersAI.model }
  const baseURL = text(env, 'LLM_BASE_URL')
  const model = text(env, 'LLM_MODEL')
  const apiKey = text(env, 'LLM_API_KEY')
  const other = parseChoice(env, 'llm', 'LLM')
  if (other) return { other, model: model ?? '' }
  // An endpoint (LLM_BASE_URL) or a key for OpenAI (LLM_API_KEY) turns the LLM on; LLM_MODEL alone
  // only picks the model, so wrangler.toml can name one without requiring a key.
  if (baseURL === undefined && apiKey === undefined) return undefined
  return { model: model ?? 'gpt-4.1-mini', ...(baseURL ? { baseURL } : {}), ...(apiKey ? { apiKey } : {}) }
}

export function parseSettings(env: Env): Settings {
  const mode = parseMode(env)
  const dimensions = text(env, 'EMBEDDING_DIMENSIONS') === undefined ? undefined : integer(env, 'EMBEDDING_DIMENSIONS', 0, 1, 65_536)
  const baseURL = text(env, 'EMBEDDING_BASE_URL')
  const apiKey = text(env, 'EMBEDDING_API_KEY')
  const ratePerMinute = integer(env, 'RATE_LIMIT_PER_MINUTE', DEFAULT_LIMITS.ratePerMinute, 0, 1_000_000)
  return {
    mode,
    localIndex: parseLocalIndex(env),
    shards: integer(env, 'DO_SHARDS', DEFAULT_SHARDS, 1, MAX_SHARDS),
    memoryBudgetMB: integer(env, 'MEMORY_BUDGET_MB', DEFAULT_MEMORY_BUDGET_MB, 1, 1024),
    embedding: {
      ...embeddingChoice(env),
      model: text(env, 'EMBEDDING_MODEL') ?? 'text-embedding-3-small',
      ...(baseURL ? { baseURL } : {}),
      ...(apiKey ? { apiKey } : {}),
      ...(dimensions ? { dimensions } : {}),
    },
    llm: parseLLM(env),
    upstream: {
      embeddingTimeoutMs: integer(env, 'EMBEDDING_TIMEOUT_MS', 20_000, 100, 600_000),
      llmTimeoutMs: integer(env, 'LLM_TIMEOUT_MS', 25_000, 100, 600_000),
      maxRetries: integer(env, 'UPSTREAM_MAX_RETRIES', 2, 0, 10),
    },
    reranker: parseChoice(env, 'reranker', 'RERANKER'),
    remote: parseRemote(env, mode),
    graph: parseGraph(env),
    adminKey: text(env, 'ADMIN_KEY'),
    corsOrigins: parseCors(env),
    limits: {
      maxBodyBytes: integer(env, 'MAX_BODY_BYTES', DEFAULT_LIMITS.maxBodyBytes, 1024, 100 * 1024 * 1024),
      maxMessages: integer(env, 'MAX_MESSAGES', DEFAULT_LIMITS.maxMessages, 1, 10_000),
      maxMessageChars: integer(env, 'MAX_MESSAGE_CHARS', DEFAULT_LIMITS.maxMessageChars, 1, 1_000_000),
      maxTopK: integer(env, 'MAX_TOP_K', DEFAULT_LIMITS.maxTopK, 1, MAX_TOP_K),
      ratePerMinute,
      rateBurst: integer(env, 'RATE_LIMIT_BURST', Math.min(DEFAULT_LIMITS.rateBurst, Math.max(1, ratePerMinute)), 1, 1_000_000),
    },
  }
}

/** GRAPH_STORE: "local" (the graph in the tenant's own storage: its Durable Object, or KV) or off. */
function parseGraph(env: Env): 'local' | undefined {
  const raw = text(env, 'GRAPH_STORE')
  if (raw === undefined || raw === 'none') return undefined
  if (raw !== 'local') throw invalid('GRAPH_STORE', `must be "local" or "none", got ${JSON.stringify(raw)}`)
  return raw
}

const withChoice = (other: ProviderChoice | undefined) => (other ? { other } : {})

function embeddingChoice(env: Env): Pick<EmbeddingSettings, 'other' | 'workersAI'> {
  const workersAI = workersAIChoice(env, 'EMBEDDING')
  return workersAI ? { workersAI } : withChoice(parseChoice(env, 'embedder', 'EMBEDDING'))
}

const cache = new WeakMap<object, Settings>()

/** Parsed once per env object (stable for the life of an isolate); a bad setting fails every request. */
export function settingsOf(env: Env): Settings {
  let settings = cache.get(env)
  if (!settings) {
    settings = parseSettings(env)
    cache.set(env, settings)
  }
  return settings
}
