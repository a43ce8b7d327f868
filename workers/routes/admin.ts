import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi'
import type { AppEnv } from '../app-env.ts'
import { keyStore, requireAdmin } from '../auth/authenticate.ts'
import { tenantMemories } from '../backend/select.ts'
import { ApiError } from '../http/errors.ts'
import { AUTHENTICATED_ERRORS, errorResponses, jsonResponse, SECURITY } from '../http/responses.ts'
import { CreatedKeySchema, CreateKeyBodySchema, KeyListSchema, MessageResponseSchema, TenantQuerySchema } from '../http/schemas.ts'

const tags = ['admin']

const resetRoute = createRoute({
  method: 'post',
  path: '/reset',
  tags,
  summary: 'Delete every memory (admin key only)',
  description:
    'Without ?tenant: the memories and history of every tenant that ever had a key. With ?tenant=<name>: that tenant only. API keys stay.',
  security: SECURITY,
  request: { query: TenantQuerySchema },
  responses: { 200: jsonResponse(MessageResponseSchema, 'reset'), ...errorResponses(...AUTHENTICATED_ERRORS, 404, 502) },
})

const createKeyRoute = createRoute({
  method: 'post',
  path: '/admin/keys',
  tags,
  summary: 'Create an API key for a tenant (admin key only)',
  description: 'The key is in this response only; it is stored as its SHA-256. A new tenant comes into being with its first key.',
  security: SECURITY,
  request: { body: { required: true, content: { 'application/json': { schema: CreateKeyBodySchema } } } },
  responses: { 201: jsonResponse(CreatedKeySchema, 'the new key'), ...errorResponses(...AUTHENTICATED_ERRORS) },
})

const listKeysRoute = createRoute({
  method: 'get',
  path: '/admin/keys',
  tags,
  summary: 'List API keys, optionally of one tenant (admin key only)',
  security: SECURITY,
  request: { query: TenantQuerySchema },
  responses: { 200: jsonResponse(KeyListSchema, 'the keys (never the keys themselves)'), ...errorResponses(...AUTHENTICATED_ERRORS) },
})

const revokeKeyRoute = createRoute({
  method: 'delete',
  path: '/admin/keys/{id}',
  tags,
  summary: 'Revoke an API key (admin key only)',
  description: 'Takes effect at once where it was made and within about 60 s everywhere (Workers KV propagation).',
  security: SECURITY,
  request: { params: z.object({ id: z.string().openapi({ param: { name: 'id', in: 'path' }, example: '9f86d081884c7d65' }) }) },
  responses: { 200: jsonResponse(MessageResponseSchema, 'revoked'), ...errorResponses(...AUTHENTICATED_ERRORS, 404) },
})

export function registerAdminRoutes(app: OpenAPIHono<AppEnv>): void {
  app.openapi(resetRoute, async (c) => {
    requireAdmin(c.var.principal)
    const { tenant } = c.req.valid('query')
    const store = keyStore(c.env)
    if (tenant !== undefined && !(await store.hasTenant(tenant))) throw new ApiError(404, 'NOT_FOUND', `no tenant "${tenant}"`)
    const tenants = tenant !== undefined ? [tenant] : await store.tenants()
    const memories = tenantMemories(c.env, c.var.settings)
    // One tenant after the other: bounded work in flight, and a failure names how far it got.
    for (const [i, name] of tenants.entries()) {
      try {
        await memories.forTenant(name).reset()
      } catch (err) {
        if (err instanceof Error) err.message = `reset stopped at tenant ${i + 1} of ${tenants.length}: ${err.message}`
        throw err
      }
    }
    return c.json({ message: tenant !== undefined ? `Memories of tenant ${tenant} reset` : 'All memories reset' }, 200)
  })

  app.openapi(createKeyRoute, async (c) => {
    requireAdmin(c.var.principal)
    const body = c.req.valid('json')
    const { key, record } = await keyStore(c.env).create(body.tenant, body.name ?? null)
    return c.json({ ...record, key }, 201)
  })

  app.openapi(listKeysRoute, async (c) => {
    requireAdmin(c.var.principal)
    const { tenant } = c.req.valid('query')
    return c.json({ results: await keyStore(c.env).list(tenant) }, 200)
  })

  app.openapi(revokeKeyRoute, async (c) => {
    requireAdmin(c.var.principal)
    const { id } = c.req.valid('param')
    if (!(await keyStore(c.env).revoke(id))) throw new ApiError(404, 'NOT_FOUND', `no API key with id "${id}"`)
    return c.json({ message: 'API key revoked' }, 200)
  })
}
