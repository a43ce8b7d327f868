import { ValidationError } from '../errors.ts'
import type { GraphScope } from '../interfaces/graph-store.ts'

/**
 * What every graph store checks and compares the same way (the `local` store, the openCypher stores of
 * adapters/shared/cypher-graph-store.ts): scopes, names, memory ids, dates of a write.
 */
export const GRAPH_SCOPE_KEYS = ['user_id', 'agent_id', 'run_id'] as const
export const DEFAULT_RESOLVE_SIMILARITY = 0.92
const MAX_NAME_LENGTH = 256

export function sameScope(a: GraphScope, b: GraphScope): boolean {
  return GRAPH_SCOPE_KEYS.every((k) => a[k] === b[k])
}
/** Records of `scope`: every id the query gives must match (records may carry further ids), as for memories. */
export function inScope(query: GraphScope, record: GraphScope): boolean {
  return GRAPH_SCOPE_KEYS.every((k) => query[k] === undefined || query[k] === record[k])
}
export function cleanScope(scope: GraphScope): GraphScope {
  const out: GraphScope = {}
  for (const k of GRAPH_SCOPE_KEYS) {
    const v = scope[k]
    if (v !== undefined) {
      if (typeof v !== 'string' || v.length === 0) throw new ValidationError(`graph: scope ${k} must be a non-empty string`)
      out[k] = v
    }
  }
  return out
}
export function union(a: readonly string[], b: readonly string[]): string[] {
  const set = new Set(a)
  for (const x of b) set.add(x)
  return [...set]
}
export function dot(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) return -1
  let s = 0
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!
  return s
}
export function checkName(value: unknown, what: string): string {
  if (typeof value !== 'string' || value.trim().length === 0 || value.length > MAX_NAME_LENGTH) {
    throw new ValidationError(`graph: ${what} must be a non-empty string of at most ${MAX_NAME_LENGTH} characters`)
  }
  return value.trim()
}
export function checkMemoryIds(value: unknown, what: string): string[] {
  if (!Array.isArray(value) || value.some((id) => typeof id !== 'string' || id.length === 0)) {
    throw new ValidationError(`graph: ${what}.memoryIds must be an array of memory ids`)
  }
  return value as string[]
}
export function checkDate(value: unknown, what: string): string {
  if (typeof value !== 'string' || Number.isNaN(Date.parse(value))) throw new ValidationError(`graph: ${what} must be an ISO 8601 date`)
  return value
}
