import type { GraphResult, HistoryEntry, JsonObject, MemoryEvent, MemoryItem, Relation } from '../types.ts'

/**
 * The core speaks camelCase, the REST API snake_case (mem0's server format). Conversions only, shared by the
 * Worker's routes and the MCP tools (src/mcp/tools.ts), so both answer in the same shapes.
 */

export interface WireItem {
  id: string
  memory: string
  hash: string
  metadata: JsonObject
  score?: number
  created_at: string
  updated_at: string
  user_id?: string
  agent_id?: string
  run_id?: string
  expiration_date?: string
}

export interface WireEvent {
  id: string
  memory: string
  event: MemoryEvent['event']
  previous_memory?: string
}

export interface WireHistoryEntry {
  id: string
  memory_id: string
  event: HistoryEntry['event']
  previous_value: string | null
  new_value: string | null
  created_at: string
}

/** A graph memory relation (docs/graph.md) in snake_case. */
export interface WireRelation {
  source: string
  relationship: string
  target: string
  score?: number
  valid_from: string
  invalidated_at: string | null
  memory_ids: string[]
}

export interface WireGraph {
  entities: { name: string; type?: string; memory_ids: string[]; created_at: string }[]
  relations: WireRelation[]
  total_entities: number
  total_relations: number
}

export function wireRelation(relation: Relation): WireRelation {
  const out: WireRelation = {
    source: relation.source,
    relationship: relation.relationship,
    target: relation.target,
    valid_from: relation.validFrom,
    invalidated_at: relation.invalidatedAt ?? null,
    memory_ids: relation.memoryIds,
  }
  if (relation.score !== undefined) out.score = relation.score
  return out
}

/** `relations` of an add: what it learnt and what it invalidated. */
export function wireAddRelations(relations: { added: Relation[]; invalidated: Relation[] }): {
  added: WireRelation[]
  invalidated: WireRelation[]
} {
  return { added: relations.added.map(wireRelation), invalidated: relations.invalidated.map(wireRelation) }
}

export function wireGraph(graph: GraphResult): WireGraph {
  return {
    entities: graph.entities.map((e) => ({
      name: e.name,
      ...(e.type !== undefined ? { type: e.type } : {}),
      memory_ids: e.memoryIds,
      created_at: e.createdAt,
    })),
    relations: graph.relations.map(wireRelation),
    total_entities: graph.totalEntities,
    total_relations: graph.totalRelations,
  }
}

export function wireItem(item: MemoryItem): WireItem {
  const out: WireItem = {
    id: item.id,
    memory: item.memory,
    hash: item.hash,
    metadata: item.metadata,
    created_at: item.createdAt,
    updated_at: item.updatedAt,
  }
  if (item.score !== undefined) out.score = item.score
  if (item.userId !== undefined) out.user_id = item.userId
  if (item.agentId !== undefined) out.agent_id = item.agentId
  if (item.runId !== undefined) out.run_id = item.runId
  if (item.expirationDate !== undefined) out.expiration_date = item.expirationDate
  return out
}

export function wireEvent(event: MemoryEvent): WireEvent {
  const out: WireEvent = { id: event.id, memory: event.memory, event: event.event }
  if (event.previousMemory !== undefined) out.previous_memory = event.previousMemory
  return out
}

export function wireHistoryEntry(entry: HistoryEntry): WireHistoryEntry {
  return {
    id: entry.id,
    memory_id: entry.memoryId,
    event: entry.event,
    previous_value: entry.previousValue,
    new_value: entry.newValue,
    created_at: entry.createdAt,
  }
}

/** user_id/agent_id/run_id of a request → the core's scope options (absent ids stay absent). */
export function scopeOptions(input: { user_id?: string | undefined; agent_id?: string | undefined; run_id?: string | undefined }): {
  userId?: string
  agentId?: string
  runId?: string
} {
  return {
    ...(input.user_id !== undefined ? { userId: input.user_id } : {}),
    ...(input.agent_id !== undefined ? { agentId: input.agent_id } : {}),
    ...(input.run_id !== undefined ? { runId: input.run_id } : {}),
  }
}
