import { FormatError } from '../../errors.ts'
import type { Json, JsonObject } from '../../types.ts'
import { sha256Hex } from '../../util/hash.ts'
import { FORMAT_VERSION, HEADER_TYPE, type EmbedderIdentity, type HistoryRecord, type PortableRecord, parseRecord } from '../records.ts'

/**
 * Importers of mem0's data into the portable format (docs/format.md#from-mem0): each yields a header and
 * then validated records, ready for `Memory.import`. Pure mappings over parsed JSON (and history rows),
 * so they run in every runtime; reading mem0's history SQLite file is mem0-sqlite.ts.
 */

type Item = Record<string, unknown>

function isObject(value: unknown): value is Item {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/** mem0 writes times with microseconds, with or without a zone, and SQLite's "YYYY-MM-DD HH:MM:SS" (UTC). */
function isoTime(value: unknown, field: string): string | undefined {
  if (value === undefined || value === null || value === '') return undefined
  if (typeof value !== 'string') throw new FormatError(`expected a date-time string, got ${typeof value}`, { field })
  let text = value.trim().replace(' ', 'T')
  if (/^\d{4}-\d{2}-\d{2}$/.test(text)) text += 'T00:00:00'
  if (!/(Z|[+-]\d{2}:?\d{2})$/i.test(text)) text += 'Z'
  // Milliseconds are what a Date keeps: cut longer fractions (Date.parse refuses some of them).
  text = text.replace(/(\.\d{3})\d+/, '$1')
  const ms = Date.parse(text)
  if (Number.isNaN(ms)) throw new FormatError(`${JSON.stringify(value)} is not a date-time`, { field })
  return new Date(ms).toISOString()
}

function optionalString(item: Item, key: string, path: string): string | undefined {
  const value = item[key]
  if (value === undefined || value === null || value === '') return undefined
  if (typeof value !== 'string') throw new FormatError(`expected a string, got ${typeof value}`, { field: `${path}.${key}` })
  return value
}

function header(embedder: EmbedderIdentity | undefined): PortableRecord {
  return { type: HEADER_TYPE, version: FORMAT_VERSION, createdAt: new Date().toISOString(), ...(embedder ? { embedder } : {}) }
}

/** Validates a mapped record, naming the source item's path in errors. */
function checked(record: Item, path: string): PortableRecord {
  try {
    return parseRecord(record)
  } catch (err) {
    if (err instanceof FormatError) {
      throw new FormatError(err.message.replace(/^line \d+: /, ''), { field: err.field ? `${path}.${err.field}` : path }, { cause: err })
    }
    throw err
  }
}

/** What a mem0 memory maps to, from whichever of its shapes (platform item or OSS payload) it came. */
interface MappedMemory {
  id: string
  text: string
  hash: string | undefined
  userId?: string
  agentId?: string
  runId?: string
  metadata: JsonObject
  createdAt: string | undefined
  updatedAt: string | undefined
  expirationDate?: string
  vector?: number[]
}

function memoryRecord(m: MappedMemory, path: string): PortableRecord {
  const createdAt = m.createdAt ?? m.updatedAt
  if (createdAt === undefined) throw new FormatError('has no created_at (nor updated_at)', { field: path })
  const record: Item = { type: 'memory', id: m.id, memory: m.text, hash: m.hash ?? sha256Hex(m.text) }
  if (m.userId !== undefined) record.userId = m.userId
  if (m.agentId !== undefined) record.agentId = m.agentId
  if (m.runId !== undefined) record.runId = m.runId
  record.metadata = m.metadata
  record.createdAt = createdAt
  if (m.updatedAt !== undefined && m.updatedAt !== createdAt) record.updatedAt = m.updatedAt
  if (m.expirationDate !== undefined) record.expirationDate = m.expirationDate
  if (m.vector !== undefined) record.vector = m.vector
  return checked(record, path)
}

/** mem0's `app_id` and `categories` have no edgemem counterpart: they are kept as metadata. */
function extraMetadata(metadata: JsonObject, item: Item, path: string): JsonObject {
  const out = { ...metadata }
  const appId = optionalString(item, 'app_id', path)
  if (appId !== undefined && out.app_id === undefined) out.app_id = appId
  const categories = item.categories
  if (Array.isArray(categories) && categories.length > 0 && out.categories === undefined) out.categories = categories as Json[]
  return out
}

/** The memory items of a platform answer: an array, `{results: [...]}`, or an export whose schema is a list of memories. */
function platformItems(data: unknown): { items: unknown[]; path: string } {
  if (Array.isArray(data)) return { items: data, path: '' }
  if (isObject(data)) {
    if (Array.isArray(data.results)) return { items: data.results, path: 'results' }
    const lists = Object.entries(data).filter(
      ([, v]) => Array.isArray(v) && v.length > 0 && v.every((x) => isObject(x) && typeof x.memory === 'string'),
    )
    if (lists.length === 1) return { items: lists[0]![1] as unknown[], path: lists[0]![0] }
  }
  throw new FormatError(
    'expected mem0 platform memories: an array of memories, {"results": [...]}, or an export whose schema is one list of memories ({"memories": [...]})',
  )
}

/**
 * mem0 platform memories (docs/format.md#from-mem0): the `GET /v1/memories/` or `get_all` answer, or a
 * `/v1/exports/get/` answer whose export schema is a list of memories. `id`, `memory`, `hash`, the
 * scope ids, `metadata`, `created_at`, `updated_at` and `expiration_date` map directly; `app_id` and
 * `categories` go into metadata; the rest (structured_attributes, immutable, ...) is dropped.
 */
export function* fromMem0Platform(data: unknown): Generator<PortableRecord> {
  const { items, path } = platformItems(data)
  yield header(undefined)
  for (const [i, item] of items.entries()) {
    const at = `${path}[${i}]`
    if (!isObject(item)) throw new FormatError('expected a memory object', { field: at })
    const metadata = item.metadata === undefined || item.metadata === null ? {} : item.metadata
    if (!isObject(metadata)) throw new FormatError('expected an object', { field: `${at}.metadata` })
    yield memoryRecord(
      {
        id: String(item.id ?? ''),
        text: typeof item.memory === 'string' ? item.memory : '',
        hash: optionalString(item, 'hash', at),
        userId: optionalString(item, 'user_id', at),
        agentId: optionalString(item, 'agent_id', at),
        runId: optionalString(item, 'run_id', at),
        metadata: extraMetadata(metadata as JsonObject, item, at),
        createdAt: isoTime(item.created_at, `${at}.created_at`),
        updatedAt: isoTime(item.updated_at, `${at}.updated_at`),
        expirationDate: optionalString(item, 'expiration_date', at),
      },
      at,
    )
  }
}

/** One point of a mem0 OSS vector store: its id, its vector when dumped, and mem0's payload. */
export interface Mem0Point {
  id: string | number
  vector?: number[]
  payload: Record<string, unknown>
}

/** One row of mem0 OSS's `history` table (Python or TypeScript SDK; older `prev_value`/`timestamp` columns too). */
export type Mem0HistoryRow = Record<string, unknown>

/** Keys of mem0's OSS payload that are not user metadata. */
const OSS_PAYLOAD_KEYS = new Set([
  'data',
  'hash',
  'user_id',
  'agent_id',
  'run_id',
  'created_at',
  'updated_at',
  'actor_id',
  'role',
  'text_lemmatized',
  'attributed_to',
])

export interface Mem0OssOptions {
  /** The embedder the dumped vectors came from, to reuse them when the importing Memory has the same one. */
  embedder?: EmbedderIdentity
}

/**
 * mem0 OSS data (docs/format.md#from-mem0): the points of its vector store (from any store's dump, as
 * `{id, vector?, payload}`) and optionally the rows of its history SQLite (readMem0History). The payload's
 * `data` is the text; `hash`, scope ids and times map directly; `actor_id` and `role` go into metadata
 * (as mem0 reports them); every other payload key is user metadata. History rows of a memory follow it.
 */
export async function* fromMem0Oss(
  points: AsyncIterable<Mem0Point> | Iterable<Mem0Point>,
  history: Iterable<Mem0HistoryRow> = [],
  options: Mem0OssOptions = {},
): AsyncGenerator<PortableRecord> {
  const byMemory = new Map<string, { row: Mem0HistoryRow; index: number }[]>()
  for (const [index, row] of [...history].entries()) {
    const id = String(row.memory_id ?? '')
    byMemory.set(id, [...(byMemory.get(id) ?? []), { row, index }])
  }
  yield header(options.embedder)
  let i = 0
  for await (const point of points) {
    const at = `points[${i++}]`
    if (!isObject(point) || !isObject(point.payload)) throw new FormatError('expected {id, vector?, payload}', { field: at })
    const p = point.payload
    const metadata: JsonObject = {}
    for (const [key, value] of Object.entries(p)) if (!OSS_PAYLOAD_KEYS.has(key)) metadata[key] = value as Json
    const actor = optionalString(p, 'actor_id', `${at}.payload`)
    if (actor !== undefined) metadata.actor_id = actor
    const role = optionalString(p, 'role', `${at}.payload`)
    if (role !== undefined) metadata.role = role
    const id = String(point.id)
    yield memoryRecord(
      {
        id,
        text: typeof p.data === 'string' ? p.data : '',
        hash: optionalString(p, 'hash', `${at}.payload`),
        userId: optionalString(p, 'user_id', `${at}.payload`),
        agentId: optionalString(p, 'agent_id', `${at}.payload`),
        runId: optionalString(p, 'run_id', `${at}.payload`),
        metadata,
        createdAt: isoTime(p.created_at, `${at}.payload.created_at`),
        updatedAt: isoTime(p.updated_at, `${at}.payload.updated_at`),
        vector: Array.isArray(point.vector) ? point.vector : undefined,
      },
      at,
    )
    const rows = (byMemory.get(id) ?? []).map(({ row, index }) => historyRecord(row, `history[${index}]`))
    rows.sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : 0))
    yield* rows
  }
}

function historyRecord(row: Mem0HistoryRow, at: string): HistoryRecord {
  const text = (value: unknown): string | null => (typeof value === 'string' ? value : null)
  const createdAt = isoTime(row.created_at ?? row.timestamp ?? row.updated_at, `${at}.created_at`)
  return checked(
    {
      type: 'history',
      id: String(row.id ?? ''),
      memoryId: String(row.memory_id ?? ''),
      event: row.event,
      previousValue: text(row.old_memory ?? row.prev_value),
      newValue: row.event === 'DELETE' ? null : text(row.new_memory ?? row.new_value),
      createdAt: createdAt ?? '',
    },
    at,
  ) as HistoryRecord
}
