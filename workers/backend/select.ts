import type { Env } from '../env.ts'
import { ApiError } from '../http/errors.ts'
import type { Settings } from '../settings.ts'
import { DurableTenantMemories } from './durable-tenant.ts'
import { IsolateTenantMemories } from './isolate-tenants.ts'
import { bindingsOf, memoryConfig } from './memory-config.ts'
import type { TenantMemories } from './tenant-memory.ts'

/** Tenants whose Memory an isolate keeps open at once in the kv and remote modes. */
const ISOLATE_TENANTS = 4

/** The collection of a tenant in KV and on remote stores: `t_<tenant>` (tenant names cannot hold "/"). */
export function tenantCollection(tenant: string): string {
  return `t_${tenant}`
}

function missingBinding(name: string, mode: string): ApiError {
  return new ApiError(
    500,
    'CONFIG',
    `server configuration: STORAGE_MODE ${mode} needs the ${name} binding in wrangler.toml (see docs/worker.md)`,
  )
}

/**
 * Keyed by the settings' values, not by the env object: an isolate must share one Memory per tenant
 * across all its requests (its per-scope lock is what serialises their writes), whatever object the
 * runtime hands each request as env.
 */
const cache = new Map<string, TenantMemories>()

const identities = new WeakMap<object, number>()
let lastIdentity = 0
function identity(binding: object | undefined): number {
  if (!binding) return 0
  let id = identities.get(binding)
  if (id === undefined) {
    id = ++lastIdentity
    identities.set(binding, id)
  }
  return id
}

/** The tenants' memories for these settings, created once per isolate and settings. */
export function tenantMemories(env: Env, settings: Settings): TenantMemories {
  // Bindings are not JSON: their identities join the key (one deployment has one of each; tests swap them).
  const fingerprint = `${JSON.stringify(settings)}|${identity(env.AI)}|${identity(env.VECTORIZE)}`
  let memories = cache.get(fingerprint)
  if (memories) return memories
  if (settings.mode === 'durable-object') {
    if (!env.MEMORY_SHARDS) throw missingBinding('MEMORY_SHARDS (Durable Object)', settings.mode)
    memories = new DurableTenantMemories(env.MEMORY_SHARDS, settings.shards, { graph: settings.graph })
  } else {
    const namespace = env.EDGEMEM_KV
    if (!namespace) throw missingBinding('EDGEMEM_KV (KV namespace)', settings.mode)
    const kind = settings.mode === 'kv' ? 'kv' : 'remote'
    memories = new IsolateTenantMemories(
      (tenant) => memoryConfig(settings, { kind, namespace, collection: tenantCollection(tenant) }, namespace, bindingsOf(env)),
      ISOLATE_TENANTS,
    )
  }
  cache.set(fingerprint, memories)
  return memories
}
