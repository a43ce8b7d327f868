import type { MemoryShard } from './durable/memory-shard.ts'
import type { RateLimiter } from './durable/rate-limiter.ts'

/**
 * Everything the Worker reads from its environment: bindings, vars (wrangler.toml `[vars]`, also
 * `wrangler dev --var`) and secrets (`wrangler secret put`). Vars arrive as strings, or as numbers and
 * booleans when written unquoted in TOML; settings.ts parses and checks them. See docs/worker.md.
 */
export interface Env {
  /** Durable Objects holding the memories in the `durable-object` storage mode (one per tenant and shard). */
  MEMORY_SHARDS?: DurableObjectNamespace<MemoryShard>
  /** Per-key token buckets; without it, rate limiting is per isolate. */
  RATE_LIMITER?: DurableObjectNamespace<RateLimiter>
  /** Workers Analytics Engine dataset receiving one data point per request (optional). */
  METRICS?: AnalyticsEngineDataset
  /** API keys and tenants (all modes); memories in `kv` mode; history in the remote modes. */
  EDGEMEM_KV?: KVNamespace

  /** durable-object (default) | kv | upstash | qdrant | pinecone | pgvector | vectorize */
  STORAGE_MODE?: string
  /** The in-process index of the durable-object and kv modes: hnsw | flat. */
  LOCAL_INDEX?: string
  /** Objects per tenant in the durable-object mode (fixed once data exists). */
  DO_SHARDS?: string | number
  /** Memory budget of the in-process index per Memory (MB); loaded partitions beyond it are evicted. */
  MEMORY_BUDGET_MB?: string | number

  EMBEDDING_BASE_URL?: string
  EMBEDDING_MODEL?: string
  EMBEDDING_DIMENSIONS?: string | number
  EMBEDDING_API_KEY?: string
  LLM_BASE_URL?: string
  LLM_MODEL?: string
  LLM_API_KEY?: string
  /** Which registered llm / embedder provider (default openai): anthropic, gemini, bedrock, azure-openai, ... */
  LLM_PROVIDER?: string
  EMBEDDING_PROVIDER?: string
  /** The rest of that provider's config as a JSON object (secrets: wrangler secret put), e.g. AWS keys and region. */
  LLM_CONFIG?: string
  EMBEDDING_CONFIG?: string
  /** A registered reranker (cohere, jina, voyage, llm) for search with rerank: true; its config in RERANKER_CONFIG (JSON). */
  RERANKER_PROVIDER?: string
  RERANKER_CONFIG?: string
  /** Graph memory (docs/graph.md): "local" keeps each tenant's graph beside its memories; unset or "none": off. */
  GRAPH_STORE?: string

  UPSTASH_VECTOR_REST_URL?: string
  UPSTASH_VECTOR_REST_TOKEN?: string
  QDRANT_URL?: string
  QDRANT_API_KEY?: string
  QDRANT_COLLECTION?: string
  PINECONE_HOST?: string
  PINECONE_API_KEY?: string
  /** STORAGE_MODE pgvector: a postgres:// URL (secret), used when there is no HYPERDRIVE binding. */
  DATABASE_URL?: string
  /** STORAGE_MODE pgvector: a Hyperdrive binding in front of the database (preferred). */
  HYPERDRIVE?: { connectionString: string }
  /** STORAGE_MODE vectorize: the Vectorize index binding (wrangler.toml `[[vectorize]]`). */
  VECTORIZE?: Vectorize
  /** STORAGE_MODE vectorize: payload fields with a metadata index, `field:type` comma-separated (default user_id:string,agent_id:string,run_id:string). */
  VECTORIZE_INDEXED_FIELDS?: string
  /** STORAGE_MODE vectorize: the index's metric, cosine (default) | euclidean | dot-product (a binding cannot report it). */
  VECTORIZE_METRIC?: string
  /** Workers AI (wrangler.toml `[ai] binding = "AI"`): the embedder and LLM when no other is configured. */
  AI?: Ai

  /** The admin key (secret): /reset and /admin/keys. */
  ADMIN_KEY?: string
  /** "" (no CORS headers), "*" or a comma-separated list of origins. */
  CORS_ORIGINS?: string

  MAX_BODY_BYTES?: string | number
  MAX_MESSAGES?: string | number
  MAX_MESSAGE_CHARS?: string | number
  MAX_TOP_K?: string | number
  /** Longest one embedding call may take, retries included (ms); default 20000. */
  EMBEDDING_TIMEOUT_MS?: string | number
  /** Longest one LLM call may take, retries included (ms); default 25000. */
  LLM_TIMEOUT_MS?: string | number
  /** Retries of a failed embedding or LLM request (429, 5xx, network); default 2. */
  UPSTREAM_MAX_RETRIES?: string | number
  RATE_LIMIT_PER_MINUTE?: string | number
  RATE_LIMIT_BURST?: string | number
}
