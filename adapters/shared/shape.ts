import { type Json, type Payload, ValidationError } from '../../src/internal.ts'

/**
 * Shape tags: every stored record carries `_em_t`, a list of strings `<kind>:<field>` naming the JSON kind
 * of each payload field. Remote filter languages cannot test a value's type, and their negations differ
 * from ours on missing fields, type mismatches and arrays; with the tags a compiler can say "f is a
 * string" or "f is an array" with a positive list-membership test, which every service evaluates
 * unambiguously. Null values are not stored (Pinecone cannot, and our filter semantics treat null exactly
 * like a missing field); the `z` tag restores them on read.
 */
export const TAGS_KEY = '_em_t'

export type ValueKind = 's' | 'n' | 'b' | 'a' | 'o' | 'z'
/** Kinds a present, non-null field can have. */
export const PRESENT_KINDS: readonly ValueKind[] = ['s', 'n', 'b', 'a', 'o']

export function kindOf(value: Json): ValueKind {
  if (value === null) return 'z'
  if (Array.isArray(value)) return 'a'
  switch (typeof value) {
    case 'string':
      return 's'
    case 'number':
      return 'n'
    case 'boolean':
      return 'b'
    default:
      return 'o'
  }
}

export function tag(kind: string, field: string): string {
  return `${kind}:${field}`
}

export function tagsFor(field: string, kinds: readonly string[]): string[] {
  return kinds.map((kind) => tag(kind, field))
}

/** Keys the adapters keep for themselves; a payload using one is rejected rather than silently clobbered. */
export function assertNoReservedKeys(payload: Payload, reserved: readonly string[], service: string): void {
  for (const key of reserved) {
    if (Object.hasOwn(payload, key)) {
      throw new ValidationError(`payload key "${key}" is reserved by the ${service} adapter; rename the metadata key`)
    }
  }
}

/** Splits a payload into the stored fields (nulls removed) and the shape tags. */
export function encodeShape(payload: Payload): { fields: Payload; tags: string[] } {
  const fields: Payload = {}
  const tags: string[] = []
  for (const [key, value] of Object.entries(payload)) {
    if (value === undefined) continue
    tags.push(tag(kindOf(value), key))
    if (value !== null) fields[key] = value
  }
  return { fields, tags }
}

/** Restores null-valued fields from the tags and drops the adapter's own keys. */
export function decodeShape(stored: Record<string, unknown>, ownKeys: readonly string[]): Payload {
  const payload: Payload = {}
  for (const [key, value] of Object.entries(stored)) {
    if (ownKeys.includes(key)) continue
    payload[key] = value as Json
  }
  const tags = stored[TAGS_KEY]
  if (Array.isArray(tags)) {
    for (const t of tags) if (typeof t === 'string' && t.startsWith('z:')) payload[t.slice(2)] = null
  }
  return payload
}
