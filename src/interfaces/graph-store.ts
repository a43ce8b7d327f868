import type { ScopeHint } from './vector-store.ts'

/**
 * Graph memory's extension point: entities and the typed relations between them, learnt from memories
 * and kept per scope (docs/graph.md). The Memory decides what to write (extraction, contradictions,
 * LLM-free linking) and ranks what it reads; a store keeps the graph, resolves names to entities,
 * answers neighbourhood queries and keeps writes atomic. Every implementation passes the shared suite
 * in test/conformance/graph-store.ts.
 */

/** Scope ids exactly as on memories: a record belongs to the scope it was learnt in. */
export type GraphScope = ScopeHint

export interface GraphEntity {
  id: string
  /** Display name as first seen ("Alice"); resolution uses the normalised form (graph/names.ts). */
  name: string
  /** Free-form kind given by the extractor ("person", "city"), when known. */
  type?: string
  /** The scope the entity was learnt in (all of its ids). */
  scope: GraphScope
  /** The memories that mention the entity. */
  memoryIds: string[]
  /** Embedding of the name, when the writer gave one (used for resolution and query matching). */
  embedding?: Float32Array
  /** ISO 8601. */
  createdAt: string
}

export interface GraphRelation {
  id: string
  scope: GraphScope
  sourceId: string
  /** Display name of the source entity. */
  source: string
  /** Normalised relationship type: lower case, words joined by "_" ("works_at"). */
  relationship: string
  targetId: string
  target: string
  /** ISO 8601: when the relation was learnt. */
  validFrom: string
  /** ISO 8601 once a later memory contradicted it; null while valid. Invalidated relations are kept. */
  invalidatedAt: string | null
  /** The memories this relation was learnt from; the relation is dropped when the last one is deleted. */
  memoryIds: string[]
}

/** An entity named by a write; resolved to an existing entity of the same scope or created. */
export interface EntityMention {
  name: string
  type?: string
  /** Embedding of the name: lets "Bob Smith" and "Bob  Smith." resolve to one node. */
  embedding?: Float32Array
  memoryIds: string[]
}

/** A relation named by a write; source and target are entity names, resolved like mentions. */
export interface RelationFact {
  source: string
  relationship: string
  target: string
  memoryIds: string[]
  validFrom: string
}

/** One atomic change of one scope's graph. */
export interface GraphWrite {
  scope: GraphScope
  entities: EntityMention[]
  relations: RelationFact[]
  /** Relations (by id, of this scope) that the new memories contradict: invalidated at `at`, kept. */
  invalidate: { id: string; at: string }[]
  /** Memories deleted by the same change: applied first, exactly as `forgetMemories` would. */
  forget?: string[]
}

export interface GraphWriteResult {
  /** Relations created by the write (a relation already valid only gains the new memory ids). */
  added: GraphRelation[]
  invalidated: GraphRelation[]
  /** The entity each mention of `write.entities` resolved to, in order. */
  entities: GraphEntity[]
  /** Puts back everything the write changed (the Memory's rollback when a later step of its commit fails). */
  undo(): Promise<void>
}

export interface EntityQuery {
  scope: GraphScope
  /** Entities whose normalised name occurs as whole words in this text score 1. */
  text?: string
  /** Entities whose name embedding has at least `minSimilarity` cosine with this vector score that cosine. */
  vector?: Float32Array
  minSimilarity?: number
  limit: number
}

export interface ScoredEntity extends GraphEntity {
  score: number
}

export interface NeighbourhoodQuery {
  scope: GraphScope
  /** Start entities (ids of this scope). */
  entityIds: string[]
  /** 1 or 2. */
  hops: number
  includeInvalidated?: boolean
  limit: number
}

/** A relation reached from the start entities: `hops` 1 when it touches one of them, 2 one step further. */
export interface ReachedRelation extends GraphRelation {
  hops: number
  /** The start entity it was reached from (the nearest one). */
  fromEntityId: string
}

export interface GraphListQuery {
  scope: GraphScope
  includeInvalidated?: boolean
}

export interface GraphStore {
  readonly name: string
  /** Idempotent; the Memory calls it before first use. */
  init?(): Promise<void>
  /** Applies the write atomically: all of it or, on any error, nothing (typed errors for bad input). */
  apply(write: GraphWrite): Promise<GraphWriteResult>
  /** Entities of the scope the text mentions or the vector resembles, best first. */
  findEntities(query: EntityQuery): Promise<ScoredEntity[]>
  /** Relations around the start entities up to `hops` steps, nearest first. */
  neighbourhood(query: NeighbourhoodQuery): Promise<ReachedRelation[]>
  /** Entities of the scope (records with further scope ids included), in creation order. */
  listEntities(query: GraphListQuery): Promise<GraphEntity[]>
  /** Relations of the scope, in creation order; valid ones only unless `includeInvalidated`. */
  listRelations(query: GraphListQuery): Promise<GraphRelation[]>
  /**
   * Removes the memories from every entity and relation of the scope: a relation or entity left with
   * no memory is deleted (an entity only once no relation uses it).
   */
  forgetMemories(scope: GraphScope, memoryIds: string[]): Promise<void>
  /** Deletes the scope's entities and relations; returns how many records were removed. */
  deleteScope(scope: GraphScope): Promise<number>
  /** Removes everything this store holds for its collection. */
  reset(): Promise<void>
  close?(): Promise<void>
}
