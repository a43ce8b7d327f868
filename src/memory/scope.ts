import { ValidationError } from '../errors.ts'
import { and, cmp, eq, requiredEqualities, type FilterNode } from '../filters/ast.ts'
import { parseFilter } from '../filters/parse.ts'
import type { ScopeHint } from '../interfaces/vector-store.ts'
import type { Filter, ScopeOptions } from '../types.ts'
import { outermostScope } from '../util/outermost-scope.ts'
import { hasLoneSurrogate } from '../util/unicode.ts'
import { DATE_FIELDS, type Scope } from './payload.ts'

/**
 * Scope isolation lives here and nowhere else: every read and write the Memory sends to a vector store
 * carries the filter built by `scopeFilter`, and every result coming back is checked against the full
 * query filter before it is returned (Memory.verify). Stores never re-implement scoping.
 */
const SCOPE_FIELDS = [
  ['userId', 'user_id'],
  ['agentId', 'agent_id'],
  ['runId', 'run_id'],
] as const
const MAX_SCOPE_ID_LENGTH = 256

function checkId(value: unknown, name: string): string | undefined {
  if (value === undefined) return undefined
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_SCOPE_ID_LENGTH) {
    throw new ValidationError(`${name} must be a non-empty string of at most ${MAX_SCOPE_ID_LENGTH} characters`)
  }
  if (hasLoneSurrogate(value)) throw new ValidationError(`${name} must be well-formed Unicode text: it holds a lone UTF-16 surrogate`)
  return value
}

/**
 * How errors name the scope options: as the TypeScript API spells them (`userId`), or as the REST API
 * does (`user_id`: the Worker validates requests with this same function).
 */
export type ScopeNaming = 'api' | 'rest'

/** The user's `filters` of a read, parsed (dates as in the payload); undefined when none were given. */
export function parseUserFilters(filters: unknown, operation: string): FilterNode | undefined {
  if (filters === undefined) return undefined
  if (typeof filters !== 'object' || filters === null || Array.isArray(filters)) {
    throw new ValidationError(`${operation}: filters must be an object`)
  }
  return parseFilter(filters as Filter, { dateFields: DATE_FIELDS })
}

/** Reads the scope ids given as options and (for reads) as user_id/agent_id/run_id equalities in the filter. */
export function resolveScope(options: ScopeOptions, filter: FilterNode | undefined, operation: string, naming: ScopeNaming = 'api'): Scope {
  const fromFilter = filter ? requiredEqualities(filter) : new Map()
  const scope: Scope = {}
  for (const [option, field] of SCOPE_FIELDS) {
    const name = naming === 'api' ? option : field
    const given = checkId(options[option], name)
    const filtered = fromFilter.get(field)
    if (given !== undefined && filtered !== undefined && given !== filtered) {
      throw new ValidationError(`${operation}: ${name} "${given}" conflicts with filters.${field} ${JSON.stringify(filtered)}`)
    }
    const value = given ?? (typeof filtered === 'string' ? filtered : undefined)
    if (value !== undefined) scope[field] = value
  }
  if (scope.user_id === undefined && scope.agent_id === undefined && scope.run_id === undefined) {
    const names = naming === 'api' ? 'userId, agentId or runId' : 'user_id, agent_id or run_id'
    throw new ValidationError(
      `${operation} needs at least one of ${names} (or user_id / agent_id / run_id in filters) so that memories stay scoped`,
    )
  }
  return scope
}

/** Records belonging to the scope: every given id must match (records may carry further ids). */
export function scopeFilter(scope: Scope): FilterNode {
  return and(...SCOPE_FIELDS.flatMap(([, field]) => (scope[field] === undefined ? [] : [eq(field, scope[field]!)])))
}

/** Memories visible at `now`: not yet expired. */
export function visibleAt(now: number): FilterNode {
  return cmp('expires_at', 'gt', now)
}

export function scopeHint(scope: Scope): ScopeHint {
  return { ...scope }
}

/** Serialisation key for writes: writes that can see each other's memories share the outermost scope id. */
export function writeLockKey(scope: Scope): string {
  const outermost = outermostScope(scope)
  // resolveScope guarantees an id; a record without one (written by someone else) shares one lock.
  return outermost ? `${outermost.kind}:${outermost.id}` : '_'
}
