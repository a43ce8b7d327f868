import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi'
import type { HonoRequest, MiddlewareHandler } from 'hono'
import { bodyLimit } from 'hono/body-limit'
import { cors } from 'hono/cors'
import { HTTPException } from 'hono/http-exception'
import type { AppEnv } from './app-env.ts'
import { authenticate, requireAdmin } from './auth/authenticate.ts'
import { ApiError, toApiError } from './http/errors.ts'
import { checkBodyShape } from './http/json-shape.ts'
import { renderReference } from './http/reference-page.ts'
import { jsonResponse } from './http/responses.ts'
import { enforceRateLimit } from './limits/rate-limit.ts'
import { registerAdminRoutes } from './routes/admin.ts'
import { isolateMetrics, metricsMiddleware } from './metrics.ts'
import { registerPlatformRoutes } from './platform/routes.ts'
import { registerMcpRoutes } from './routes/mcp.ts'
import { registerMemoryRoutes } from './routes/memories.ts'
import { registerPortableRoutes } from './routes/portable.ts'
import { settingsOf } from './settings.ts'

/** Routes anyone may call: no key, no rate limit. */
const PUBLIC_PATHS: ReadonlySet<string> = new Set(['/health', '/openapi.json', '/docs'])

const OPENAPI_INFO = {
  openapi: '3.1.0',
  info: {
    title: 'edgemem REST API',
    version: '0.1.0',
    description:
      'Long-term memory for AI agents, compatible with the mem0 REST server (snake_case) and, under the tag "mem0 platform", with the routes mem0\'s platform client SDKs call (docs/moving-from-mem0.md). Errors are {"error": {"code", "message"}}. Limits and storage modes: docs/worker.md.',
  },
}

const healthRoute = createRoute({
  method: 'get',
  path: '/health',
  tags: ['meta'],
  summary: 'Liveness (no authentication)',
  responses: { 200: jsonResponse(z.object({ status: z.literal('ok') }).openapi('Health'), 'the Worker is up') },
})

const settingsMiddleware: MiddlewareHandler<AppEnv> = async (c, next) => {
  c.set('settings', settingsOf(c.env))
  await next()
}

/** CORS headers only when CORS_ORIGINS is set; preflights are answered before authentication. */
const corsMiddleware: MiddlewareHandler<AppEnv> = async (c, next) => {
  const origins = c.var.settings.corsOrigins
  if (origins === undefined) return next()
  return cors({
    origin: origins,
    allowMethods: ['GET', 'POST', 'PUT', 'DELETE', 'OPTIONS'],
    // The Mem0-* and X-Mem0-* headers: sent by mem0's client SDKs (platform/routes.ts), ignored.
    allowHeaders: ['Authorization', 'X-API-Key', 'Content-Type', 'Mem0-User-ID', 'X-Mem0-Client', 'X-Mem0-Source', 'X-Application'],
    exposeHeaders: ['Retry-After'],
    maxAge: 600,
  })(c, next)
}

/** Key → principal, then the key's rate limit; then the body size limit (413 before anything is parsed). */
const guardMiddleware: MiddlewareHandler<AppEnv> = async (c, next) => {
  if (PUBLIC_PATHS.has(c.req.path)) return next()
  const settings = c.var.settings
  const principal = await authenticate(c.env, settings, c.req.raw.headers)
  c.set('principal', principal)
  await enforceRateLimit(c.env, principal.keyId, settings.limits)
  const { maxBodyBytes } = settings.limits
  return bodyLimit({
    maxSize: maxBodyBytes,
    onError: () => {
      throw new ApiError(413, 'PAYLOAD_TOO_LARGE', `request body is larger than ${maxBodyBytes} bytes (MAX_BODY_BYTES)`)
    },
  })(c, async () => {
    if (requireJsonBody(c.req.raw)) await checkJsonBody(c.req)
    await next()
  })
}

function notJson(type: string): ApiError {
  return new ApiError(
    400,
    'VALIDATION',
    `the body must be JSON sent with "Content-Type: application/json" (got ${type ? `"${type}"` : 'no Content-Type'})`,
  )
}

/** A body must be JSON: say so with a 400 instead of the validator's bare 415. Whether there is a body. */
function requireJsonBody(request: Request): boolean {
  if (request.method !== 'POST' && request.method !== 'PUT') return false
  // JSON Lines, checked by its route (routes/portable.ts).
  if (new URL(request.url).pathname === '/import') return false
  // No body at all (POST /reset as mem0 clients send it) needs no Content-Type.
  if (request.body === null || request.headers.get('content-length') === '0') return false
  const type = request.headers.get('content-type') ?? ''
  if (!/^application\/([\w.+-]+\+)?json\b/i.test(type)) throw notJson(type)
  return true
}

/**
 * Parses the body once (Hono caches it for the route's validator) and checks its shape; malformed JSON
 * is left to the validator, which reports it.
 */
async function checkJsonBody(req: HonoRequest): Promise<void> {
  let body: unknown
  try {
    body = await req.json()
  } catch {
    return
  }
  checkBodyShape(body)
}

interface Issue {
  path: readonly PropertyKey[]
  message: string
  code?: string
  errors?: readonly (readonly Issue[])[]
}

/**
 * A union's issue ("Invalid input") says nothing useful; the branch that got furthest into the value
 * (its deepest issue path) is what the caller meant, e.g. `messages.0.role` for a message without a role.
 */
function explain(issue: Issue, prefix: readonly PropertyKey[]): { path: readonly PropertyKey[]; message: string }[] {
  const path = [...prefix, ...issue.path]
  if (issue.code === 'invalid_union' && issue.errors && issue.errors.length > 0) {
    const depth = (branch: readonly Issue[]) => Math.max(...branch.map((i) => i.path.length))
    const best = [...issue.errors].sort((a, b) => depth(b) - depth(a))[0]!
    if (depth(best) > 0) return best.flatMap((inner) => explain(inner, path))
  }
  return [{ path, message: issue.message }]
}

/** Where zod's complaints become the API's 400: every issue, with its path, in one message. */
function validationMessage(issues: readonly Issue[], target: string): string {
  const described = issues
    .flatMap((issue) => explain(issue, []))
    .map(({ path, message }) => `${[target === 'json' ? 'body' : target, ...path.map(String)].join('.')}: ${message}`)
  return `invalid request: ${described.join('; ')}`
}

export function createApp(): OpenAPIHono<AppEnv> {
  const app = new OpenAPIHono<AppEnv>({
    strict: false,
    defaultHook: (result) => {
      if (!result.success) throw new ApiError(400, 'VALIDATION', validationMessage(result.error.issues, result.target))
    },
  })

  app.onError((err, c) => {
    let error: ApiError
    if (err instanceof HTTPException) {
      // Hono's validators: malformed JSON (400), a body without a JSON Content-Type (415).
      if (err.status === 400) error = new ApiError(400, 'VALIDATION', `invalid request: ${err.message}`)
      else if (err.status === 415) error = notJson(c.req.header('content-type') ?? '')
      else error = toApiError(err)
    } else {
      error = toApiError(err)
    }
    return c.json(error.body, error.status, error.headers)
  })
  app.notFound((c) => c.json(new ApiError(404, 'NOT_FOUND', `no route ${c.req.method} ${c.req.path}; see /docs`).body, 404))

  app.use('*', metricsMiddleware, settingsMiddleware, corsMiddleware, guardMiddleware)

  app.openAPIRegistry.registerComponent('securitySchemes', 'bearerAuth', {
    type: 'http',
    scheme: 'bearer',
    description: 'Authorization: Bearer <API key>',
  })
  app.openAPIRegistry.registerComponent('securitySchemes', 'apiKeyHeader', { type: 'apiKey', in: 'header', name: 'X-API-Key' })

  app.openapi(healthRoute, (c) => c.json({ status: 'ok' as const }, 200))
  registerMemoryRoutes(app)
  registerAdminRoutes(app)
  registerPlatformRoutes(app)
  registerMcpRoutes(app)
  registerPortableRoutes(app)

  // Admin only: the Prometheus text of this isolate's per-route counts and latency (workers/metrics.ts).
  app.get('/metrics', (c) => {
    requireAdmin(c.var.principal)
    return c.text(isolateMetrics.prometheus(), 200, { 'Content-Type': 'text/plain; version=0.0.4; charset=utf-8' })
  })
  app.get('/openapi.json', (c) => c.json(app.getOpenAPI31Document(OPENAPI_INFO)))
  app.get('/docs', (c) => c.html(renderReference(app.getOpenAPI31Document(OPENAPI_INFO))))
  return app
}
