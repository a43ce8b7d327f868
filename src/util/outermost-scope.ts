/**
 * The outermost scope id of a record or a call: the user when there is one, else the agent, else the
 * run. Memories that can see each other share it, so it is the one key the Memory serialises writes
 * by (memory/scope.ts writeLockKey), the local engine partitions by (local/partition-keys.ts) and the
 * Worker routes to shards by (workers/backend/shard-routing.ts). `kind` is the id's initial.
 */
export function outermostScope(ids: {
  user_id?: unknown
  agent_id?: unknown
  run_id?: unknown
}): { kind: 'u' | 'a' | 'r'; id: string } | undefined {
  if (typeof ids.user_id === 'string') return { kind: 'u', id: ids.user_id }
  if (typeof ids.agent_id === 'string') return { kind: 'a', id: ids.agent_id }
  if (typeof ids.run_id === 'string') return { kind: 'r', id: ids.run_id }
  return undefined
}
