import { type Json, type Payload, ValidationError } from '../../src/internal.ts'
import { kindOf, tag, TAGS_KEY } from '../shared/shape.ts'

/**
 * How a record is stored as a search-engine document. Payload fields cannot be mapped as they are: one
 * field holding a string in one record and a number in another would be a mapping conflict, and field
 * names with dots would become object paths. So:
 * - `p`: the payload itself, in an object mapped `enabled: false` (kept in _source, never indexed);
 * - `s.<f>`, `n.<f>`, `b.<f>`: the field's string, number and boolean values (scalars, and the scalar
 *   elements of arrays: search engines match any element of a multi-valued field, as our filters do),
 *   mapped keyword / double / boolean by dynamic templates; `<f>` is the field name escaped (`fieldName`);
 * - `_em_t`: shape tags (`adapters/shared/shape.ts`) as keywords, plus `l:<f>` when a string is longer
 *   than KEYWORD_LIMIT (not indexed: `ignore_above`), so filters on long strings are supersets;
 * - `_em_id`, `_em_ns`: the record id and the Memory collection, keywords; `vector`: the embedding.
 */
export const ID_KEY = '_em_id'
export const NAMESPACE_KEY = '_em_ns'
export const PAYLOAD_KEY = 'p'
export const VECTOR_KEY = 'vector'
/** Characters of a keyword value that are indexed (`ignore_above`); longer strings are tagged `l`. */
export const KEYWORD_LIMIT = 1024

/**
 * A field name safe as one path segment: `encodeURIComponent` plus `.` `*` `!` `'` `(` `)` `~` escaped
 * (dots would nest objects, `*` is a wildcard in some queries). Injective, so no two fields share a path.
 */
export function fieldName(field: string): string {
  return encodeURIComponent(field).replace(/[.*!'()~]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
}

export const valuePath = (kind: 's' | 'n' | 'b', field: string): string => `${kind}.${fieldName(field)}`

type Indexed = { s: Record<string, string[]>; n: Record<string, number[]>; b: Record<string, boolean[]> }

export function encodeDocument(payload: Payload): { p: Payload; s: Indexed['s']; n: Indexed['n']; b: Indexed['b']; [TAGS_KEY]: string[] } {
  const indexed: Indexed = { s: {}, n: {}, b: {} }
  const tags: string[] = []
  const p: Payload = {}
  const push = <T>(values: Record<string, T[]>, name: string, value: T): void => {
    const list = values[name]
    if (list) list.push(value)
    else values[name] = [value]
  }
  const add = (field: string, value: Json): boolean => {
    const name = fieldName(field)
    if (typeof value === 'string') {
      push(indexed.s, name, value)
      return value.length > KEYWORD_LIMIT
    }
    if (typeof value === 'number') push(indexed.n, name, value)
    else if (typeof value === 'boolean') push(indexed.b, name, value)
    return false
  }
  for (const [field, value] of Object.entries(payload)) {
    if (value === undefined) continue
    if (field.length === 0) throw new ValidationError('payload keys must not be empty for the Elasticsearch/OpenSearch adapter')
    tags.push(tag(kindOf(value), field))
    if (value === null) continue
    p[field] = value
    let long = false
    if (Array.isArray(value)) {
      for (const element of value) if (element !== null && typeof element !== 'object') long = add(field, element) || long
    } else if (typeof value !== 'object') long = add(field, value)
    if (long) tags.push(tag('l', field))
  }
  return { p, ...indexed, [TAGS_KEY]: tags }
}

/** The payload back from a document's _source (nulls restored from the `z` tags). */
export function decodePayload(source: Record<string, unknown>): Payload {
  const payload: Payload = { ...((source[PAYLOAD_KEY] as Payload | undefined) ?? {}) }
  const tags = source[TAGS_KEY]
  if (Array.isArray(tags)) for (const t of tags) if (typeof t === 'string' && t.startsWith('z:')) payload[t.slice(2)] = null
  return payload
}
