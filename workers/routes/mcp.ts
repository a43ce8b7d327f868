import type { OpenAPIHono } from '@hono/zod-openapi'
import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js'
import type { Context } from 'hono'
import { createMemoryMcpServer, type MemoryOperations } from '../../src/mcp/tools.ts'
import type { AppEnv } from '../app-env.ts'
import { requireTenant } from '../auth/authenticate.ts'
import { tenantMemories } from '../backend/select.ts'
import { checkMessages, checkText, checkTopK } from '../limits/request-limits.ts'

/** Where the remote MCP server answers (docs/mcp.md). */
export const MCP_PATH = '/mcp'
const VERSION = '0.1.0'

/**
 * The caller's tenant's memories for the MCP tools: the same TenantMemory operations the REST routes call
 * (routes/memories.ts), behind the same per-request limits (MAX_MESSAGES, MAX_MESSAGE_CHARS, MAX_TOP_K).
 */
function operationsOf(c: Context<AppEnv>): MemoryOperations {
  const tenant = requireTenant(c.var.principal)
  const memories = tenantMemories(c.env, c.var.settings).forTenant(tenant)
  const { limits } = c.var.settings
  return {
    add: (messages, options) => {
      checkMessages(messages, limits)
      return memories.add(messages, options)
    },
    search: (query, options) => {
      checkText(query, 'query', limits)
      checkTopK(options.topK, limits)
      return memories.search(query, options)
    },
    get: (id) => memories.get(id),
    getAll: (options) => {
      checkTopK(options.topK, limits)
      return memories.getAll(options)
    },
    update: (id, data) => {
      checkText(data.text, 'text', limits)
      return memories.update(id, data)
    },
    delete: (id) => memories.delete(id),
    deleteAll: (options) => memories.deleteAll(options),
    entities: () => memories.entities(),
  }
}

/**
 * The remote MCP server: Streamable HTTP, stateless (no session id, so any isolate can answer any
 * request), JSON responses. The app's middleware has already authenticated the tenant key (401 with
 * `WWW-Authenticate: Bearer` otherwise), applied its rate limit and the body size limit. Each request
 * gets its own server and transport, as the SDK's stateless mode requires.
 */
export function registerMcpRoutes(app: OpenAPIHono<AppEnv>): void {
  // Stateless: no server-initiated stream to open (GET) and no session to end (DELETE). 405 is the
  // transport's answer for both, which clients take as "POST only".
  app.on(['GET', 'DELETE'], MCP_PATH, (c) =>
    c.json({ jsonrpc: '2.0', error: { code: -32000, message: 'Method not allowed: this server is stateless, send POST' }, id: null }, 405, {
      Allow: 'POST',
    }),
  )
  app.post(MCP_PATH, async (c) => {
    const server = createMemoryMcpServer({
      memory: operationsOf(c),
      inferByDefault: c.var.settings.llm !== undefined,
      maxTopK: c.var.settings.limits.maxTopK,
      version: VERSION,
    })
    // The guard middleware has read the body already (to check its shape); Hono keeps it parsed.
    let parsedBody: unknown
    try {
      parsedBody = await c.req.json()
    } catch {
      return c.json({ jsonrpc: '2.0', error: { code: -32700, message: 'Parse error: Invalid JSON' }, id: null }, 400)
    }
    const transport = new WebStandardStreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true })
    await server.connect(transport)
    try {
      return await transport.handleRequest(c.req.raw, { parsedBody })
    } finally {
      // With JSON responses the answer is complete once handleRequest returns.
      await server.close()
    }
  })
}
