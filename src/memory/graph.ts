import type { Embedder } from '../interfaces/embedder.ts'
import type { GraphRelation, GraphScope, GraphStore, GraphWrite, ReachedRelation } from '../interfaces/graph-store.ts'
import type { Message, Relation } from '../types.ts'
import { embedTexts } from './embedding.ts'
import { linkEntities } from './entity-linker.ts'
import type { ExtractedGraph } from './infer/graph-parse.ts'
import type { RelationCandidate } from './infer/prompt.ts'
import type { Scope } from './payload.ts'

/** Stored relations shown to the model so that it can say which ones the conversation contradicts. */
const CONTEXT_RELATIONS = 30
/** Query entities taken into search. */
const QUERY_ENTITIES = 8
/** Cosine of the query embedding and an entity name embedding from which the query is taken to mean the entity. */
const QUERY_ENTITY_SIMILARITY = 0.75
const NEIGHBOURHOOD_LIMIT = 200
/** A relation two hops away counts this much of one touching a query entity. */
const SECOND_HOP = 0.5

export interface GraphSearch {
  relations: Relation[]
  /** Entity-overlap weight (0..1] of each memory linked to the query's entities. */
  memoryWeights: Map<string, number>
}

export function toRelation(r: GraphRelation, score?: number): Relation {
  const out: Relation = {
    source: r.source,
    relationship: r.relationship,
    target: r.target,
    validFrom: r.validFrom,
    invalidatedAt: r.invalidatedAt,
    memoryIds: [...r.memoryIds],
  }
  if (score !== undefined) out.score = score
  return out
}

const graphScope = (scope: Scope): GraphScope => ({ ...scope })

/**
 * Graph memory inside a Memory: what the single extraction call is shown and what its graph answer
 * writes, LLM-free linking for infer: false, and reading relations and the entity signal for search.
 * The store keeps and resolves; this class decides (docs/graph.md).
 */
export class GraphMemory {
  readonly store: GraphStore
  /** Added to a memory's search score times its entity-overlap weight. */
  readonly entityBoost: number
  private readonly embedder: Embedder

  constructor(store: GraphStore, embedder: Embedder, entityBoost: number) {
    this.store = store
    this.embedder = embedder
    this.entityBoost = entityBoost
  }

  /**
   * Valid relations around the entities that the conversation or the stored memories shown beside it
   * mention, under temporary ids r1, r2, ...
   */
  async contextFor(
    conversation: Message[],
    candidates: string[],
    scope: Scope,
  ): Promise<{ shown: RelationCandidate[]; refs: Map<string, string> }> {
    const text = [...conversation.map((m) => m.content), ...candidates].join('\n')
    const entities = await this.store.findEntities({ scope: graphScope(scope), text, limit: QUERY_ENTITIES * 4 })
    const reached =
      entities.length === 0
        ? []
        : await this.store.neighbourhood({
            scope: graphScope(scope),
            entityIds: entities.map((e) => e.id),
            hops: 1,
            limit: CONTEXT_RELATIONS,
          })
    const refs = new Map<string, string>()
    const shown = reached.map((r, i) => {
      const ref = `r${i + 1}`
      refs.set(ref, r.id)
      return { ref, source: r.source, relationship: r.relationship, target: r.target }
    })
    return { shown, refs }
  }

  /** The graph write for an inferred add: the model's entities and relations, linked to the call's memories. */
  async writeFromExtraction(
    graph: ExtractedGraph,
    refs: ReadonlyMap<string, string>,
    memoryIds: string[],
    scope: Scope,
    now: number,
  ): Promise<GraphWrite | undefined> {
    const at = new Date(now).toISOString()
    const invalidate = graph.contradicted.map((ref) => ({ id: refs.get(ref)!, at }))
    if (memoryIds.length === 0) {
      // Nothing new was stored: relations would have no memory to come from; contradictions still count.
      return invalidate.length === 0 ? undefined : { scope: graphScope(scope), entities: [], relations: [], invalidate }
    }
    const names = [...new Set([...graph.entities.map((e) => e.name), ...graph.relations.flatMap((r) => [r.source, r.target])])]
    const vectors = await embedTexts(this.embedder, names)
    const vectorOf = new Map(names.map((name, i) => [name, vectors[i]!]))
    const typeOf = new Map(graph.entities.filter((e) => e.type).map((e) => [e.name, e.type!]))
    return {
      scope: graphScope(scope),
      entities: names.map((name) => {
        const mention = { name, embedding: vectorOf.get(name), memoryIds }
        const type = typeOf.get(name)
        return type === undefined ? mention : { ...mention, type }
      }),
      relations: graph.relations.map((r) => ({ ...r, memoryIds, validFrom: at })),
      invalidate,
    }
  }

  /** infer: false — the names and noun phrases of each new memory become entities linked to it. */
  async writeFromTexts(memories: { id: string; text: string }[], scope: Scope): Promise<GraphWrite | undefined> {
    const mentions = new Map<string, { name: string; memoryIds: string[] }>()
    for (const memory of memories) {
      for (const name of await linkEntities(memory.text)) {
        const key = name.toLowerCase()
        const mention = mentions.get(key)
        if (mention) mention.memoryIds.push(memory.id)
        else mentions.set(key, { name, memoryIds: [memory.id] })
      }
    }
    if (mentions.size === 0) return undefined
    const list = [...mentions.values()]
    const vectors = await embedTexts(
      this.embedder,
      list.map((m) => m.name),
    )
    return {
      scope: graphScope(scope),
      entities: list.map((m, i) => ({ ...m, embedding: vectors[i] })),
      relations: [],
      invalidate: [],
    }
  }

  /**
   * Relations for a search (no LLM call): the entities the query names (whole words) or resembles (name
   * embedding), their neighbourhood up to two hops, scored entity match × hop decay; plus the weight of
   * each memory linked to those entities, for ranking the memories (rarer entities weigh more).
   */
  async search(query: string, vector: Float32Array, scope: Scope, limit: number): Promise<GraphSearch> {
    const entities = await this.store.findEntities({
      scope: graphScope(scope),
      text: query,
      vector,
      minSimilarity: QUERY_ENTITY_SIMILARITY,
      limit: QUERY_ENTITIES,
    })
    const memoryWeights = new Map<string, number>()
    if (entities.length === 0) return { relations: [], memoryWeights }
    // Rarer entities say more about which memories the query is after (idf-like weight).
    const weights = entities.map((e) => e.score / Math.log2(2 + e.memoryIds.length))
    const total = weights.reduce((a, b) => a + b, 0)
    entities.forEach((e, i) => {
      for (const id of e.memoryIds) memoryWeights.set(id, (memoryWeights.get(id) ?? 0) + weights[i]! / total)
    })
    const seedScore = new Map(entities.map((e) => [e.id, e.score]))
    const reached = await this.store.neighbourhood({
      scope: graphScope(scope),
      entityIds: entities.map((e) => e.id),
      hops: 2,
      limit: NEIGHBOURHOOD_LIMIT,
    })
    const scored = reached.map((r: ReachedRelation) => {
      const bothEnds = seedScore.has(r.sourceId) && seedScore.has(r.targetId) ? 1.25 : 1
      const score = (seedScore.get(r.fromEntityId) ?? 0) * (r.hops === 1 ? 1 : SECOND_HOP) * bothEnds
      return { relation: r, score: Math.round(score * 1e6) / 1e6 }
    })
    scored.sort((a, b) => b.score - a.score || (a.relation.validFrom < b.relation.validFrom ? 1 : -1))
    return { relations: scored.slice(0, limit).map((s) => toRelation(s.relation, s.score)), memoryWeights }
  }
}
