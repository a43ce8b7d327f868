import { parseUserFilters, resolveScope, type ScopeOptions, sha256Hex, writeLockKey } from '../../src/internal.ts'

/**
 * How the durable-object mode spreads a tenant over its shard objects.
 *
 * A memory lives in the shard of its outermost scope id: the user when it has one, else the agent, else
 * the run (the core's own key, src/util/outermost-scope.ts: it serialises writes on it and partitions its
 * index by it). Calls are validated by the core's resolveScope, in the REST API's words. So:
 * - every write names its scope and goes to exactly one shard, where the core's per-scope lock
 *   serialises it with every other write that could see the same memories;
 * - a read naming the user (as user_id or as a user_id equality in filters) goes to one shard;
 * - a read naming only an agent or a run may match memories of any user, so it asks every shard of
 *   the tenant and merges (search: by score, get_all: newest first);
 * - a memory id carries its shard: the REST id is `<shard>.<core id>`, so id routes go straight to
 *   the right object without a directory lookup.
 */

/** The outermost scope id of a write (the core's write-lock key); ValidationError in the REST API's words without one. */
export function writeScopeKey(options: ScopeOptions, operation: string): string {
  return writeLockKey(resolveScope(options, undefined, operation, 'rest'))
}

export function shardOf(scopeKey: string, shards: number): number {
  // The first 32 bits of SHA-256: uniform, and the same in every runtime and release.
  return Number.parseInt(sha256Hex(scopeKey).slice(0, 8), 16) % shards
}

/** The shards a read must ask: the user's shard when the read names a user, else all of them. */
export function readShards(options: ScopeOptions, filters: unknown, shards: number, operation: string): number[] {
  const scope = resolveScope(options, parseUserFilters(filters, operation), operation, 'rest')
  if (scope.user_id !== undefined) return [shardOf(writeLockKey(scope), shards)]
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
