import { FilterError } from '../errors.ts'
import type { Filter } from '../types.ts'
import { and, not, or, type ComparisonOp, type FilterNode, type ListOp, type ScalarValue } from './ast.ts'

const COMPARISON_OPS: ReadonlySet<string> = new Set<ComparisonOp>(['eq', 'ne', 'gt', 'gte', 'lt', 'lte', 'contains', 'icontains'])
const LIST_OPS: ReadonlySet<string> = new Set<ListOp>(['in', 'nin'])
const OPERATOR_NAMES = [...COMPARISON_OPS, ...LIST_OPS].join(', ')
const LOGICAL: Record<string, 'AND' | 'OR' | 'NOT'> = { AND: 'AND', OR: 'OR', NOT: 'NOT', $and: 'AND', $or: 'OR', $not: 'NOT' }

/** Field names usable in filters and as metadata keys: portable to every remote store's filter syntax. */
export const FIELD_NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_-]{0,63}$/

/**
 * How deeply AND/OR/NOT may nest. Real filters nest a few levels; the bound keeps parsing, compiling and
 * every store's translation (all recursive) far from the stack limit on hostile input.
 */
export const MAX_FILTER_DEPTH = 32

export interface ParseFilterOptions {
  /** Fields holding epoch milliseconds: ISO-8601 strings given for them are converted. */
  dateFields?: ReadonlySet<string>
}

function describe(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'an array'
  return typeof value === 'object' ? 'an object' : `${typeof value} ${JSON.stringify(value)}`
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

class FilterParser {
  private readonly options: ParseFilterOptions
  constructor(options: ParseFilterOptions) {
    this.options = options
  }

  filter(input: unknown, path: string, depth = 1): FilterNode {
    if (!isPlainObject(input)) throw new FilterError(`${path || 'filters'} must be an object, got ${describe(input)}`)
    if (depth > MAX_FILTER_DEPTH) {
      throw new FilterError(`${path}: filters nest deeper than ${MAX_FILTER_DEPTH} levels of AND / OR / NOT`)
    }
    const parts: FilterNode[] = []
    for (const [key, value] of Object.entries(input)) {
      if (value === undefined) continue
      const logical = LOGICAL[key]
      const here = path ? `${path}.${key}` : key
      if (logical === 'AND' || logical === 'OR') {
        if (!Array.isArray(value)) throw new FilterError(`${here} must be an array of filters, got ${describe(value)}`)
        const children = value.map((child, i) => this.filter(child, `${here}[${i}]`, depth + 1))
        parts.push(logical === 'AND' ? and(...children) : children.length === 0 ? { op: 'or', children: [] } : or(...children))
      } else if (logical === 'NOT') {
        if (!isPlainObject(value)) {
          throw new FilterError(
            `${here} takes one filter object (to exclude several conditions use NOT: { OR: [...] }), got ${describe(value)}`,
          )
        }
        parts.push(not(this.filter(value, here, depth + 1)))
      } else {
        parts.push(this.field(key, value, here))
      }
    }
    return and(...parts)
  }

  private field(field: string, condition: unknown, path: string): FilterNode {
    if (!FIELD_NAME_PATTERN.test(field)) {
      throw new FilterError(`${path}: "${field}" is not a valid field name (letters, digits, "_" and "-", starting with a letter or "_")`)
    }
    if (condition === '*') return { op: 'exists', field }
    if (Array.isArray(condition)) return { op: 'in', field, values: this.list(field, 'in', condition, path) }
    if (isPlainObject(condition)) {
      const entries = Object.entries(condition).filter(([, v]) => v !== undefined)
      if (entries.length === 0) throw new FilterError(`${path}: empty operator object; use one of ${OPERATOR_NAMES}`)
      // Every operator given for a field applies (mem0 3.3.1 applied only the first one).
      return and(...entries.map(([rawOp, operand]) => this.operator(field, rawOp, operand, path)))
    }
    return { op: 'eq', field, value: this.scalar(field, 'eq', condition, path) }
  }

  private operator(field: string, rawOp: string, operand: unknown, path: string): FilterNode {
    const op = rawOp.startsWith('$') ? rawOp.slice(1) : rawOp
    if (LIST_OPS.has(op)) {
      if (!Array.isArray(operand)) throw new FilterError(`${path}.${rawOp} takes an array, got ${describe(operand)}`)
      return { op: op as ListOp, field, values: this.list(field, op, operand, `${path}.${rawOp}`) }
    }
    if (!COMPARISON_OPS.has(op)) {
      throw new FilterError(`${path}: unknown operator "${rawOp}"; use one of ${OPERATOR_NAMES} (or "*" for "field exists")`)
    }
    const value = this.scalar(field, op, operand, `${path}.${rawOp}`)
    if ((op === 'gt' || op === 'gte' || op === 'lt' || op === 'lte') && typeof value === 'boolean') {
      throw new FilterError(`${path}.${rawOp} compares numbers or strings, got a boolean`)
    }
    if (op === 'icontains' && typeof value !== 'string') {
      throw new FilterError(`${path}.${rawOp} takes a string, got ${describe(value)}`)
    }
    return { op: op as ComparisonOp, field, value }
  }

  private list(field: string, op: string, values: unknown[], path: string): ScalarValue[] {
    return values.map((v, i) => this.scalar(field, op, v, `${path}[${i}]`))
  }

  private scalar(field: string, op: string, value: unknown, path: string): ScalarValue {
    if (typeof value === 'number') {
      if (!Number.isFinite(value)) throw new FilterError(`${path}: ${value} is not a finite number`)
      return value
    }
    if (typeof value === 'string') {
      if (this.options.dateFields?.has(field) && op !== 'contains' && op !== 'icontains') {
        const ms = Date.parse(value)
        if (Number.isNaN(ms)) throw new FilterError(`${path}: "${value}" is not an ISO-8601 date for ${field}`)
        return ms
      }
      return value
    }
    if (typeof value === 'boolean') return value
    throw new FilterError(
      `${path}: filter values must be strings, numbers or booleans, got ${describe(value)}` +
        (value === null ? ' (to match a missing field use NOT: { field: "*" })' : ''),
    )
  }
}

/**
 * Parses the user-facing filter language into a FilterNode. Throws FilterError naming the offending
 * path. Several operators on one field all apply; AND keeps every condition, also on the same field.
 */
export function parseFilter(filter: Filter | undefined, options: ParseFilterOptions = {}): FilterNode {
  if (filter === undefined) return and()
  return new FilterParser(options).filter(filter, '')
}
