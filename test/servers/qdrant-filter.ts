/**
 * Qdrant's filter JSON (v1.19 REST): `{must?, should?, must_not?, min_should?}`, each one condition or an
 * array. Conditions: field conditions `{key, match|range}`, `{is_empty: {key}}`, `{is_null: {key}}`,
 * `{has_id: [...]}`, `{nested: {key, filter}}` and a nested Filter. Used by the fake Qdrant server.
 *
 * Semantics per Qdrant's docs: a match on an array payload succeeds if any element matches; `match.value`
 * takes a keyword string, an integer or a bool (no floats: use range); `match.any` strings or integers;
 * `match.except` is satisfied when the field exists and (for arrays) at least one element is not listed;
 * range compares numbers (any element of an array); is_empty: missing, null or []; is_null: null.
 */

type Json = null | boolean | number | string | Json[] | { [key: string]: Json }

export class QdrantFilterError extends Error {}

export interface QdrantPoint {
  id: string | number
  payload: Record<string, Json>
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)
const asList = (v: unknown): unknown[] => (v === undefined ? [] : Array.isArray(v) ? v : [v])

const EVERY = Symbol('every element')

/** Values at a key path: `a.b`, `a[].b` (flattens arrays), `a[0]`. Arrays at the end are flattened one level. */
export function valuesAt(payload: Json, key: string): Json[] {
  const steps = key.split('.').flatMap((part) => {
    const m = /^([^[\]]+)((?:\[\d*\])*)$/.exec(part)
    if (!m) throw new QdrantFilterError(`Bad request: invalid key ${key}`)
    const out: (string | number | typeof EVERY)[] = [m[1]!]
    for (const idx of m[2]!.match(/\[\d*\]/g) ?? []) out.push(idx === '[]' ? EVERY : Number(idx.slice(1, -1)))
    return out
  })
  let current: Json[] = [payload]
  for (const step of steps) {
    const next: Json[] = []
    for (const value of current) {
      if (typeof step === 'string') {
        if (isObject(value) && Object.hasOwn(value, step)) next.push((value as Record<string, Json>)[step]!)
      } else if (step === EVERY) {
        if (Array.isArray(value)) next.push(...value)
      } else if (Array.isArray(value) && step < value.length) next.push(value[step]!)
    }
    current = next
  }
  return current
}

/** Leaf values: arrays contribute their elements. */
function leaves(payload: Json, key: string): { present: boolean; values: Json[] } {
  const raw = valuesAt(payload, key)
  const values: Json[] = []
  for (const value of raw) {
    if (Array.isArray(value)) values.push(...value)
    else values.push(value)
  }
  return { present: raw.length > 0, values }
}

function checkMatchValue(value: unknown): void {
  const ok = typeof value === 'string' || typeof value === 'boolean' || (typeof value === 'number' && Number.isInteger(value))
  if (!ok) throw new QdrantFilterError('Format error in JSON body: data did not match any variant of untagged enum MatchInterface')
}

function checkAny(values: unknown): (string | number)[] {
  if (!Array.isArray(values)) throw new QdrantFilterError('Format error in JSON body: match.any must be an array')
  const allStrings = values.every((v) => typeof v === 'string')
  const allInts = values.every((v) => typeof v === 'number' && Number.isInteger(v))
  if (!allStrings && !allInts)
    throw new QdrantFilterError('Format error in JSON body: data did not match any variant of untagged enum AnyVariants')
  return values as (string | number)[]
}

function compareRange(value: Json, range: Record<string, unknown>): boolean {
  let v: number
  let bound = (x: unknown): number => x as number
  const isDate = Object.values(range).some((x) => typeof x === 'string')
  if (isDate) {
    if (typeof value !== 'string') return false
    v = Date.parse(value)
    if (Number.isNaN(v)) return false
    bound = (x) => Date.parse(String(x))
  } else {
    if (typeof value !== 'number') return false
    v = value
  }
  if (range.gt !== undefined && range.gt !== null && !(v > bound(range.gt))) return false
  if (range.gte !== undefined && range.gte !== null && !(v >= bound(range.gte))) return false
  if (range.lt !== undefined && range.lt !== null && !(v < bound(range.lt))) return false
  if (range.lte !== undefined && range.lte !== null && !(v <= bound(range.lte))) return false
  return true
}

function checkRange(range: unknown): Record<string, unknown> {
  if (!isObject(range)) throw new QdrantFilterError('Format error in JSON body: range must be an object')
  for (const [k, v] of Object.entries(range)) {
    if (!['gt', 'gte', 'lt', 'lte'].includes(k)) throw new QdrantFilterError(`Format error in JSON body: unknown field \`${k}\` in range`)
    if (v !== null && typeof v !== 'number' && !(typeof v === 'string' && !Number.isNaN(Date.parse(v)))) {
      throw new QdrantFilterError('Format error in JSON body: range bounds must be numbers or RFC 3339 datetimes')
    }
  }
  return range
}

const sameScalar = (a: Json, b: unknown): boolean => a !== null && typeof a !== 'object' && typeof a === typeof b && a === b

function matchCondition(point: QdrantPoint, cond: Record<string, unknown>): boolean {
  if ('key' in cond) {
    const key = cond.key
    if (typeof key !== 'string') throw new QdrantFilterError('Format error in JSON body: key must be a string')
    const { present, values } = leaves(point.payload, key)
    if (cond.match !== undefined) {
      const match = cond.match
      if (!isObject(match)) throw new QdrantFilterError('Format error in JSON body: match must be an object')
      if ('value' in match) {
        checkMatchValue(match.value)
        return values.some((v) => sameScalar(v, match.value))
      }
      if ('any' in match) {
        const any = checkAny(match.any)
        return values.some((v) => any.some((a) => sameScalar(v, a)))
      }
      if ('except' in match) {
        const except = checkAny(match.except)
        if (!present) return false
        const scalars = values.filter((v) => v !== null && typeof v !== 'object')
        return scalars.some((v) => !except.some((a) => sameScalar(v, a)))
      }
      if ('text' in match) {
        if (typeof match.text !== 'string') throw new QdrantFilterError('Format error in JSON body: match.text must be a string')
        // Without a full-text index Qdrant matches text as an exact substring.
        return values.some((v) => typeof v === 'string' && v.includes(match.text as string))
      }
      throw new QdrantFilterError('Format error in JSON body: data did not match any variant of untagged enum Match')
    }
    if (cond.range !== undefined) {
      const range = checkRange(cond.range)
      return values.some((v) => compareRange(v, range))
    }
    throw new QdrantFilterError('Format error in JSON body: field condition needs match or range')
  }
  if ('is_empty' in cond) {
    const key = (cond.is_empty as { key?: unknown })?.key
    if (typeof key !== 'string') throw new QdrantFilterError('Format error in JSON body: is_empty.key must be a string')
    const raw = valuesAt(point.payload, key)
    return raw.length === 0 || raw.every((v) => v === null || (Array.isArray(v) && v.length === 0))
  }
  if ('is_null' in cond) {
    const key = (cond.is_null as { key?: unknown })?.key
    if (typeof key !== 'string') throw new QdrantFilterError('Format error in JSON body: is_null.key must be a string')
    return valuesAt(point.payload, key).some((v) => v === null)
  }
  if ('has_id' in cond) {
    const ids = asList(cond.has_id).map((id) => (typeof id === 'string' ? id.toLowerCase() : id))
    return ids.includes(typeof point.id === 'string' ? point.id.toLowerCase() : point.id)
  }
  if ('nested' in cond) {
    const nested = cond.nested as { key?: unknown; filter?: unknown }
    if (typeof nested?.key !== 'string') throw new QdrantFilterError('Format error in JSON body: nested.key must be a string')
    const elements = valuesAt(point.payload, nested.key).flatMap((v) => (Array.isArray(v) ? v : []))
    // Every condition of the nested filter must hold for one and the same element.
    return elements.some(
      (element) => isObject(element) && matchesQdrantFilter({ id: point.id, payload: element as Record<string, Json> }, nested.filter),
    )
  }
  if ('must' in cond || 'should' in cond || 'must_not' in cond || 'min_should' in cond) return matchesQdrantFilter(point, cond)
  throw new QdrantFilterError(`Format error in JSON body: unknown condition ${JSON.stringify(cond)}`)
}

export function matchesQdrantFilter(point: QdrantPoint, filter: unknown): boolean {
  if (filter === undefined || filter === null) return true
  if (!isObject(filter)) throw new QdrantFilterError('Format error in JSON body: filter must be an object')
  for (const key of Object.keys(filter)) {
    if (!['must', 'should', 'must_not', 'min_should'].includes(key))
      throw new QdrantFilterError(`Format error in JSON body: unknown field \`${key}\``)
  }
  const conditions = (v: unknown): Record<string, unknown>[] =>
    asList(v === null ? undefined : v).map((c) => {
      if (!isObject(c)) throw new QdrantFilterError('Format error in JSON body: a condition must be an object')
      return c
    })
  const must = conditions(filter.must)
  const should = conditions(filter.should)
  const mustNot = conditions(filter.must_not)
  // Evaluate every condition (no short-circuit) so malformed ones are reported whatever the data.
  const mustHits = must.map((c) => matchCondition(point, c))
  const mustNotHits = mustNot.map((c) => matchCondition(point, c))
  const shouldHits = should.map((c) => matchCondition(point, c))
  if (!mustHits.every(Boolean)) return false
  if (mustNotHits.some(Boolean)) return false
  if (shouldHits.length > 0 && !shouldHits.some(Boolean)) return false
  if (filter.min_should !== undefined && filter.min_should !== null) {
    const min = filter.min_should as { conditions?: unknown; min_count?: unknown }
    if (!Array.isArray(min.conditions) || typeof min.min_count !== 'number') {
      throw new QdrantFilterError('Format error in JSON body: min_should needs conditions and min_count')
    }
    const hits = conditions(min.conditions).filter((c) => matchCondition(point, c)).length
    if (hits < min.min_count) return false
  }
  return true
}

/** Called once per request to surface format errors even when no point exists. */
export function validateQdrantFilter(filter: unknown): void {
  matchesQdrantFilter({ id: 0, payload: {} }, filter)
}
