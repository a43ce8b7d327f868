import { type Json, type Payload, ValidationError } from '../../src/internal.ts'
import { kindOf, type ValueKind } from '../shared/shape.ts'

/**
 * Chroma metadata values are strings, integers, floats and booleans (newer servers also take homogeneous
 * arrays, which older ones and Chroma's `$eq` do not: they are not used). Our payloads may hold nulls,
 * objects and arrays, so values Chroma cannot store as a scalar are encoded rather than rejected:
 * - null: not stored; the `z` shape flag restores it on read.
 * - objects and arrays: stored as the string ENCODED_PREFIX + JSON (flag `j`, arrays also `a`).
 * - a string starting with ENCODED_PREFIX is encoded too, so decoding is unambiguous.
 * Shape flags: Chroma metadata has no lists of tags and no `$exists`, so each field's kind is one boolean
 * key `_em_t:<kind>:<field>` = true (`flagKey`); `{key: {$eq: true}}` is a positive test and, since Chroma's
 * `$ne` is the complement of `$eq` (it matches records without the key), `{key: {$ne: true}}` its exact
 * negation. Keys starting with "$" or "#" are rejected (Chroma's where language reads them as operators,
 * `#document`).
 */
export const ENCODED_PREFIX = '~em-json:'
export const FLAG_PREFIX = '_em_t:'
export type Flag = ValueKind | 'j'

export const flagKey = (kind: Flag, field: string): string => `${FLAG_PREFIX}${kind}:${field}`

export type ChromaScalar = string | number | boolean

export function encodeMetadata(payload: Payload): Record<string, ChromaScalar> {
  const metadata: Record<string, ChromaScalar> = {}
  for (const [key, value] of Object.entries(payload)) {
    if (value === undefined) continue
    if (key.startsWith('$') || key.startsWith('#')) {
      throw new ValidationError(`payload key "${key}": Chroma metadata keys must not start with "$" or "#"`)
    }
    if (key.startsWith(FLAG_PREFIX))
      throw new ValidationError(`payload key "${key}" is reserved by the Chroma adapter; rename the metadata key`)
    if (key.length === 0) throw new ValidationError('payload keys must not be empty for the Chroma adapter')
    const kind = kindOf(value)
    metadata[flagKey(kind, key)] = true
    if (value === null) continue
    if (typeof value === 'number' || typeof value === 'boolean' || (typeof value === 'string' && !value.startsWith(ENCODED_PREFIX))) {
      metadata[key] = value
    } else {
      metadata[key] = ENCODED_PREFIX + JSON.stringify(value)
      metadata[flagKey('j', key)] = true
    }
  }
  return metadata
}

/** The payload from stored metadata; `ownKeys` (the adapter's bookkeeping) are dropped. */
export function decodeMetadata(metadata: Record<string, unknown> | null | undefined, ownKeys: readonly string[]): Payload {
  const payload: Payload = {}
  for (const [key, value] of Object.entries(metadata ?? {})) {
    if (ownKeys.includes(key)) continue
    if (key.startsWith(FLAG_PREFIX)) {
      if (key.startsWith(`${FLAG_PREFIX}z:`)) payload[key.slice(FLAG_PREFIX.length + 2)] = null
      continue
    }
    payload[key] =
      typeof value === 'string' && value.startsWith(ENCODED_PREFIX)
        ? (JSON.parse(value.slice(ENCODED_PREFIX.length)) as Json)
        : (value as Json)
  }
  return payload
}
