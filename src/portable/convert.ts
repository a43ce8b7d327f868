import type { GraphEntity, GraphRelation } from '../interfaces/graph-store.ts'
import type { Payload, StoredRecord } from '../interfaces/vector-store.ts'
import { buildPayload, metadataOf, type Scope, scopeOf } from '../memory/payload.ts'
import type { HistoryEntry } from '../types.ts'
import { sortKeys } from '../util/canonical-json.ts'
import type { EntityRecord, HistoryRecord, MemoryRecord, RelationRecord } from './records.ts'

/**
 * Between the stored shapes (flat payloads, history entries, graph relations) and portable records, in
 * one place, so that export and import are exact inverses: a record exported, imported and exported
 * again is the same line.
 */

function iso(ms: unknown): string {
  return new Date(typeof ms === 'number' ? ms : 0).toISOString()
}

function scopeFields(scope: Scope): Pick<MemoryRecord, 'userId' | 'agentId' | 'runId'> {
  const out: Pick<MemoryRecord, 'userId' | 'agentId' | 'runId'> = {}
  if (scope.user_id !== undefined) out.userId = scope.user_id
  if (scope.agent_id !== undefined) out.agentId = scope.agent_id
  if (scope.run_id !== undefined) out.runId = scope.run_id
  return out
}

export function scopeOfRecord(record: { userId?: string; agentId?: string; runId?: string }): Scope {
  const scope: Scope = {}
  if (record.userId !== undefined) scope.user_id = record.userId
  if (record.agentId !== undefined) scope.agent_id = record.agentId
  if (record.runId !== undefined) scope.run_id = record.runId
  return scope
}

/**
 * A stored memory as a portable record (payload keys starting with "_" belong to the store and stay
 * behind). Metadata keys are sorted, since stores differ in the order they keep (Postgres JSONB sorts).
 */
export function memoryRecordOf(record: StoredRecord, vector?: ArrayLike<number>): MemoryRecord {
  const p = record.payload
  const out: MemoryRecord = {
    type: 'memory',
    id: record.id,
    memory: String(p.memory ?? ''),
    hash: String(p.hash ?? ''),
    ...scopeFields(scopeOf(p)),
    metadata: sortKeys(metadataOf(p)),
    createdAt: iso(p.created_at),
  }
  if (typeof p.updated_at === 'number' && p.updated_at !== p.created_at) out.updatedAt = iso(p.updated_at)
  if (typeof p.expiration_date === 'string') out.expirationDate = p.expiration_date
  if (vector) out.vector = Array.from(vector)
  return out
}

/** The payload a portable memory is stored with. */
export function payloadOfRecord(record: MemoryRecord): Payload {
  const createdAt = Date.parse(record.createdAt)
  return buildPayload({
    text: record.memory,
    hash: record.hash,
    scope: scopeOfRecord(record),
    metadata: record.metadata,
    createdAt,
    updatedAt: record.updatedAt === undefined ? createdAt : Date.parse(record.updatedAt),
    expirationDate: record.expirationDate,
  })
}

export function historyRecordOf(entry: HistoryEntry): HistoryRecord {
  return {
    type: 'history',
    id: entry.id,
    memoryId: entry.memoryId,
    event: entry.event,
    previousValue: entry.previousValue,
    newValue: entry.newValue,
    createdAt: new Date(Date.parse(entry.createdAt)).toISOString(),
  }
}

export function historyEntryOf(record: HistoryRecord): HistoryEntry {
  return {
    id: record.id,
    memoryId: record.memoryId,
    event: record.event,
    previousValue: record.previousValue,
    newValue: record.newValue,
    createdAt: new Date(Date.parse(record.createdAt)).toISOString(),
  }
}

export function entityRecordOf(entity: GraphEntity): EntityRecord {
  return {
    type: 'entity',
    name: entity.name,
    ...(entity.type !== undefined ? { entityType: entity.type } : {}),
    ...scopeFields(entity.scope),
    memoryIds: [...entity.memoryIds].sort(),
  }
}

export function relationRecordOf(relation: GraphRelation): RelationRecord {
  return {
    type: 'relation',
    source: relation.source,
    relationship: relation.relationship,
    target: relation.target,
    ...scopeFields(relation.scope),
    validFrom: new Date(Date.parse(relation.validFrom)).toISOString(),
    invalidatedAt: relation.invalidatedAt === null ? null : new Date(Date.parse(relation.invalidatedAt)).toISOString(),
    memoryIds: [...relation.memoryIds],
  }
}
