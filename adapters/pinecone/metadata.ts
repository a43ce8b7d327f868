import { type Json, type Payload, ValidationError } from '../../src/internal.ts'
import { kindOf, tag, TAGS_KEY } from '../shared/shape.ts'

/**
 * Pinecone metadata is flat: strings, numbers, booleans and lists of strings. Our payloads may hold
 * nulls, objects and other arrays, so values Pinecone cannot store are encoded rather than rejected:
 * - null: not stored (Pinecone recommends removing the key); the `z:` shape tag restores it on read.
 * - objects, arrays that are empty or hold anything but strings: stored as the string
 *   ENCODED_PREFIX + JSON, tagged `j:` (encoded) and `x:` (encoded array) for the filter compiler.
 * - a string (or list element) that starts with ENCODED_PREFIX is encoded too, so every stored string
 *   with the prefix is an encoding and decoding is unambiguous.
 * Keys starting with "$" are rejected (Pinecone forbids them and filters cannot name them).
 */
export const ENCODED_PREFIX = '~em-json:'

const storableString = (value: string): boolean => !value.startsWith(ENCODED_PREFIX)

export function encodeMetadata(payload: Payload): Record<string, string | number | boolean | string[]> {
  const metadata: Record<string, string | number | boolean | string[]> = {}
  const tags: string[] = []
  for (const [key, value] of Object.entries(payload)) {
    if (value === undefined) continue
    if (key.startsWith('$')) throw new ValidationError(`payload key "${key}": Pinecone metadata keys must not start with "$"`)
    const kind = kindOf(value)
    tags.push(tag(kind, key))
    if (value === null) continue
    const native =
      typeof value === 'number' ||
      typeof value === 'boolean' ||
      (typeof value === 'string' && storableString(value)) ||
      (Array.isArray(value) && value.length > 0 && value.every((v) => typeof v === 'string' && storableString(v)))
    if (native) {
      metadata[key] = value as string | number | boolean | string[]
    } else {
      metadata[key] = ENCODED_PREFIX + JSON.stringify(value)
      tags.push(tag('j', key))
      if (Array.isArray(value)) tags.push(tag('x', key))
    }
  }
  if (tags.length > 0) metadata[TAGS_KEY] = tags
  return metadata
}

export function decodeMetadata(metadata: Record<string, unknown> | undefined): Payload {
  const payload: Payload = {}
  for (const [key, value] of Object.entries(metadata ?? {})) {
    if (key === TAGS_KEY) continue
    payload[key] =
      typeof value === 'string' && value.startsWith(ENCODED_PREFIX)
        ? (JSON.parse(value.slice(ENCODED_PREFIX.length)) as Json)
        : (value as Json)
  }
  const tags = metadata?.[TAGS_KEY]
  if (Array.isArray(tags)) for (const t of tags) if (typeof t === 'string' && t.startsWith('z:')) payload[t.slice(2)] = null
  return payload
}
