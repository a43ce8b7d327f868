import type { StoredRecord } from '../interfaces/vector-store.ts'
import type { EntitySummary } from '../types.ts'

/** Which payload field holds each entity type's id. */
const FIELDS = [
  ['user', 'user_id'],
  ['agent', 'agent_id'],
  ['run', 'run_id'],
] as const

const TYPE_ORDER: Record<EntitySummary['type'], number> = { user: 0, agent: 1, run: 2 }
const byTypeThenId = (a: EntitySummary, b: EntitySummary): number =>
  TYPE_ORDER[a.type] - TYPE_ORDER[b.type] || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)

const time = (value: unknown): number => (typeof value === 'number' ? value : 0)

/** The entities of these records: every user, agent and run id, with its count and time span. */
export function entitiesOf(records: readonly StoredRecord[]): EntitySummary[] {
  const found = new Map<string, { type: EntitySummary['type']; id: string; memories: number; created: number; updated: number }>()
  for (const { payload } of records) {
    for (const [type, field] of FIELDS) {
      const id = payload[field]
      if (typeof id !== 'string') continue
      const key = `${type}\u0000${id}`
      const created = time(payload.created_at)
      const updated = time(payload.updated_at)
      const entry = found.get(key)
      if (!entry) found.set(key, { type, id, memories: 1, created, updated })
      else {
        entry.memories++
        entry.created = Math.min(entry.created, created)
        entry.updated = Math.max(entry.updated, updated)
      }
    }
  }
  return [...found.values()]
    .map(({ type, id, memories, created, updated }) => ({
      type,
      id,
      memories,
      createdAt: new Date(created).toISOString(),
      updatedAt: new Date(updated).toISOString(),
    }))
    .sort(byTypeThenId)
}

/** One listing from several (the Worker's shards): counts add up, spans widen. */
export function mergeEntities(lists: readonly (readonly EntitySummary[])[]): EntitySummary[] {
  const merged = new Map<string, EntitySummary>()
  for (const entity of lists.flat()) {
    const key = `${entity.type}\u0000${entity.id}`
    const known = merged.get(key)
    if (!known) merged.set(key, { ...entity })
    else {
      known.memories += entity.memories
      if (entity.createdAt < known.createdAt) known.createdAt = entity.createdAt
      if (entity.updatedAt > known.updatedAt) known.updatedAt = entity.updatedAt
    }
  }
  return [...merged.values()].sort(byTypeThenId)
}
