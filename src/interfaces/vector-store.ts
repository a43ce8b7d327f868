import type { FilterNode } from '../filters/ast.ts'
import type { JsonObject } from '../types.ts'

/**
 * What a vector store keeps per record. The payload is flat JSON (scope ids, timestamps as epoch
 * milliseconds, the memory text, user metadata); see src/memory/payload.ts for the layout.
 */
export type Payload = JsonObject

export interface VectorRecord {
  id: string
  vector: Float32Array
  payload: Payload
}

export interface StoredRecord {
  id: string
  payload: Payload
  /** Present when asked for with `includeVectors`. */
  vector?: Float32Array
}

export interface ScoredRecord extends StoredRecord {
  /**
   * Higher is more relevant. Semantic search reports cosine similarity in [-1, 1]; the local stores'
   * hybrid search (queries with `text`) reports (1 − w)·cosine + w·keyword, keyword in [0, 1).
   */
  score: number
}

/**
 * The scope ids a query is restricted to. The filter already enforces them; stores may use the hint to
 * touch only the partitions that can match (local stores) or to pick a namespace.
 */
export interface ScopeHint {
  user_id?: string
  agent_id?: string
  run_id?: string
}

export interface VectorSearchQuery {
  vector: Float32Array
  topK: number
  /** Always present; includes the scope conditions. Stores must apply it exactly. */
  filter: FilterNode
  scope: ScopeHint
  /** The query text, for stores that add keyword relevance (hybrid search). */
  text?: string
}

export interface VectorListQuery {
  filter: FilterNode
  scope: ScopeHint
  limit: number
  /** Opaque cursor from a previous page. */
  cursor?: string
}

export interface VectorListPage {
  records: StoredRecord[]
  /** Absent on the last page. */
  nextCursor?: string
}

/** A content-hash lookup (`VectorStore.findByHashes`). */
export interface HashLookupQuery {
  /** Values of the payload's `hash` field to find. */
  hashes: string[]
  /** Applied exactly, as in `list` (the Memory passes scope and visibility). */
  filter: FilterNode
  scope: ScopeHint
}

export interface VectorStoreInit {
  /** The embedder's output size when known; a store that already has data checks it. */
  dimensions?: number
}

export interface VectorStore {
  readonly name: string
  /** Known after init (from config, persisted state or the first write); undefined before. */
  readonly dimensions: number | undefined
  /** Idempotent; Memory calls it before first use. Throws DimensionMismatchError on disagreement. */
  init(options: VectorStoreInit): Promise<void>
  /** Inserts or replaces whole records (vector and payload). */
  upsert(records: VectorRecord[]): Promise<void>
  /** One entry per id, in order; null for a missing id. */
  get(ids: string[], options?: { includeVectors?: boolean }): Promise<(StoredRecord | null)[]>
  /** Best `topK` records matching the filter, highest score first. */
  search(query: VectorSearchQuery): Promise<ScoredRecord[]>
  /** Deleting a missing id is not an error. */
  delete(ids: string[]): Promise<void>
  /** Records matching the filter, in a stable order, paginated. */
  list(query: VectorListQuery): Promise<VectorListPage>
  /**
   * Optional capability: every record matching `filter` whose payload `hash` is one of `hashes`, answered
   * from an index. The Memory's content-hash dedup runs on every add: with this method it asks the store
   * directly; without it, it pages through `list` with `filter AND hash IN hashes`, which every store
   * answers exactly (remote stores through their native filter). Implement it where that `list` would scan.
   */
  findByHashes?(query: HashLookupQuery): Promise<StoredRecord[]>
  /** Removes every record this store holds for its collection. */
  reset(): Promise<void>
  close?(): Promise<void>
}
