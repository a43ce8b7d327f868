import * as z from 'zod/mini'
import { FormatError, ValidationError } from '../errors.ts'
import { expiryFromDate, validateMetadata } from '../memory/payload.ts'
import type { JsonObject, MemoryEventType } from '../types.ts'
import { hasLoneSurrogate } from '../util/unicode.ts'
import { firstZodIssue } from '../util/zod-errors.ts'

/**
 * The records of edgemem's portable format (docs/format.md): JSON Lines, one record per line, a header
 * first. Every field is plain JSON with a fixed key order, so two exports of the same memories are equal
 * line by line.
 */

/** The only version this edgemem writes and reads. */
export const FORMAT_VERSION = 1
export const HEADER_TYPE = 'edgemem-export'

/** Which embedding model the vectors of an export come from. */
export interface EmbedderIdentity {
  /** The embedder provider's name (`openai`, `transformers`, or a custom instance's `name`). */
  provider: string
  model: string
  dimensions: number
}

export interface ExportHeader {
  type: 'edgemem-export'
  version: 1
  /** ISO 8601: when the export was written. */
  createdAt: string
  /** Present when the exporting Memory knew its embedding model; vectors are comparable only under the same one. */
  embedder?: EmbedderIdentity
}

export interface MemoryRecord {
  type: 'memory'
  id: string
  memory: string
  hash: string
  userId?: string
  agentId?: string
  runId?: string
  metadata: JsonObject
  /** ISO 8601. */
  createdAt: string
  /** ISO 8601; absent means createdAt. */
  updatedAt?: string
  /** YYYY-MM-DD: hidden from the day after. */
  expirationDate?: string
  /** The stored embedding, when exported with `vectors: true`. */
  vector?: number[]
}

/** One entry of a memory's change history (follows its memory in an export). */
export interface HistoryRecord {
  type: 'history'
  id: string
  memoryId: string
  event: MemoryEventType
  previousValue: string | null
  newValue: string | null
  createdAt: string
}

/** A relation of graph memory (only when the exporting Memory has a graph store). */
export interface RelationRecord {
  type: 'relation'
  source: string
  relationship: string
  target: string
  userId?: string
  agentId?: string
  runId?: string
  validFrom: string
  invalidatedAt: string | null
  memoryIds: string[]
}

/**
 * An entity of graph memory with the memories that mention it. Entities linked without an LLM (infer:
 * false) belong to no relation, so they travel as records of their own; the name's embedding does not
 * (the importing Memory embeds the name with its own embedder), nor the time the store first saw it.
 */
export interface EntityRecord {
  type: 'entity'
  name: string
  /** The extractor's kind ("person", "city"), when known. */
  entityType?: string
  userId?: string
  agentId?: string
  runId?: string
  memoryIds: string[]
}

export type PortableRecord = ExportHeader | MemoryRecord | HistoryRecord | EntityRecord | RelationRecord

const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/
const text = z.string().check(
  z.minLength(1),
  z.refine((s) => !hasLoneSurrogate(s), 'must be well-formed Unicode text (it holds a lone UTF-16 surrogate)'),
)
const id = text.check(z.maxLength(256))
const time = z.string().check(z.refine((s) => ISO_TIME.test(s) && !Number.isNaN(Date.parse(s)), 'expected an ISO 8601 time'))
const nullableText = z.nullable(z.string().check(z.refine((s) => !hasLoneSurrogate(s), 'must be well-formed Unicode text')))

const headerSchema = z.strictObject({
  type: z.literal(HEADER_TYPE),
  version: z.number(),
  createdAt: time,
  embedder: z.optional(z.strictObject({ provider: text, model: text, dimensions: z.int().check(z.positive(), z.lte(65_536)) })),
})

const memorySchema = z.strictObject({
  type: z.literal('memory'),
  id,
  memory: text,
  hash: text.check(z.maxLength(256)),
  userId: z.optional(id),
  agentId: z.optional(id),
  runId: z.optional(id),
  metadata: z.record(z.string(), z.unknown()),
  createdAt: time,
  updatedAt: z.optional(time),
  expirationDate: z.optional(z.string()),
  vector: z.optional(z.array(z.number()).check(z.minLength(1), z.maxLength(65_536))),
})

const historySchema = z.strictObject({
  type: z.literal('history'),
  id,
  memoryId: id,
  event: z.enum(['ADD', 'UPDATE', 'DELETE']),
  previousValue: nullableText,
  newValue: nullableText,
  createdAt: time,
})

const entitySchema = z.strictObject({
  type: z.literal('entity'),
  name: text,
  entityType: z.optional(text),
  userId: z.optional(id),
  agentId: z.optional(id),
  runId: z.optional(id),
  memoryIds: z.array(id).check(z.minLength(1)),
})

const relationSchema = z.strictObject({
  type: z.literal('relation'),
  source: text,
  relationship: text,
  target: text,
  userId: z.optional(id),
  agentId: z.optional(id),
  runId: z.optional(id),
  validFrom: time,
  invalidatedAt: z.nullable(time),
  memoryIds: z.array(id).check(z.minLength(1)),
})

function parse<S extends z.ZodMiniType>(schema: S, value: unknown, line: number | undefined): z.output<S> {
  const result = z.safeParse(schema, value, { reportInput: true })
  if (result.success) return result.data
  const { field, detail } = firstZodIssue(result.error)
  throw new FormatError(detail, { line, field: field || undefined }, { cause: result.error })
}

function needsScope(record: { userId?: string; agentId?: string; runId?: string }, line: number | undefined): void {
  if (record.userId === undefined && record.agentId === undefined && record.runId === undefined) {
    throw new FormatError('needs at least one of userId, agentId or runId (memories are always scoped)', { line })
  }
}

/**
 * Validates one record (a parsed JSON line); `line` (1-based) is named by the FormatError it throws.
 * Returns a copy holding exactly the record's fields.
 */
export function parseRecord(value: unknown, line?: number): PortableRecord {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new FormatError(`expected a JSON object, got ${value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value}`, {
      line,
    })
  }
  const type = (value as { type?: unknown }).type
  switch (type) {
    case HEADER_TYPE: {
      const header = parse(headerSchema, value, line)
      if (header.version !== FORMAT_VERSION) {
        throw new FormatError(
          `version ${JSON.stringify(header.version)} is not one this edgemem reads (it reads version ${FORMAT_VERSION}); use a newer edgemem`,
          { line, field: 'version' },
        )
      }
      return header as ExportHeader
    }
    case 'memory': {
      const record = parse(memorySchema, value, line)
      needsScope(record, line)
      try {
        record.metadata = validateMetadata(record.metadata)
        if (record.expirationDate !== undefined) expiryFromDate(record.expirationDate)
      } catch (err) {
        if (err instanceof ValidationError) throw new FormatError(err.message, { line }, { cause: err })
        throw err
      }
      return record as MemoryRecord
    }
    case 'history':
      return parse(historySchema, value, line) as HistoryRecord
    case 'entity': {
      const record = parse(entitySchema, value, line)
      needsScope(record, line)
      return record as EntityRecord
    }
    case 'relation': {
      const record = parse(relationSchema, value, line)
      needsScope(record, line)
      return record as RelationRecord
    }
    default:
      throw new FormatError(
        `unknown record type ${JSON.stringify(type)} (expected "${HEADER_TYPE}", "memory", "history", "entity" or "relation")`,
        {
          line,
          field: 'type',
        },
      )
  }
}
