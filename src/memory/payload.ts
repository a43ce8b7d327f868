import { ValidationError } from '../errors.ts'
import { FIELD_NAME_PATTERN } from '../filters/parse.ts'
import type { Payload } from '../interfaces/vector-store.ts'
import type { Json, JsonObject, MemoryItem } from '../types.ts'
import { hasLoneSurrogate } from '../util/unicode.ts'

/**
 * The flat payload every vector store keeps (flat so that Pinecone-style metadata filters work):
 *
 *   memory, hash                     the text and its SHA-256
 *   user_id, agent_id, run_id        scope ids (only those given)
 *   created_at, updated_at           epoch milliseconds (numbers compare correctly in every store)
 *   expires_at                       epoch ms from which the memory is hidden; NEVER when it does not expire
 *   expiration_date                  the YYYY-MM-DD it was given with, when given
 *   <metadata keys>                  the user's metadata, flattened in
 *
 *   _thread, _turn                   the add call a memory came from and its position in it; local
 *                                    stores use neighbouring turns as keyword context (hybrid search)
 *
 * Payload keys starting with "_" are hidden from MemoryItem.metadata (stores keep their own there too).
 */
export const RESERVED_FIELDS: ReadonlySet<string> = new Set([
  'id',
  'memory',
  'hash',
  'metadata',
  'score',
  'user_id',
  'agent_id',
  'run_id',
  'created_at',
  'updated_at',
  'expires_at',
  'expiration_date',
])

/** 10000-01-01T00:00:00Z: "never expires", still a plain number every store can range-compare. */
export const NEVER_EXPIRES = 253402300800000
export const DATE_FIELDS: ReadonlySet<string> = new Set(['created_at', 'updated_at', 'expires_at'])
const MAX_METADATA_BYTES = 32 * 1024
const MAX_METADATA_DEPTH = 8

export interface Scope {
  user_id?: string
  agent_id?: string
  run_id?: string
}

function checkJson(value: unknown, path: string, depth: number): void {
  if (typeof value === 'string') {
    if (hasLoneSurrogate(value)) throw new ValidationError(`${path} must be well-formed Unicode text: it holds a lone UTF-16 surrogate`)
    return
  }
  if (value === null || typeof value === 'boolean') return
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new ValidationError(`${path} must be a finite number, got ${value}`)
    return
  }
  if (depth > MAX_METADATA_DEPTH) throw new ValidationError(`${path} nests deeper than ${MAX_METADATA_DEPTH} levels`)
  if (Array.isArray(value)) {
    value.forEach((v, i) => {
      checkJson(v, `${path}[${i}]`, depth + 1)
    })
    return
  }
  if (typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    for (const [k, v] of Object.entries(value)) checkJson(v, `${path}.${k}`, depth + 1)
    return
  }
  throw new ValidationError(`${path} must be JSON (string, number, boolean, null, array or plain object), got ${typeof value}`)
}

/** Validates user metadata: portable key names, no reserved keys, JSON values, bounded size. */
export function validateMetadata(metadata: unknown, path = 'metadata'): JsonObject {
  if (metadata === undefined) return {}
  if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata)) {
    throw new ValidationError(`${path} must be an object of JSON values`)
  }
  for (const [key, value] of Object.entries(metadata)) {
    if (!FIELD_NAME_PATTERN.test(key) || key.startsWith('_')) {
      throw new ValidationError(
        `${path} key "${key}" is not allowed: use letters, digits, "_" and "-", starting with a letter (at most 64 characters)`,
      )
    }
    if (RESERVED_FIELDS.has(key)) {
      throw new ValidationError(`${path} key "${key}" is reserved (${[...RESERVED_FIELDS].join(', ')}); pick another name`)
    }
    if (value === undefined) throw new ValidationError(`${path}.${key} is undefined; omit the key instead`)
    checkJson(value, `${path}.${key}`, 1)
  }
  if (new TextEncoder().encode(JSON.stringify(metadata)).byteLength > MAX_METADATA_BYTES) {
    throw new ValidationError(`${path} is larger than ${MAX_METADATA_BYTES / 1024} KiB`)
  }
  return structuredClone(metadata) as JsonObject
}

/** Parses YYYY-MM-DD into the epoch ms from which the memory is hidden (the start of the next UTC day). */
export function expiryFromDate(date: string | undefined): number {
  if (date === undefined) return NEVER_EXPIRES
  const match = typeof date === 'string' ? /^(\d{4})-(\d{2})-(\d{2})$/.exec(date) : null
  const ms = match ? Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])) : NaN
  if (!match || Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== date) {
    throw new ValidationError(`expirationDate must be a calendar date as YYYY-MM-DD, got ${JSON.stringify(date)}`)
  }
  return ms + 24 * 60 * 60 * 1000
}

export interface PayloadFields {
  text: string
  hash: string
  scope: Scope
  metadata: JsonObject
  createdAt: number
  updatedAt: number
  expirationDate?: string
  /** Which add call produced the memory and where in it (see TEXT_FIELD/THREAD_FIELD in local/partition.ts). */
  thread?: { id: string; turn: number }
}

export function buildPayload(fields: PayloadFields): Payload {
  const payload: Payload = { ...fields.metadata, memory: fields.text, hash: fields.hash }
  if (fields.scope.user_id !== undefined) payload.user_id = fields.scope.user_id
  if (fields.scope.agent_id !== undefined) payload.agent_id = fields.scope.agent_id
  if (fields.scope.run_id !== undefined) payload.run_id = fields.scope.run_id
  payload.created_at = fields.createdAt
  payload.updated_at = fields.updatedAt
  payload.expires_at = expiryFromDate(fields.expirationDate)
  if (fields.expirationDate !== undefined) payload.expiration_date = fields.expirationDate
  if (fields.thread) {
    payload._thread = fields.thread.id
    payload._turn = fields.thread.turn
  }
  return payload
}

export function metadataOf(payload: Payload): JsonObject {
  const metadata: JsonObject = {}
  for (const [key, value] of Object.entries(payload)) {
    if (!RESERVED_FIELDS.has(key) && !key.startsWith('_')) metadata[key] = value as Json
  }
  return metadata
}

export function threadOf(payload: Payload): PayloadFields['thread'] {
  return typeof payload._thread === 'string' && typeof payload._turn === 'number' ? { id: payload._thread, turn: payload._turn } : undefined
}

export function scopeOf(payload: Payload): Scope {
  const scope: Scope = {}
  if (typeof payload.user_id === 'string') scope.user_id = payload.user_id
  if (typeof payload.agent_id === 'string') scope.agent_id = payload.agent_id
  if (typeof payload.run_id === 'string') scope.run_id = payload.run_id
  return scope
}

function isoTime(value: Json | undefined): string {
  return new Date(typeof value === 'number' ? value : 0).toISOString()
}

/** The public, JSON-serialisable view of a stored record. */
export function toMemoryItem(id: string, payload: Payload, score?: number): MemoryItem {
  const item: MemoryItem = {
    id,
    memory: String(payload.memory ?? ''),
    hash: String(payload.hash ?? ''),
    metadata: metadataOf(payload),
    createdAt: isoTime(payload.created_at),
    updatedAt: isoTime(payload.updated_at),
  }
  if (score !== undefined) item.score = score
  if (typeof payload.user_id === 'string') item.userId = payload.user_id
  if (typeof payload.agent_id === 'string') item.agentId = payload.agent_id
  if (typeof payload.run_id === 'string') item.runId = payload.run_id
  if (typeof payload.expiration_date === 'string') item.expirationDate = payload.expiration_date
  return item
}
