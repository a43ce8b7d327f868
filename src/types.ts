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
}

export interface SearchOptions extends ScopeOptions {
  filters?: Filter
  /** Default 10. */
  topK?: number
  /** Minimum score (higher is more relevant). */
  threshold?: number
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

/** What `getAll` returns; `relations` (the scope's valid relations) only with graph memory on. */
export interface GetAllResult {
  results: MemoryItem[]
  relations?: Relation[]
}
