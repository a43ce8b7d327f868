import { ValidationError, parseFilter, type Filter, type ScopeOptions } from '../../src/index.ts'
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

/** The outermost scope id of a write, as the core's write lock names it. */
export function writeScopeKey(options: ScopeOptions, operation: string): string {
  if (present(options.userId)) return `u:${options.userId}`
  if (present(options.agentId)) return `a:${options.agentId}`
  if (present(options.runId)) return `r:${options.runId}`
  throw new ValidationError(`${operation} ${SCOPE_REQUIRED}`)
}

export function shardOf(scopeKey: string, shards: number): number {
  // The first 32 bits of SHA-256: uniform, and the same in every runtime and release.
  return Number.parseInt(sha256Hex(scopeKey).slice(0, 8), 16) % shards
}

/** The shards a read must ask: the user's shard when the read names a user, else all of them. */
export function readShards(options: ScopeOptions, filters: unknown, shards: number, operation: string): number[] {
  let fromFilter = new Map<string, unknown>()
  if (filters !== undefined && typeof filters === 'object' && filters !== null && !Array.isArray(filters)) {
    // Parsed exactly as the core will parse it (a bad filter fails here with the core's FilterError).
    fromFilter = requiredEqualities(parseFilter(filters as Filter, { dateFields: DATE_FIELDS }))
  }
  const user = present(options.userId) ? options.userId : fromFilter.get('user_id')
  if (present(user)) return [shardOf(`u:${user}`, shards)]
  const scoped = [options.agentId, options.runId, fromFilter.get('agent_id'), fromFilter.get('run_id')].some(present)
  if (!scoped) throw new ValidationError(`${operation} ${SCOPE_REQUIRED}`)
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
