import type { EntitySummary, Filter, JsonObject, ScopeOptions } from '../../src/index.workerd.ts'
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

export interface PlatformEntity {
  type: EntityType
  name: string
  memories: number
  created_at: string
  updated_at: string
}

/**
 * The entities as mem0 lists them, from the core's `Memory.entities()` (the users, agents and runs of
 * the memories themselves, with counts): the app scope's agent ids (`app:<app_id>`) become apps. One
 * source of entities for the platform's /v1/entities/ and the MCP tool list_entities; an app named only
 * beside a user, agent or run is metadata of those memories and is not listed on its own.
 */
export function platformEntities(summaries: readonly EntitySummary[]): PlatformEntity[] {
  return summaries
    .map((e) => {
      const app = e.type === 'agent' && e.id.startsWith(APP_AGENT_PREFIX)
      return {
        type: app ? ('app' as const) : e.type,
        name: app ? e.id.slice(APP_AGENT_PREFIX.length) : e.id,
        memories: e.memories,
        created_at: e.createdAt,
        updated_at: e.updatedAt,
      }
    })
    .sort((a, b) => a.created_at.localeCompare(b.created_at) || a.name.localeCompare(b.name))
}
