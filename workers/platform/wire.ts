import type { HistoryEntry, JsonObject, MemoryEvent, MemoryItem } from '../../src/index.workerd.ts'
import type { z } from '@hono/zod-openapi'
import { APP_FIELD, entityIds } from './entities.ts'
import type { PlatformHistorySchema, PlatformMemorySchema } from './schemas.ts'

type PlatformMemory = z.infer<typeof PlatformMemorySchema>
type PlatformHistoryEntry = z.infer<typeof PlatformHistorySchema>

/**
 * The core's shapes → mem0 platform shapes (snake_case, as in mem0-platform-openapi.json). Conversions
 * only; mem0 fields edgemem has no data for are sent empty (`categories: []`), never invented.
 */

/** getAll (POST /v3/memories/) reports the run id as `session_id`, every other route as `run_id`. */
export type RunKey = 'run_id' | 'session_id'

function userMetadata(metadata: JsonObject): JsonObject {
  if (!Object.hasOwn(metadata, APP_FIELD)) return metadata
  const { [APP_FIELD]: _app, ...rest } = metadata
  return rest
}

export function platformItem(item: MemoryItem, runKey: RunKey = 'run_id'): PlatformMemory {
  const ids = entityIds(item)
  const out: PlatformMemory = {
    id: item.id,
    memory: item.memory,
    user_id: ids.user_id,
    agent_id: ids.agent_id,
    app_id: ids.app_id,
    [runKey]: ids.run_id,
    hash: item.hash,
    metadata: userMetadata(item.metadata),
    categories: [],
    created_at: item.createdAt,
    updated_at: item.updatedAt,
    expiration_date: item.expirationDate ?? null,
  }
  // mem0 documents search scores in [0, 1]; edgemem's hybrid score is cosine-based and can dip below 0.
  if (item.score !== undefined) out.score = Math.min(1, Math.max(0, item.score))
  return out
}

/** Keeps only the requested fields of each item (search's `fields`); `id` always stays. */
export function pickFields(item: PlatformMemory, fields: readonly string[] | undefined): PlatformMemory {
  if (!fields || fields.length === 0) return item
  const all = item as Record<string, unknown>
  const out: Record<string, unknown> = { id: item.id }
  for (const field of fields) if (Object.hasOwn(all, field)) out[field] = all[field]
  // mem0's `fields` returns a subset of the memory's fields, by request.
  return out as PlatformMemory
}

export interface PlatformAddResult {
  id: string
  data: { memory: string }
  event: MemoryEvent['event']
}

export function platformAddResult(event: MemoryEvent): PlatformAddResult {
  return { id: event.id, data: { memory: event.memory }, event: event.event }
}

export function platformHistoryEntry(entry: HistoryEntry, item: MemoryItem | null): PlatformHistoryEntry {
  const ids = item ? entityIds(item) : { user_id: null, agent_id: null, app_id: null, run_id: null }
  return {
    id: entry.id,
    memory_id: entry.memoryId,
    input: [],
    old_memory: entry.previousValue,
    new_memory: entry.newValue,
    user_id: ids.user_id,
    agent_id: ids.agent_id,
    app_id: ids.app_id,
    run_id: ids.run_id,
    categories: [],
    event: entry.event,
    metadata: item ? userMetadata(item.metadata) : {},
    created_at: entry.createdAt,
    updated_at: entry.createdAt,
  }
}
