import type { Json, JsonObject } from '../types.ts'
import type { FilterNode, ScalarValue } from './ast.ts'

/** A compiled predicate over a payload. Compile once per query, call per record. */
export type PayloadPredicate = (payload: JsonObject) => boolean

const matchAll: PayloadPredicate = () => true
const matchNone: PayloadPredicate = () => false

function sameType(a: Json, b: ScalarValue): boolean {
  return typeof a === typeof b && a !== null
}

function scalarEquals(a: Json, b: ScalarValue): boolean {
  return sameType(a, b) && a === b
}

/**
 * A payload's own field only: `p[field]` would read Object.prototype for names like `toString` or
 * `constructor` and make `{ toString: '*' }` match every record, where every remote store finds none.
 */
function fieldOf(payload: JsonObject, field: string): Json | undefined {
  return Object.hasOwn(payload, field) ? payload[field] : undefined
}

/** Applies `test` to a scalar field, or to each element of an array field (some-element semantics). */
function anyValue(value: Json | undefined, test: (v: Json) => boolean): boolean {
  if (value === undefined || value === null) return false
  if (Array.isArray(value)) {
    for (const element of value) if (element !== null && !Array.isArray(element) && test(element)) return true
    return false
  }
  return test(value)
}

function ordered(a: Json, b: ScalarValue): number | undefined {
  if (typeof a === 'number' && typeof b === 'number') return a < b ? -1 : a > b ? 1 : 0
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0
  return undefined
}

/** Builds a predicate for the filter. The same semantics are compiled by every remote store. */
export function compileFilter(node: FilterNode): PayloadPredicate {
  switch (node.op) {
    case 'and': {
      if (node.children.length === 0) return matchAll
      const parts = node.children.map(compileFilter)
      if (parts.length === 1) return parts[0]!
      return (p) => {
        for (const part of parts) if (!part(p)) return false
        return true
      }
    }
    case 'or': {
      if (node.children.length === 0) return matchNone
      const parts = node.children.map(compileFilter)
      return (p) => {
        for (const part of parts) if (part(p)) return true
        return false
      }
    }
    case 'not': {
      const inner = compileFilter(node.child)
      return (p) => !inner(p)
    }
    case 'exists': {
      const field = node.field
      return (p) => fieldOf(p, field) !== undefined && fieldOf(p, field) !== null
    }
    case 'eq':
    case 'ne': {
      const { field, value } = node
      const positive: PayloadPredicate = (p) => anyValue(fieldOf(p, field), (v) => scalarEquals(v, value))
      return node.op === 'eq' ? positive : (p) => !positive(p)
    }
    case 'in':
    case 'nin': {
      const { field, values } = node
      const set = new Set<ScalarValue>(values)
      const positive: PayloadPredicate = (p) =>
        anyValue(fieldOf(p, field), (v) => (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') && set.has(v))
      return node.op === 'in' ? positive : (p) => !positive(p)
    }
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte': {
      const { field, value, op } = node
      const accept =
        op === 'gt'
          ? (c: number) => c > 0
          : op === 'gte'
            ? (c: number) => c >= 0
            : op === 'lt'
              ? (c: number) => c < 0
              : (c: number) => c <= 0
      return (p) =>
        anyValue(fieldOf(p, field), (v) => {
          const c = ordered(v, value)
          return c !== undefined && accept(c)
        })
    }
    case 'contains': {
      const { field, value } = node
      return (p) => {
        const v = fieldOf(p, field)
        if (typeof v === 'string') return typeof value === 'string' && v.includes(value)
        if (Array.isArray(v)) return v.some((element) => element !== null && scalarEquals(element, value))
        return false
      }
    }
    case 'icontains': {
      const { field } = node
      const needle = String(node.value).toLowerCase()
      return (p) => anyValue(fieldOf(p, field), (v) => typeof v === 'string' && v.toLowerCase().includes(needle))
    }
  }
}

export function matchesFilter(node: FilterNode, payload: JsonObject): boolean {
  return compileFilter(node)(payload)
}
