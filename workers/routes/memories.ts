import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi'
import type { Context } from 'hono'
import { NotFoundError } from '../../src/index.workerd.ts'
import { DEFAULT_GET_ALL_TOP_K, DEFAULT_SEARCH_TOP_K, parseUserFilters, resolveScope } from '../../src/internal.ts'
import type { AppEnv } from '../app-env.ts'
import { requireTenant } from '../auth/authenticate.ts'
import { tenantMemories } from '../backend/select.ts'
import type { TenantMemory } from '../backend/tenant-memory.ts'
import { ApiError } from '../http/errors.ts'
import { AUTHENTICATED_ERRORS, errorResponses, jsonResponse, SECURITY } from '../http/responses.ts'
import {
  AddBodySchema,
  AddResponseSchema,
  DeleteAllResponseSchema,
  HistoryEntrySchema,
  IdParamSchema,
  ListQuerySchema,
  MemoryItemSchema,
  MemoryListSchema,
  MessageResponseSchema,
  ScopeQuerySchema,
  SearchBodySchema,
  UpdateBodySchema,
} from '../http/schemas.ts'
import { scopeOptions, wireEvent, wireHistoryEntry, wireItem } from '../http/wire.ts'
import { checkMessages, checkText, checkTopK } from '../limits/request-limits.ts'

/** The caller's tenant's memories; only tenant keys get here (the admin key is refused with 403). */
function memoriesOf(c: Context<AppEnv>): TenantMemory {
  const tenant = requireTenant(c.var.principal)
  return tenantMemories(c.env, c.var.settings).forTenant(tenant)
}

// The core's defaults, capped by MAX_TOP_K.

const jsonBody = <T>(schema: T) => ({ required: true, content: { 'application/json': { schema } } })
const tags = ['memories']

const addRoute = createRoute({
  method: 'post',
  path: '/memories',
  tags,
  summary: 'Add memories from a conversation',
  description:
    'infer: true extracts and reconciles facts with the LLM in one call (ADD, UPDATE, DELETE events); infer: false stores each non-system message as one memory. Needs user_id, agent_id or run_id.',
  security: SECURITY,
  request: { body: jsonBody(AddBodySchema) },
  responses: { 200: jsonResponse(AddResponseSchema, 'what changed'), ...errorResponses(...AUTHENTICATED_ERRORS, 502) },
})

const listRoute = createRoute({
  method: 'get',
  path: '/memories',
  tags,
  summary: 'List the memories of a scope, newest first',
  security: SECURITY,
  request: { query: ListQuerySchema },
  responses: { 200: jsonResponse(MemoryListSchema, 'the memories'), ...errorResponses(...AUTHENTICATED_ERRORS) },
})

const getRoute = createRoute({
  method: 'get',
  path: '/memories/{id}',
  tags,
  summary: 'Get one memory',
  security: SECURITY,
  request: { params: IdParamSchema },
  responses: { 200: jsonResponse(MemoryItemSchema, 'the memory'), ...errorResponses(...AUTHENTICATED_ERRORS, 404) },
})

const updateRoute = createRoute({
  method: 'put',
  path: '/memories/{id}',
  tags,
  summary: 'Change the text (re-embedded) and/or merge metadata',
  security: SECURITY,
  request: { params: IdParamSchema, body: jsonBody(UpdateBodySchema) },
  responses: { 200: jsonResponse(MemoryItemSchema, 'the updated memory'), ...errorResponses(...AUTHENTICATED_ERRORS, 404, 502) },
})

const historyRoute = createRoute({
  method: 'get',
  path: '/memories/{id}/history',
  tags,
  summary: 'Every change of a memory, oldest first (also after it was deleted)',
  security: SECURITY,
  request: { params: IdParamSchema },
  responses: { 200: jsonResponse(z.array(HistoryEntrySchema), 'the history'), ...errorResponses(...AUTHENTICATED_ERRORS, 404) },
})

const deleteRoute = createRoute({
  method: 'delete',
  path: '/memories/{id}',
  tags,
  summary: 'Delete one memory',
  security: SECURITY,
  request: { params: IdParamSchema },
  responses: { 200: jsonResponse(MessageResponseSchema, 'deleted'), ...errorResponses(...AUTHENTICATED_ERRORS, 404) },
})

const deleteAllRoute = createRoute({
  method: 'delete',
  path: '/memories',
  tags,
  summary: 'Delete every memory of a scope',
  security: SECURITY,
  request: { query: ScopeQuerySchema },
  responses: { 200: jsonResponse(DeleteAllResponseSchema, 'how many were deleted'), ...errorResponses(...AUTHENTICATED_ERRORS) },
})

const searchRoute = createRoute({
  method: 'post',
  path: '/search',
  tags,
  summary: 'Search the memories of a scope by meaning, with filters',
  security: SECURITY,
  request: { body: jsonBody(SearchBodySchema) },
  responses: { 200: jsonResponse(MemoryListSchema, 'best first'), ...errorResponses(...AUTHENTICATED_ERRORS, 502) },
})

export function registerMemoryRoutes(app: OpenAPIHono<AppEnv>): void {
  app.openapi(addRoute, async (c) => {
    const body = c.req.valid('json')
    const { limits, llm } = c.var.settings
    resolveScope(scopeOptions(body), undefined, 'add', 'rest')
    checkMessages(body.messages, limits)
    if (body.infer === true && !llm) {
      throw new ApiError(
        400,
        'VALIDATION',
        'infer: true needs an LLM and this server has none configured (LLM_MODEL / LLM_BASE_URL / LLM_API_KEY); send infer: false',
      )
    }
    const { results } = await memoriesOf(c).add(body.messages, {
      ...scopeOptions(body),
      ...(body.metadata !== undefined ? { metadata: body.metadata } : {}),
      // Decided here, from the Worker's settings, rather than left to the default of wherever the Memory runs.
      infer: body.infer ?? llm !== undefined,
      ...(body.expiration_date !== undefined ? { expirationDate: body.expiration_date } : {}),
    })
    return c.json({ results: results.map(wireEvent) }, 200)
  })

  app.openapi(listRoute, async (c) => {
    const query = c.req.valid('query')
    resolveScope(scopeOptions(query), undefined, 'get_all', 'rest')
    checkTopK(query.top_k, c.var.settings.limits)
    const topK = query.top_k ?? Math.min(DEFAULT_GET_ALL_TOP_K, c.var.settings.limits.maxTopK)
    const { results } = await memoriesOf(c).getAll({ ...scopeOptions(query), topK })
    return c.json({ results: results.map(wireItem) }, 200)
  })

  app.openapi(getRoute, async (c) => {
    const { id } = c.req.valid('param')
    const item = await memoriesOf(c).get(id)
    if (!item) throw new NotFoundError(`no memory with id "${id}"`)
    return c.json(wireItem(item), 200)
  })

  app.openapi(updateRoute, async (c) => {
    const { id } = c.req.valid('param')
    const body = c.req.valid('json')
    checkText(body.text, 'text', c.var.settings.limits)
    const item = await memoriesOf(c).update(id, {
      ...(body.text !== undefined ? { text: body.text } : {}),
      ...(body.metadata !== undefined ? { metadata: body.metadata } : {}),
    })
    return c.json(wireItem(item), 200)
  })

  app.openapi(historyRoute, async (c) => {
    const { id } = c.req.valid('param')
    const memories = memoriesOf(c)
    const entries = await memories.history(id)
    // An id with no history is only "found" when the memory exists (history can be disabled); this
    // also makes another tenant's id a 404 here, like on every other id route.
    if (entries.length === 0 && !(await memories.get(id))) throw new NotFoundError(`no memory with id "${id}"`)
    return c.json(entries.map(wireHistoryEntry), 200)
  })

  app.openapi(deleteRoute, async (c) => {
    const { id } = c.req.valid('param')
    await memoriesOf(c).delete(id)
    return c.json({ message: 'Memory deleted successfully' }, 200)
  })

  app.openapi(deleteAllRoute, async (c) => {
    const query = c.req.valid('query')
    resolveScope(scopeOptions(query), undefined, 'delete_all', 'rest')
    const { deleted } = await memoriesOf(c).deleteAll(scopeOptions(query))
    return c.json({ message: 'Memories deleted successfully', deleted }, 200)
  })

  app.openapi(searchRoute, async (c) => {
    const body = c.req.valid('json')
    const { limits } = c.var.settings
    resolveScope(scopeOptions(body), parseUserFilters(body.filters, 'search'), 'search', 'rest')
    checkText(body.query, 'query', limits)
    checkTopK(body.top_k, limits)
    const { results } = await memoriesOf(c).search(body.query, {
      ...scopeOptions(body),
      ...(body.filters !== undefined ? { filters: body.filters } : {}),
      topK: body.top_k ?? Math.min(DEFAULT_SEARCH_TOP_K, limits.maxTopK),
      ...(body.threshold !== undefined ? { threshold: body.threshold } : {}),
      ...(body.rerank !== undefined ? { rerank: body.rerank } : {}),
    })
    return c.json({ results: results.map(wireItem) }, 200)
  })
}
