import type { OpenAPIHono } from '@hono/zod-openapi'
import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js'
import { createMemoryMcpServer } from '../../src/mcp/tools.ts'
import type { AppEnv } from '../app-env.ts'
import { operationsOf } from '../operations.ts'

/** Where the remote MCP server answers (docs/mcp.md). */
export const MCP_PATH = '/mcp'
const VERSION = '0.1.0'

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
    // The tools call the Worker's one implementation of each operation (operations.ts): the same scope,
    // limit and LLM checks as the REST routes.
    const server = createMemoryMcpServer({
      memory: operationsOf(c),
      inferByDefault: c.var.settings.llm !== undefined,
      maxTopK: c.var.settings.limits.maxTopK,
      version: VERSION,
      graph: c.var.settings.graph !== undefined,
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
