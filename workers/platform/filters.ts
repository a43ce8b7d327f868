import type { Filter, ScopeOptions } from '../../src/index.workerd.ts'
import { FilterError } from '../../src/index.workerd.ts'
import { APP_FIELD, coreScope, type PlatformIds } from './entities.ts'

/**
 * mem0's v2/v3 filter language → edgemem's (docs/filters.md). The two share operators (`in, nin, gt,
 * gte, lt, lte, ne, contains, icontains`), `"*"`, `AND`/`OR`/`NOT` and the date fields, so the
 * translation only moves what mem0 nests differently; evaluation is the core's, the same as on the
 * REST routes:
 * - metadata conditions under `{"metadata": {...}}` become top-level metadata fields (edgemem keeps
 *   metadata flat), at any depth of `AND`/`OR`/`NOT`;
 * - `NOT: [a, b]` (mem0's list form) is "none of them": `NOT: {OR: [a, b]}`;
 * - `app_id` is the metadata field it is stored as (entities.ts); a filter naming `app_id` but no
 *   user, agent or run is scoped to the app (its core agent id).
 */
const LOGIC = new Set(['AND', 'OR', '$and', '$or'])
const NEGATION = new Set(['NOT', '$not'])
const SCOPE_FIELDS = ['user_id', 'agent_id', 'run_id'] as const

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function translateNode(node: unknown, path: string): Filter {
  if (!isObject(node)) throw new FilterError(`${path} must be an object of conditions`)
  const conditions: Filter[] = []
  const flat: Filter = {}
  const put = (field: string, value: unknown) => {
    if (Object.hasOwn(flat, field)) conditions.push({ [field]: value } as Filter)
    else flat[field] = value as Filter[string]
  }
  for (const [key, value] of Object.entries(node)) {
    if (LOGIC.has(key)) {
      if (!Array.isArray(value)) throw new FilterError(`${path}.${key} must be a list of filters`)
      put(
        key.replace('$', '').toUpperCase(),
        value.map((child, i) => translateNode(child, `${path}.${key}[${i}]`)),
      )
    } else if (NEGATION.has(key)) {
      const negated = Array.isArray(value)
        ? { OR: value.map((child, i) => translateNode(child, `${path}.${key}[${i}]`)) }
        : translateNode(value, `${path}.${key}`)
      put('NOT', negated)
    } else if (key === 'metadata') {
      if (!isObject(value)) throw new FilterError(`${path}.metadata must be an object of metadata conditions`)
      for (const [field, condition] of Object.entries(value)) {
        if (field === APP_FIELD) throw new FilterError(`${path}.metadata.app_id: app_id is an entity id; filter on it as filters.app_id`)
        put(field, condition)
      }
    } else {
      put(key, value)
    }
  }
  return conditions.length === 0 ? flat : { AND: [flat, ...conditions] }
}

/** The plain string equalities that every match must satisfy (top level and nested AND). */
function requiredIds(filter: Filter, out: Map<string, string>): Map<string, string> {
  for (const [key, value] of Object.entries(filter)) {
    if (key === 'AND' && Array.isArray(value)) for (const child of value) requiredIds(child as Filter, out)
    else if (typeof value === 'string' && value !== '*' && !out.has(key)) out.set(key, value)
  }
  return out
}

export interface TranslatedFilter {
  filters: Filter
  /** The core scope read from the filter's entity ids (the core also reads user/agent/run itself). */
  scope: ScopeOptions
}

/** A mem0 `filters` object in edgemem's language, with its scope. FilterError (400) when malformed. */
export function translateFilters(filters: unknown): TranslatedFilter {
  if (!isObject(filters))
    throw new FilterError('filters must be an object with at least one entity id (user_id, agent_id, app_id or run_id)')
  const translated = translateNode(filters, 'filters')
  const ids = requiredIds(translated, new Map())
  const named: PlatformIds = {}
  for (const field of [...SCOPE_FIELDS, APP_FIELD] as const) {
    const value = ids.get(field)
    if (value !== undefined) named[field] = value
  }
  return { filters: translated, scope: coreScope(named) }
}

/** getAll's `start_date`/`end_date`: a created_at range ANDed to the filter. */
export function withDateRange(filters: Filter, start: string | undefined, end: string | undefined): Filter {
  if (start === undefined && end === undefined) return filters
  const range = { ...(start !== undefined ? { gte: start } : {}), ...(end !== undefined ? { lte: end } : {}) }
  return { AND: [filters, { created_at: range }] }
}
