import { ValidationError, parseFilter, type Filter, type ScopeOptions } from '../../src/index.workerd.ts'
import { requiredEqualities } from '../../src/filters/ast.ts'
import { DATE_FIELDS } from '../../src/memory/payload.ts'
import { sha256Hex } from '../../src/util/hash.ts'

/**
 * How the durable-object mode spreads a tenant over its shard objects.
 *
 * A memory lives in the shard of its outermost scope id: the user when it has one, else the agent, else
 * the run (the same key the core serialises writes on and partitions its index by). So:
 * - every write names its scope and goes to exactly one shard, where the core's per-scope lock
 *   serialises it with every other write that could see the same memories;
 * - a read naming the user (as user_id or as a user_id equality in filters) goes to one shard;
 * - a read naming only an agent or a run may match memories of any user, so it asks every shard of
 *   the tenant and merges (search: by score, get_all: newest first);
 * - a memory id carries its shard: the REST id is `<shard>.<core id>`, so id routes go straight to
 *   the right object without a directory lookup.
 */

const SCOPE_REQUIRED =
  'needs at least one of user_id, agent_id or run_id (or user_id / agent_id / run_id in filters) so that memories stay scoped'

function present(value: unknown): value is string {
  return typeof value === 'string' && value.length > 0
}

export interface ScopeIds {
  user?: string
  agent?: string
  run?: string
}

/**
 * The scope ids a call names, as the core reads them: the options, else equalities on user_id /
 * agent_id / run_id required by the filter (parsed exactly as the core parses it, so a bad filter
 * fails here with the core's FilterError).
 */
export function scopeIdsOf(options: ScopeOptions, filters: unknown): ScopeIds {
  let fromFilter = new Map<string, unknown>()
  if (filters !== undefined && typeof filters === 'object' && filters !== null && !Array.isArray(filters)) {
    fromFilter = requiredEqualities(parseFilter(filters as Filter, { dateFields: DATE_FIELDS }))
  }
  const pick = (given: unknown, field: string): string | undefined => {
    const value = present(given) ? given : fromFilter.get(field)
    return present(value) ? value : undefined
  }
  const ids: ScopeIds = {}
  const user = pick(options.userId, 'user_id')
  const agent = pick(options.agentId, 'agent_id')
  const run = pick(options.runId, 'run_id')
  if (user !== undefined) ids.user = user
  if (agent !== undefined) ids.agent = agent
  if (run !== undefined) ids.run = run
  return ids
}

/** Refuses a call without any scope id, in the REST API's words (the core would say userId/agentId/runId). */
export function requireScope(options: ScopeOptions, filters: unknown, operation: string): ScopeIds {
  const ids = scopeIdsOf(options, filters)
  if (ids.user === undefined && ids.agent === undefined && ids.run === undefined)
    throw new ValidationError(`${operation} ${SCOPE_REQUIRED}`)
  return ids
}

/** The outermost scope id of a write, as the core's write lock names it. */
export function writeScopeKey(options: ScopeOptions, operation: string): string {
  const ids = requireScope(options, undefined, operation)
  if (ids.user !== undefined) return `u:${ids.user}`
  if (ids.agent !== undefined) return `a:${ids.agent}`
  return `r:${ids.run}`
}

export function shardOf(scopeKey: string, shards: number): number {
  // The first 32 bits of SHA-256: uniform, and the same in every runtime and release.
  return Number.parseInt(sha256Hex(scopeKey).slice(0, 8), 16) % shards
}

/** The shards a read must ask: the user's shard when the read names a user, else all of them. */
export function readShards(options: ScopeOptions, filters: unknown, shards: number, operation: string): number[] {
  const ids = requireScope(options, filters, operation)
  if (ids.user !== undefined) return [shardOf(`u:${ids.user}`, shards)]
  return Array.from({ length: shards }, (_, i) => i)
}

const EXTERNAL_ID = /^(\d{1,3})\.(.+)$/s

export function externalId(shard: number, id: string): string {
  return `${shard}.${id}`
}

/** The shard and core id of a REST id; undefined when it cannot be one of this tenant's ids. */
export function parseExternalId(id: string, shards: number): { shard: number; id: string } | undefined {
  const match = EXTERNAL_ID.exec(id)
  if (!match) return undefined
  const shard = Number(match[1])
  if (String(shard) !== match[1] || shard >= shards) return undefined
  return { shard, id: match[2]! }
}
