import type { Filter, JsonObject, ScopeOptions } from '../../src/index.workerd.ts'
import { ValidationError } from '../../src/index.workerd.ts'

/**
 * mem0's four entity ids and how they map onto edgemem's three scope ids (docs/moving-from-mem0.md):
 * - `user_id`, `agent_id`, `run_id` are the core's scope ids, unchanged;
 * - `app_id` is kept on each memory as the metadata field `app_id` (filterable like any metadata, and
 *   returned as the top-level `app_id`, not inside `metadata`);
 * - a call naming only `app_id` is scoped to the core agent id `app:<app_id>`, so `app_id` alone is a
 *   valid scope and app-wide memories stay separate from every user's, agent's and run's. Agent ids
 *   starting with `app:` are therefore reserved on the platform routes.
 */
export const ENTITY_TYPES = ['user', 'agent', 'app', 'run'] as const
export type EntityType = (typeof ENTITY_TYPES)[number]

export interface PlatformIds {
  user_id?: string | undefined
  agent_id?: string | undefined
  app_id?: string | undefined
  run_id?: string | undefined
}

const APP_AGENT_PREFIX = 'app:'
export const APP_FIELD = 'app_id'

function checkAgentId(agentId: string | undefined): void {
  if (agentId?.startsWith(APP_AGENT_PREFIX)) {
    throw new ValidationError(`agent_id "${agentId}": agent ids starting with "${APP_AGENT_PREFIX}" are reserved for app_id scopes`)
  }
}

/** The core scope of a call naming these ids (ValidationError when none is named comes from the core). */
export function coreScope(ids: PlatformIds): ScopeOptions {
  checkAgentId(ids.agent_id)
  const scope: ScopeOptions = {
    ...(ids.user_id !== undefined ? { userId: ids.user_id } : {}),
    ...(ids.agent_id !== undefined ? { agentId: ids.agent_id } : {}),
    ...(ids.run_id !== undefined ? { runId: ids.run_id } : {}),
  }
  if (ids.app_id !== undefined && Object.keys(scope).length === 0) scope.agentId = `${APP_AGENT_PREFIX}${ids.app_id}`
  return scope
}

/** The metadata stored with an add: the caller's, plus `app_id` when the add names an app. */
export function addMetadata(metadata: JsonObject | undefined, appId: string | undefined): JsonObject | undefined {
  if (metadata && Object.hasOwn(metadata, APP_FIELD)) {
    throw new ValidationError('metadata.app_id is reserved: send app_id as the entity id of the add')
  }
  if (appId === undefined) return metadata
  return { ...(metadata ?? {}), [APP_FIELD]: appId }
}

/** The memories of an app together with other ids: the scope of the other ids, narrowed to the app. */
export function appFilter(ids: PlatformIds): Filter | undefined {
  const others = ids.user_id !== undefined || ids.agent_id !== undefined || ids.run_id !== undefined
  return ids.app_id !== undefined && others ? { [APP_FIELD]: ids.app_id } : undefined
}

/** The entity ids of a stored memory as mem0 reports them (the app scope's agent id is not an agent). */
export function entityIds(item: { userId?: string; agentId?: string; runId?: string; metadata: JsonObject }): {
  user_id: string | null
  agent_id: string | null
  app_id: string | null
  run_id: string | null
} {
  const app = item.metadata[APP_FIELD]
  const appId = typeof app === 'string' ? app : null
  const agentIsApp = item.agentId !== undefined && item.agentId === `${APP_AGENT_PREFIX}${appId}`
  return {
    user_id: item.userId ?? null,
    agent_id: item.agentId !== undefined && !agentIsApp ? item.agentId : null,
    app_id: appId,
    run_id: item.runId ?? null,
  }
}

/** The ids of one entity, as a call naming only it. */
export function idsOfEntity(type: EntityType, id: string): PlatformIds {
  return { [`${type}_id`]: id }
}

export interface EntityRecord {
  type: EntityType
  name: string
  created_at: string
}

const PREFIX = 'platform/entities/'
const MAX_LIST_PAGES = 20

/**
 * The entities a tenant has added memories for (mem0's `users()`), kept in the Worker's KV namespace:
 * one key per entity, written once when the first memory for it is added through the platform routes.
 * How many memories each holds is counted from the memories themselves when listed.
 */
export class EntityRegistry {
  private readonly kv: KVNamespace
  private readonly prefix: string

  constructor(kv: KVNamespace, tenant: string) {
    this.kv = kv
    this.prefix = `${PREFIX}${tenant}/`
  }

  private key(type: EntityType, id: string): string {
    return `${this.prefix}${type}/${encodeURIComponent(id)}`
  }

  /** Records the entities of an add (a read per entity; a write only for a new one). */
  async record(ids: PlatformIds): Promise<void> {
    const now = new Date().toISOString()
    await Promise.all(
      ENTITY_TYPES.map(async (type) => {
        const id = ids[`${type}_id`]
        if (id === undefined) return
        const key = this.key(type, id)
        if ((await this.kv.get(key)) === null)
          await this.kv.put(key, JSON.stringify({ created_at: now }), { metadata: { created_at: now } })
      }),
    )
  }

  async list(): Promise<EntityRecord[]> {
    const records: EntityRecord[] = []
    let cursor: string | undefined
    for (let page = 0; page < MAX_LIST_PAGES; page++) {
      const listed = await this.kv.list<{ created_at: string }>({ prefix: this.prefix, ...(cursor ? { cursor } : {}) })
      for (const key of listed.keys) {
        const [type, name] = key.name.slice(this.prefix.length).split('/') as [EntityType, string]
        records.push({ type, name: decodeURIComponent(name), created_at: key.metadata?.created_at ?? '' })
      }
      if (listed.list_complete) break
      cursor = listed.cursor
    }
    return records.sort((a, b) => a.created_at.localeCompare(b.created_at) || a.name.localeCompare(b.name))
  }

  async remove(type: EntityType, id: string): Promise<void> {
    await this.kv.delete(this.key(type, id))
  }
}
