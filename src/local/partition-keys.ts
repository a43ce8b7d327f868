import type { Payload, ScopeHint } from '../interfaces/vector-store.ts'
import { outermostScope } from '../util/outermost-scope.ts'

/**
 * Records are partitioned by their outermost scope id: the user when there is one, else the agent,
 * else the run. A query that names the user (the common case) touches exactly one partition, so its
 * cost does not grow with other users' data. Queries that omit the user of records stored with one
 * (e.g. "all memories of agent A across users") visit every partition that could hold a match.
 */
export type PartitionKey = string

const encode = (id: string): string => encodeURIComponent(id)

/** Records without any scope id (possible for direct store users; Memory always sets one). */
export const UNSCOPED: PartitionKey = '_'

export function partitionOf(payload: Payload): PartitionKey {
  const outermost = outermostScope(payload)
  return outermost ? `${outermost.kind}.${encode(outermost.id)}` : UNSCOPED
}

/** The single partition a query is confined to, when the hint pins it down. */
export function exactPartition(scope: ScopeHint): PartitionKey | undefined {
  if (scope.user_id !== undefined) return `u.${encode(scope.user_id)}`
  return undefined
}

/** Whether a partition can hold records matching the scope hint (records in `a.*` have no user, ...). */
export function partitionMayMatch(part: PartitionKey, scope: ScopeHint): boolean {
  if (part === UNSCOPED) return scope.user_id === undefined && scope.agent_id === undefined && scope.run_id === undefined
  const kind = part[0]
  const id = decodeURIComponent(part.slice(2))
  if (kind === 'u') return scope.user_id === undefined || scope.user_id === id
  if (scope.user_id !== undefined) return false
  if (kind === 'a') return scope.agent_id === undefined || scope.agent_id === id
  if (scope.agent_id !== undefined) return false
  return scope.run_id === undefined || scope.run_id === id
}
