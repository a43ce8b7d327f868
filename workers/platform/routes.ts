import { createRoute, type OpenAPIHono, z } from '@hono/zod-openapi'
import type { Context } from 'hono'
import { NotFoundError, ValidationError } from '../../src/index.workerd.ts'
import { MAX_TOP_K } from '../../src/internal.ts'
import type { AppEnv } from '../app-env.ts'
import { tenantCollection } from '../backend/select.ts'
import { ApiError, toApiError } from '../http/errors.ts'
import { AUTHENTICATED_ERRORS, errorResponses, jsonResponse } from '../http/responses.ts'
import { type MemoryOperations, operationsOf } from '../operations.ts'
import { addMetadata, appFilter, coreScope, EntityRegistry, type EntityType, idsOfEntity, type PlatformIds } from './entities.ts'
import { EventStore, finished, newEvent, type PlatformEvent } from './events.ts'
import { translateFilters, withDateRange } from './filters.ts'
import {
  BatchDeleteBodySchema,
  BatchUpdateBodySchema,
  EntityPageSchema,
  type EntitySchema,
  EntityParamSchema,
  EntityQuerySchema,
  EventIdParamSchema,
  EventSchema,
  MemoryIdParamSchema,
  MessageSchemaOut,
  PageQuerySchema,
  PageSchema,
  PingSchema,
  PlatformAddBodySchema,
  PlatformAddResponseSchema,
  PlatformHistorySchema,
  PlatformListBodySchema,
  PlatformMemorySchema,
  PlatformSearchBodySchema,
  PlatformUpdateBodySchema,
} from './schemas.ts'
import { pickFields, platformAddResult, platformHistoryEntry, platformItem } from './wire.ts'

/**
 * mem0's platform API (the routes mem0's client SDKs call, /work specs: platform-api.md), over the same
 * tenants, keys, limits and storage as the REST routes: each route translates mem0's wire shapes and
 * calls the Worker's one implementation of the operation (operations.ts). Registered by app.ts with
 * registerPlatformRoutes. docs/moving-from-mem0.md lists what is served and how it differs.
 */
const tags = ['mem0 platform']
// mem0's paths end with "/"; the app is not strict about trailing slashes, so each route below answers
// both `/v1/ping` and `/v1/ping/` (the form the clients send).
const SECURITY: Record<string, string[]>[] = [{ mem0Token: [] }, { bearerAuth: [] }, { apiKeyHeader: [] }]
const jsonBody = <T>(schema: T) => ({ required: true, content: { 'application/json': { schema } } })
const DEFAULT_PAGE_SIZE = 100
/** Listing entities reads each one's memories (in the durable-object mode, every shard for agents, apps and runs). */
const ENTITY_PAGE_SIZE = 50
const MAX_ENTITY_PAGE_SIZE = 100

function kvOf(c: Context<AppEnv>): KVNamespace {
  const kv = c.env.EDGEMEM_KV
  if (!kv)
    throw new ApiError(500, 'CONFIG', 'server configuration: the EDGEMEM_KV binding is missing in wrangler.toml (see docs/worker.md)')
  return kv
}

function unsupported(what: string): never {
  throw new ValidationError(`${what} is not supported by edgemem (see docs/moving-from-mem0.md)`)
}

function idsOf(input: PlatformIds): PlatformIds {
  return { user_id: input.user_id, agent_id: input.agent_id, app_id: input.app_id, run_id: input.run_id }
}

/** `next`/`previous` links of a page, on the request's own URL. */
function pageLinks(c: Context<AppEnv>, page: number, pageSize: number, count: number): { next: string | null; previous: string | null } {
  const link = (p: number) => {
    const url = new URL(c.req.url)
    url.searchParams.set('page', String(p))
    url.searchParams.set('page_size', String(pageSize))
    return url.toString()
  }
  return { next: page * pageSize < count ? link(page + 1) : null, previous: page > 1 ? link(page - 1) : null }
}

/** Deletes the memories of these ids: the core's deleteAll, or one by one when app_id narrows other ids. */
async function deleteEntities(ops: MemoryOperations, ids: PlatformIds): Promise<number> {
  const scope = coreScope(ids)
  const narrowed = appFilter(ids)
  if (!narrowed) return (await ops.deleteAll(scope)).deleted
  const { results } = await ops.getAll({ ...scope, filters: narrowed, topK: MAX_TOP_K }, true)
  for (const item of results) await ops.delete(item.id)
  return results.length
}

const pingRoute = createRoute({
  method: 'get',
  path: '/v1/ping',
  tags,
  summary: 'mem0 client handshake: who the key belongs to',
  security: SECURITY,
  responses: { 200: jsonResponse(PingSchema, 'the key is valid'), ...errorResponses(...AUTHENTICATED_ERRORS) },
})

const addRoute = createRoute({
  method: 'post',
  path: '/v3/memories/add',
  tags,
  summary: 'Add memories (mem0 platform shapes); processed before the answer unless async_mode',
  security: SECURITY,
  request: { body: jsonBody(PlatformAddBodySchema) },
  responses: {
    200: jsonResponse(PlatformAddResponseSchema, 'what changed, with the event id'),
    ...errorResponses(...AUTHENTICATED_ERRORS, 502),
  },
})

const searchRoute = createRoute({
  method: 'post',
  path: '/v3/memories/search',
  tags,
  summary: 'Search with mem0 filters (entity ids inside filters)',
  security: SECURITY,
  request: { body: jsonBody(PlatformSearchBodySchema) },
  responses: {
    200: jsonResponse(z.object({ results: z.array(PlatformMemorySchema) }), 'best first; score in [0, 1]'),
    ...errorResponses(...AUTHENTICATED_ERRORS, 502),
  },
})

const listRoute = createRoute({
  method: 'post',
  path: '/v3/memories',
  tags,
  summary: 'List memories matching mem0 filters, newest first, paginated',
  security: SECURITY,
  request: { query: PageQuerySchema, body: jsonBody(PlatformListBodySchema) },
  responses: { 200: jsonResponse(PageSchema, 'one page'), ...errorResponses(...AUTHENTICATED_ERRORS) },
})

const getRoute = createRoute({
  method: 'get',
  path: '/v1/memories/{memory_id}',
  tags,
  summary: 'Get one memory',
  security: SECURITY,
  request: { params: MemoryIdParamSchema },
  responses: { 200: jsonResponse(PlatformMemorySchema, 'the memory'), ...errorResponses(...AUTHENTICATED_ERRORS, 404) },
})

const updateRoute = createRoute({
  method: 'put',
  path: '/v1/memories/{memory_id}',
  tags,
  summary: 'Change the text and/or metadata of a memory',
  security: SECURITY,
  request: { params: MemoryIdParamSchema, body: jsonBody(PlatformUpdateBodySchema) },
  responses: { 200: jsonResponse(PlatformMemorySchema, 'the updated memory'), ...errorResponses(...AUTHENTICATED_ERRORS, 404, 502) },
})

const deleteRoute = createRoute({
  method: 'delete',
  path: '/v1/memories/{memory_id}',
  tags,
  summary: 'Delete one memory',
  security: SECURITY,
  request: { params: MemoryIdParamSchema },
  responses: { 200: jsonResponse(MessageSchemaOut, 'deleted'), ...errorResponses(...AUTHENTICATED_ERRORS, 404) },
})

const deleteAllRoute = createRoute({
  method: 'delete',
  path: '/v1/memories',
  tags,
  summary: 'Delete every memory of the given entity ids',
  security: SECURITY,
  request: { query: EntityQuerySchema },
  responses: { 200: jsonResponse(MessageSchemaOut, 'deleted'), ...errorResponses(...AUTHENTICATED_ERRORS) },
})

const historyRoute = createRoute({
  method: 'get',
  path: '/v1/memories/{memory_id}/history',
  tags,
  summary: 'Every change of a memory, oldest first',
  security: SECURITY,
  request: { params: MemoryIdParamSchema },
  responses: { 200: jsonResponse(z.array(PlatformHistorySchema), 'the history'), ...errorResponses(...AUTHENTICATED_ERRORS, 404) },
})

const entitiesRoute = createRoute({
  method: 'get',
  path: '/v1/entities',
  tags,
  summary: 'The users, agents, apps and runs that hold memories',
  security: SECURITY,
  request: { query: PageQuerySchema },
  responses: { 200: jsonResponse(EntityPageSchema, 'one page of entities'), ...errorResponses(...AUTHENTICATED_ERRORS) },
})

const deleteEntityRoute = createRoute({
  method: 'delete',
  path: '/v2/entities/{entity_type}/{entity_id}',
  tags,
  summary: "Delete an entity's memories",
  security: SECURITY,
  request: { params: EntityParamSchema },
  responses: { 200: jsonResponse(MessageSchemaOut, 'deleted'), ...errorResponses(...AUTHENTICATED_ERRORS) },
})

const batchUpdateRoute = createRoute({
  method: 'put',
  path: '/v1/batch',
  tags,
  summary: 'Update up to 1000 memories; every id is checked before anything changes',
  security: SECURITY,
  request: { body: jsonBody(BatchUpdateBodySchema) },
  responses: { 200: jsonResponse(MessageSchemaOut, 'updated'), ...errorResponses(...AUTHENTICATED_ERRORS, 404, 502) },
})

const batchDeleteRoute = createRoute({
  method: 'delete',
  path: '/v1/batch',
  tags,
  summary: 'Delete up to 1000 memories; every id is checked before anything is deleted',
  security: SECURITY,
  request: { body: jsonBody(BatchDeleteBodySchema) },
  responses: { 200: jsonResponse(MessageSchemaOut, 'deleted'), ...errorResponses(...AUTHENTICATED_ERRORS, 404) },
})

const eventRoute = createRoute({
  method: 'get',
  path: '/v1/event/{event_id}',
  tags,
  summary: 'The status and results of an add',
  security: SECURITY,
  request: { params: EventIdParamSchema },
  responses: { 200: jsonResponse(EventSchema, 'the event'), ...errorResponses(...AUTHENTICATED_ERRORS, 404) },
})

/** mem0 platform features with no counterpart here: answered 404 with the reason, never 500. */
const UNSUPPORTED: readonly [string, string][] = [
  ['/api/v1/orgs/*', 'organizations and projects (a tenant is the organization; its key the project)'],
  ['/api/v1/webhooks/*', 'webhooks'],
  ['/v1/feedback/*', 'memory feedback'],
  ['/v2/profiles/*', 'user profiles'],
  ['/v2/entities/:type/:id/profile/*', 'user profiles'],
  [
    '/v1/exports/*',
    "schema-shaped memory exports (GET /export streams every memory in edgemem's portable format; or list them with POST /v3/memories/)",
  ],
]

export function registerPlatformRoutes(app: OpenAPIHono<AppEnv>): void {
  app.openAPIRegistry.registerComponent('securitySchemes', 'mem0Token', {
    type: 'apiKey',
    in: 'header',
    name: 'Authorization',
    description: 'Authorization: Token <API key> (how mem0 clients send it)',
  })

  app.openapi(pingRoute, (c) => {
    const ops = operationsOf(c)
    return c.json({ status: 'ok' as const, org_id: ops.tenant, project_id: tenantCollection(ops.tenant), user_email: null }, 200)
  })

  app.openapi(addRoute, async (c) => {
    const body = c.req.valid('json')
    if (body.timestamp !== undefined) unsupported('timestamp (edgemem sets created_at itself)')
    if (body.custom_instructions !== undefined) unsupported('custom_instructions (extraction follows the Worker’s prompt)')
    const ids = idsOf(body)
    const metadata = addMetadata(body.metadata, body.app_id)
    const input = {
      ...coreScope(ids),
      ...(metadata !== undefined ? { metadata } : {}),
      ...(body.infer !== undefined ? { infer: body.infer } : {}),
      ...(body.expiration_date !== undefined && body.expiration_date !== null ? { expirationDate: body.expiration_date } : {}),
    }
    const ops = operationsOf(c)
    const registry = new EntityRegistry(kvOf(c), ops.tenant)
    if (body.infer === false && body.async_mode !== true) {
      const { results } = await ops.add(body.messages, input)
      await registry.record(ids)
      return c.json({ message: 'Memories added successfully', results: results.map(platformAddResult) }, 200)
    }
    ops.checkAdd(body.messages, input)
    const events = new EventStore(kvOf(c), ops.tenant)
    const event = newEvent()
    const run = async (): Promise<PlatformEvent> => {
      const started = Date.now()
      let done: PlatformEvent
      try {
        const { results } = await ops.add(body.messages, input)
        await registry.record(ids)
        done = finished(event, started, { results: results.map(platformAddResult) })
      } catch (err) {
        const error = toApiError(err)
        // A request the core refuses stays an error of the request; a failure upstream (LLM, embedder,
        // store) is the event's outcome, as on mem0's platform.
        if (error.status < 500) throw error
        done = finished(event, started, { error: error.message })
      }
      await events.put(done)
      return done
    }
    if (body.async_mode === true) {
      await events.put(event)
      c.executionCtx.waitUntil(run().catch(async (err) => events.put(finished(event, Date.now(), { error: toApiError(err).message }))))
      return c.json(
        {
          message: 'Memory processing has been queued for background execution',
          event_id: event.id,
          status: 'PENDING' as const,
          results: [],
        },
        200,
      )
    }
    const done = await run()
    return c.json(
      {
        message: done.status === 'SUCCEEDED' ? 'Memories added successfully' : 'Adding the memories failed',
        event_id: done.id,
        status: done.status as 'SUCCEEDED' | 'FAILED',
        ...(done.error !== null ? { error: done.error } : {}),
        results: done.results,
      },
      200,
    )
  })

  app.openapi(searchRoute, async (c) => {
    const body = c.req.valid('json')
    const raw = (await c.req.json()) as Record<string, unknown>
    for (const id of ['user_id', 'agent_id', 'app_id', 'run_id']) {
      if (raw[id] !== undefined)
        throw new ValidationError(`${id} must be given inside filters on /v3/memories/search/ (filters: {"${id}": ...})`)
    }
    if (body.show_expired === true) unsupported('show_expired: true')
    // @mem0/vercel-ai-provider sends metadata conditions beside filters.
    const { filters, scope } = translateFilters(body.metadata ? { AND: [body.filters, { metadata: body.metadata }] } : body.filters)
    const { results } = await operationsOf(c).search(body.query, {
      ...scope,
      filters,
      ...(body.top_k !== undefined ? { topK: body.top_k } : {}),
      ...(body.threshold !== undefined ? { threshold: body.threshold } : {}),
    })
    return c.json({ results: results.map((item) => pickFields(platformItem(item), body.fields)) }, 200)
  })

  app.openapi(listRoute, async (c) => {
    const { page = 1, page_size: pageSize = DEFAULT_PAGE_SIZE } = c.req.valid('query')
    const body = c.req.valid('json')
    if (body.show_expired === true) unsupported('show_expired: true')
    const { filters, scope } = translateFilters(body.filters)
    // Counted over every match (up to the core's MAX_TOP_K), then cut to the page.
    const { results } = await operationsOf(c).getAll(
      { ...scope, filters: withDateRange(filters, body.start_date, body.end_date), topK: MAX_TOP_K },
      true,
    )
    const count = results.length
    const items = results
      .slice((page - 1) * pageSize, page * pageSize)
      .map((item) => pickFields(platformItem(item, 'session_id'), body.fields))
    return c.json({ count, ...pageLinks(c, page, pageSize, count), results: items }, 200)
  })

  app.openapi(getRoute, async (c) => {
    const { memory_id } = c.req.valid('param')
    return c.json(platformItem(await operationsOf(c).get(memory_id)), 200)
  })

  app.openapi(updateRoute, async (c) => {
    const { memory_id } = c.req.valid('param')
    const body = c.req.valid('json')
    if (body.expiration_date !== undefined) unsupported('changing expiration_date in an update')
    if (body.timestamp !== undefined) unsupported('timestamp (edgemem sets updated_at itself)')
    if (body.text === undefined && body.metadata === undefined) throw new ValidationError('an update needs text or metadata')
    const metadata = addMetadata(body.metadata, undefined)
    const item = await operationsOf(c).update(memory_id, {
      ...(body.text !== undefined ? { text: body.text } : {}),
      ...(metadata !== undefined ? { metadata } : {}),
    })
    return c.json(platformItem(item), 200)
  })

  app.openapi(deleteRoute, async (c) => {
    const { memory_id } = c.req.valid('param')
    await operationsOf(c).delete(memory_id)
    return c.json({ message: 'Memory deleted successfully!' }, 200)
  })

  app.openapi(deleteAllRoute, async (c) => {
    const deleted = await deleteEntities(operationsOf(c), idsOf(c.req.valid('query')))
    return c.json({ message: `Memories deleted successfully! (${deleted})` }, 200)
  })

  app.openapi(historyRoute, async (c) => {
    const { memory_id } = c.req.valid('param')
    const ops = operationsOf(c)
    const entries = await ops.history(memory_id)
    const item = await ops.get(memory_id).catch((err: unknown) => {
      if (err instanceof NotFoundError) return null
      throw err
    })
    return c.json(
      entries.map((entry) => platformHistoryEntry(entry, item)),
      200,
    )
  })

  app.openapi(entitiesRoute, async (c) => {
    const { page = 1, page_size: pageSize = ENTITY_PAGE_SIZE } = c.req.valid('query')
    if (pageSize > MAX_ENTITY_PAGE_SIZE)
      throw new ValidationError(`page_size is ${pageSize}; entities are listed at most ${MAX_ENTITY_PAGE_SIZE} a page`)
    const ops = operationsOf(c)
    const registry = new EntityRegistry(kvOf(c), ops.tenant)
    const recorded = await registry.list()
    // Memories are counted for the entities of this page only: one read per entity, so a page costs the
    // same however many entities the tenant has.
    const entities: z.infer<typeof EntitySchema>[] = []
    for (const entity of recorded.slice((page - 1) * pageSize, page * pageSize)) {
      const { results } = await ops.getAll({ ...coreScope(idsOfEntity(entity.type, entity.name)), topK: MAX_TOP_K }, true)
      // An entity whose memories were all deleted is no longer one (mem0 lists entities with memories).
      if (results.length === 0) {
        await registry.remove(entity.type, entity.name)
        continue
      }
      entities.push({
        id: `${entity.type}:${entity.name}`,
        name: entity.name,
        type: entity.type,
        owner: ops.tenant,
        total_memories: results.length,
        metadata: {},
        created_at: entity.created_at,
        updated_at: results[0]!.updatedAt,
      })
    }
    const total = (type: EntityType) => recorded.filter((e) => e.type === type).length
    return c.json(
      {
        count: recorded.length,
        ...pageLinks(c, page, pageSize, recorded.length),
        results: entities,
        total_users: total('user'),
        total_agents: total('agent'),
        total_apps: total('app'),
        total_runs: total('run'),
      },
      200,
    )
  })

  app.openapi(deleteEntityRoute, async (c) => {
    const { entity_type: type, entity_id: id } = c.req.valid('param')
    const ops = operationsOf(c)
    await deleteEntities(ops, idsOfEntity(type, id))
    await new EntityRegistry(kvOf(c), ops.tenant).remove(type, id)
    return c.json({ message: 'Entity deleted successfully!' }, 200)
  })

  app.openapi(batchUpdateRoute, async (c) => {
    const { memories } = c.req.valid('json')
    const ops = operationsOf(c)
    // Every id must exist before the first change: a bad batch writes nothing.
    for (const { memory_id } of memories) await ops.get(memory_id)
    for (const { memory_id, text } of memories) await ops.update(memory_id, { text })
    return c.json({ message: `Successfully updated ${memories.length} memories` }, 200)
  })

  app.openapi(batchDeleteRoute, async (c) => {
    const { memories } = c.req.valid('json')
    const ops = operationsOf(c)
    for (const { memory_id } of memories) await ops.get(memory_id)
    for (const { memory_id } of memories) await ops.delete(memory_id)
    return c.json({ message: `Successfully deleted ${memories.length} memories` }, 200)
  })

  app.openapi(eventRoute, async (c) => {
    const { event_id } = c.req.valid('param')
    const ops = operationsOf(c)
    const event = await new EventStore(kvOf(c), ops.tenant).get(event_id)
    if (!event) throw new NotFoundError(`no event with id "${event_id}"`)
    return c.json(event, 200)
  })

  for (const [path, what] of UNSUPPORTED) {
    app.all(path, (c) => {
      throw new ApiError(
        404,
        'NOT_FOUND',
        `${c.req.method} ${c.req.path}: mem0 platform ${what} is not served by edgemem (see docs/moving-from-mem0.md)`,
      )
    })
  }
}
