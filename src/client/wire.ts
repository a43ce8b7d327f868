import type { WireEvent, WireGraph, WireHistoryEntry, WireItem, WireRelation } from '../memory/wire.ts'
import type { GraphResult, HistoryEntry, MemoryEvent, MemoryItem, Relation } from '../types.ts'

/**
 * The Worker's REST shapes (snake_case, mem0's server format; workers/http/wire.ts writes them) read
 * back into the core's camelCase shapes, so a RemoteMemory returns exactly what a Memory returns. The
 * shapes are src/memory/wire.ts's, imported as types only: the client bundle stays free of the core.
 */

export function relationFromWire(wire: WireRelation): Relation {
  const relation: Relation = {
    source: wire.source,
    relationship: wire.relationship,
    target: wire.target,
    validFrom: wire.valid_from,
    invalidatedAt: wire.invalidated_at,
    memoryIds: wire.memory_ids,
  }
  if (wire.score !== undefined) relation.score = wire.score
  return relation
}

export function graphFromWire(wire: WireGraph): GraphResult {
  return {
    entities: wire.entities.map((e) => ({
      name: e.name,
      ...(e.type !== undefined ? { type: e.type } : {}),
      memoryIds: e.memory_ids,
      createdAt: e.created_at,
    })),
    relations: wire.relations.map(relationFromWire),
    totalEntities: wire.total_entities,
    totalRelations: wire.total_relations,
  }
}

export function itemFromWire(wire: WireItem): MemoryItem {
  const item: MemoryItem = {
    id: wire.id,
    memory: wire.memory,
    hash: wire.hash,
    metadata: wire.metadata,
    createdAt: wire.created_at,
    updatedAt: wire.updated_at,
  }
  if (wire.score !== undefined) item.score = wire.score
  if (wire.user_id !== undefined) item.userId = wire.user_id
  if (wire.agent_id !== undefined) item.agentId = wire.agent_id
  if (wire.run_id !== undefined) item.runId = wire.run_id
  if (wire.expiration_date !== undefined) item.expirationDate = wire.expiration_date
  return item
}

export function eventFromWire(wire: WireEvent): MemoryEvent {
  const event: MemoryEvent = { id: wire.id, memory: wire.memory, event: wire.event }
  if (wire.previous_memory !== undefined) event.previousMemory = wire.previous_memory
  return event
}

export function historyEntryFromWire(wire: WireHistoryEntry): HistoryEntry {
  return {
    id: wire.id,
    memoryId: wire.memory_id,
    event: wire.event,
    previousValue: wire.previous_value,
    newValue: wire.new_value,
    createdAt: wire.created_at,
  }
}
