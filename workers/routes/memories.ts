import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi'
import type { Filter } from '../../src/internal.ts'
import type { AppEnv } from '../app-env.ts'
import { ApiError } from '../http/errors.ts'
import { AUTHENTICATED_ERRORS, errorResponses, jsonResponse, SECURITY } from '../http/responses.ts'
import {
  AddBodySchema,
  AddResponseSchema,
  DeleteAllResponseSchema,
  GraphQuerySchema,
  GraphSchema,
  HistoryEntrySchema,
  IdParamSchema,
  ListQuerySchema,
  MemoryItemSchema,
  MemoryListSchema,
  MessageResponseSchema,
  ScopeQuerySchema,
  SearchBodySchema,
  SearchResponseSchema,
  UpdateBodySchema,
} from '../http/schemas.ts'
import { scopeOptions, wireAddRelations, wireEvent, wireGraph, wireHistoryEntry, wireItem, wireRelation } from '../http/wire.ts'
import { operationsOf } from '../operations.ts'

// Validation, limits and defaults live in operations.ts (shared with the mem0 platform routes).

/** `?filters=` of GET /memories: a JSON object (the filter language of docs/filters.md). */
function filtersFromQuery(text: string): Filter {
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    throw new ApiError(400, 'VALIDATION', 'invalid request: query.filters must be a JSON object (the filter of docs/filters.md)')
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ApiError(400, 'VALIDATION', 'invalid request: query.filters must be a JSON object (the filter of docs/filters.md)')
  }
  return parsed as Filter
}

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
  responses: { 200: jsonResponse(SearchResponseSchema, 'best first'), ...errorResponses(...AUTHENTICATED_ERRORS, 502) },
})

const graphRoute = createRoute({
  method: 'get',
  path: '/graph',
  tags,
  summary: "Graph memory's entities and relations of a scope (GRAPH_STORE), for viewing",
  description:
    'Entities and valid relations (include_invalidated=true: also contradicted ones) learnt in the scope, in creation order, each list cut to limit; total_* count before the cut. 400 when graph memory is off.',
  security: SECURITY,
  request: { query: GraphQuerySchema },
  responses: { 200: jsonResponse(GraphSchema, 'the graph'), ...errorResponses(...AUTHENTICATED_ERRORS) },
})

export function registerMemoryRoutes(app: OpenAPIHono<AppEnv>): void {
  app.openapi(addRoute, async (c) => {
    const body = c.req.valid('json')
    const { results, relations } = await operationsOf(c).add(body.messages, {
      ...scopeOptions(body),
      ...(body.metadata !== undefined ? { metadata: body.metadata } : {}),
      ...(body.infer !== undefined ? { infer: body.infer } : {}),
      ...(body.expiration_date !== undefined ? { expirationDate: body.expiration_date } : {}),
    })
    return c.json({ results: results.map(wireEvent), ...(relations ? { relations: wireAddRelations(relations) } : {}) }, 200)
  })

  app.openapi(listRoute, async (c) => {
    const query = c.req.valid('query')
    const filters = query.filters === undefined ? undefined : filtersFromQuery(query.filters)
    const { results } = await operationsOf(c).getAll({
      ...scopeOptions(query),
      ...(filters !== undefined ? { filters } : {}),
      ...(query.top_k !== undefined ? { topK: query.top_k } : {}),
    })
    return c.json({ results: results.map(wireItem) }, 200)
  })

  app.openapi(getRoute, async (c) => {
    const { id } = c.req.valid('param')
    return c.json(wireItem(await operationsOf(c).get(id)), 200)
  })

  app.openapi(updateRoute, async (c) => {
    const { id } = c.req.valid('param')
    const body = c.req.valid('json')
    const item = await operationsOf(c).update(id, {
      ...(body.text !== undefined ? { text: body.text } : {}),
      ...(body.metadata !== undefined ? { metadata: body.metadata } : {}),
    })
    return c.json(wireItem(item), 200)
  })

  app.openapi(historyRoute, async (c) => {
    const { id } = c.req.valid('param')
    const entries = await operationsOf(c).history(id)
    return c.json(entries.map(wireHistoryEntry), 200)
  })

  app.openapi(deleteRoute, async (c) => {
    const { id } = c.req.valid('param')
    await operationsOf(c).delete(id)
    return c.json({ message: 'Memory deleted successfully' }, 200)
  })

  app.openapi(deleteAllRoute, async (c) => {
    const query = c.req.valid('query')
    const { deleted } = await operationsOf(c).deleteAll(scopeOptions(query))
    return c.json({ message: 'Memories deleted successfully', deleted }, 200)
  })

  app.openapi(searchRoute, async (c) => {
    const body = c.req.valid('json')
    const { results, relations } = await operationsOf(c).search(body.query, {
      ...scopeOptions(body),
      ...(body.filters !== undefined ? { filters: body.filters } : {}),
      ...(body.top_k !== undefined ? { topK: body.top_k } : {}),
      ...(body.threshold !== undefined ? { threshold: body.threshold } : {}),
      ...(body.rerank !== undefined ? { rerank: body.rerank } : {}),
    })
    return c.json({ results: results.map(wireItem), ...(relations ? { relations: relations.map(wireRelation) } : {}) }, 200)
  })

  app.openapi(graphRoute, async (c) => {
    const query = c.req.valid('query')
    const graph = await operationsOf(c).graph({
      ...scopeOptions(query),
      ...(query.limit !== undefined ? { limit: query.limit } : {}),
      ...(query.include_invalidated !== undefined ? { includeInvalidated: query.include_invalidated === 'true' } : {}),
    })
    return c.json(wireGraph(graph), 200)
  })
}
