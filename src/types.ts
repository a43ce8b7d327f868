/** Public data shapes of the Memory API (see docs/api.md). Everything here is plain JSON. */

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json }
export type JsonObject = { [key: string]: Json }

export interface ScopeOptions {
  userId?: string
  agentId?: string
  runId?: string
}

export interface Message {
  role: string
  content: string
  name?: string
}

export interface AddOptions extends ScopeOptions {
  metadata?: JsonObject
  /** Default: true when an llm is configured, else false. */
  infer?: boolean
  /** YYYY-MM-DD; from the day after it, the memory is hidden from search and getAll. */
  expirationDate?: string
  /**
   * 'procedural' (or mem0's 'procedural_memory'): the LLM summarises the agent's run into one procedural
   * memory (task, steps, results) with metadata `memory_type: 'procedural_memory'`, searchable and
   * filterable like any memory. Needs agentId and an llm.
   */
  memoryType?: 'procedural' | 'procedural_memory'
}

export interface SearchOptions extends ScopeOptions {
  filters?: Filter
  /** Default 10. */
  topK?: number
  /** Minimum score (higher is more relevant); applies to the search's own scores, before any reranking. */
  threshold?: number
  /**
   * Re-order the candidates with the configured reranker (mem0's option name). The search fetches up to
   * three times topK candidates (same scope and filters), the reranker scores them, and the topK best are
   * returned with the reranker's score. Needs `reranker` in the Memory config.
   */
  rerank?: boolean
}

export interface GetAllOptions extends ScopeOptions {
  filters?: Filter
  /** Default 100. */
  topK?: number
}

export type MemoryEventType = 'ADD' | 'UPDATE' | 'DELETE'

export interface MemoryEvent {
  id: string
  memory: string
  event: MemoryEventType
  previousMemory?: string
}

export interface MemoryItem {
  id: string
  memory: string
  hash: string
  metadata: JsonObject
  /** search only; higher is more relevant */
  score?: number
  createdAt: string
  updatedAt: string
  userId?: string
  agentId?: string
  runId?: string
  expirationDate?: string
}

export interface HistoryEntry {
  id: string
  memoryId: string
  event: MemoryEventType
  previousValue: string | null
  newValue: string | null
  createdAt: string
}

/** A user, agent or run that has memories (`Memory.entities()`). */
export interface EntitySummary {
  type: 'user' | 'agent' | 'run'
  id: string
  /** Its memories that have not expired. */
  memories: number
  /** Of its oldest and its most recently changed memory. */
  createdAt: string
  updatedAt: string
}

export type UpdateData = string | { text?: string; metadata?: JsonObject }

/** Operators of the filter language; see docs/filters.md for exact semantics. */
export interface FieldOperators {
  eq?: Json
  ne?: Json
  gt?: Json
  gte?: Json
  lt?: Json
  lte?: Json
  in?: Json[]
  nin?: Json[]
  contains?: Json
  icontains?: string
}

export type FilterCondition = Json | FieldOperators | '*'

export type Filter = {
  [field: string]: FilterCondition | Filter | Filter[] | undefined
  AND?: Filter[]
  OR?: Filter[]
  NOT?: Filter
}

/** The public Memory operations that report an OperationEvent. */
export type MemoryOperation = 'add' | 'search' | 'get' | 'getAll' | 'update' | 'delete' | 'deleteAll' | 'history' | 'reset'

/**
 * One finished Memory call, as given to the `onOperation` hook (wire it to OpenTelemetry, logs or a
 * metrics library; edgemem itself records and sends nothing).
 */
export interface OperationEvent {
  operation: MemoryOperation
  collection: string
  /** Wall-clock milliseconds from the call to its result or error. */
  durationMs: number
  outcome: 'ok' | 'error'
  /** The edgemem error code on failure ('UNKNOWN' for an error that is not an edgemem error). */
  errorCode?: string
}

/**
 * The methods of a Memory, as one contract: `Memory` (in-process) and `RemoteMemory` (edgemem/client,
 * over a Worker's REST API) both implement it, and test/conformance/memory.ts runs the same suite against
 * both. Code that only needs a memory (the AI SDK tools and middleware of edgemem/ai) takes this type.
 */
export interface MemoryApi {
  ready(): Promise<void>
  add(messages: string | Message[], options: AddOptions): Promise<{ results: MemoryEvent[] }>
  search(query: string, options: SearchOptions): Promise<{ results: MemoryItem[] }>
  get(id: string): Promise<MemoryItem | null>
  getAll(options: GetAllOptions): Promise<{ results: MemoryItem[] }>
  update(id: string, data: UpdateData): Promise<MemoryItem>
  delete(id: string): Promise<void>
  deleteAll(options: ScopeOptions): Promise<{ deleted: number }>
  history(id: string): Promise<HistoryEntry[]>
  reset(): Promise<void>
  close(): Promise<void>
}

/** A relation of graph memory (docs/graph.md): mem0's triple plus when it held and where it was learnt. */
export interface Relation {
  source: string
  relationship: string
  target: string
  /** search only; higher is more relevant */
  score?: number
  /** ISO 8601: when it was learnt. */
  validFrom: string
  /** ISO 8601 once contradicted by a later memory; null while valid. */
  invalidatedAt?: string | null
  /** The memories this relation was learnt from. */
  memoryIds: string[]
}

/** What `add` returns; `relations` only with graph memory on. */
export interface AddResult {
  results: MemoryEvent[]
  relations?: { added: Relation[]; invalidated: Relation[] }
}

/** What `search` returns; `relations` only with graph memory on. */
export interface SearchResult {
  results: MemoryItem[]
  relations?: Relation[]
}

/** An entity of graph memory as `Memory.graph` shows it (docs/graph.md). */
export interface GraphEntitySummary {
  name: string
  /** The extractor's kind ("person", "city"), when known. */
  type?: string
  /** The memories that mention it. */
  memoryIds: string[]
  /** ISO 8601. */
  createdAt: string
}

/** Options of `Memory.graph`: a scope (as for getAll), how many of each to return, and whether to include invalidated relations. */
export interface GraphOptions extends ScopeOptions {
  /** At most this many entities and this many relations (default 100, at most MAX_TOP_K). */
  limit?: number
  /** Also the relations later memories contradicted (history); default false. */
  includeInvalidated?: boolean
}

/** What `Memory.graph` returns: the scope's entities and relations (creation order), cut to `limit`, with the totals before the cut. */
export interface GraphResult {
  entities: GraphEntitySummary[]
  relations: Relation[]
  totalEntities: number
  totalRelations: number
}

/** What `getAll` returns; `relations` (the scope's valid relations) only with graph memory on. */
export interface GetAllResult {
  results: MemoryItem[]
  relations?: Relation[]
}
