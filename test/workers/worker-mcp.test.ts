import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js'
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js'
import { CfWorkerJsonSchemaValidator } from '@modelcontextprotocol/sdk/validation/cfworker'
import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test'
import { env, exports } from 'cloudflare:workers'
import type { Env } from '../../workers/env.ts'
import worker from '../../workers/index.ts'
import { afterEach, describe, expect, it } from '../harness.ts'
import { ADMIN_KEY, modeEnv, newTenant, ORIGIN, request } from './worker-client.ts'

/**
 * The Worker's remote MCP server (/mcp) through the real @modelcontextprotocol/sdk Client over Streamable
 * HTTP, inside workerd: every tool, bad arguments (typed tool errors, nothing written), authentication
 * and tenant isolation. The Client's fetch goes straight to the Worker's fetch handler. The SDK's default
 * JSON-schema validator (ajv) compiles code at run time, which workerd forbids: the Client uses the
 * SDK's @cfworker/json-schema validator here.
 */

const clients: Client[] = []
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()))
})

/** The Client's fetch: the Worker's own handler, with its env changed for another storage mode when asked. */
function toWorker(envChange?: Partial<Env>): typeof fetch {
  return async (input, init) => {
    const req = new Request(input as RequestInfo, init)
    if (!envChange) return exports.default.fetch(req)
    const ctx = createExecutionContext()
    const response = await worker.fetch(req as Parameters<typeof worker.fetch>[0], { ...(env as Env), ...envChange }, ctx)
    await waitOnExecutionContext(ctx)
    return response
  }
}

async function connect(headers: Record<string, string>, envChange?: Partial<Env>): Promise<Client> {
  const client = new Client({ name: 'edgemem-test', version: '1.0.0' }, { jsonSchemaValidator: new CfWorkerJsonSchemaValidator() })
  const transport = new StreamableHTTPClientTransport(new URL(`${ORIGIN}/mcp`), { fetch: toWorker(envChange), requestInit: { headers } })
  await client.connect(transport)
  clients.push(client)
  return client
}

const bearer = (key: string) => ({ Authorization: `Bearer ${key}` })

async function call(client: Client, name: string, args: Record<string, unknown>): Promise<any> {
  const result = (await client.callTool({ name, arguments: args })) as CallToolResult
  expect(result.isError, `${name}: ${JSON.stringify(result.content)}`).toBeFalsy()
  expect(JSON.parse((result.content[0] as { text: string }).text)).toEqual(result.structuredContent)
  return result.structuredContent
}

async function callError(client: Client, name: string, args: Record<string, unknown>): Promise<string> {
  const result = (await client.callTool({ name, arguments: args })) as CallToolResult
  expect(result.isError, `${name} should fail: ${JSON.stringify(result)}`).toBe(true)
  return (result.content[0] as { text: string }).text
}

const TOOLS = [
  'add_memory',
  'delete_all_memories',
  'delete_entities',
  'delete_memory',
  'get_memories',
  'get_memory',
  'list_entities',
  'search_memories',
  'update_memory',
]

describe('MCP over Streamable HTTP (the Worker at /mcp)', () => {
  it('lists the tools with JSON-schema arguments and result schemas', async () => {
    const { key } = await newTenant('mcp')
    const client = await connect(bearer(key))
    expect(client.getServerVersion()?.name).toBe('edgemem')
    const { tools } = await client.listTools()
    expect(tools.map((t) => t.name).sort()).toEqual(TOOLS)
    const add = tools.find((t) => t.name === 'add_memory')!
    expect(add.inputSchema.type).toBe('object')
    expect(Object.keys(add.inputSchema.properties ?? {})).toEqual(
      expect.arrayContaining(['text', 'messages', 'user_id', 'agent_id', 'run_id', 'metadata', 'infer']),
    )
    expect(tools.find((t) => t.name === 'get_memory')!.inputSchema.required).toEqual(['memory_id'])
    for (const tool of tools) expect(tool.outputSchema?.type, tool.name).toBe('object')
  })

  it('runs every tool on the same memories as the REST routes', async () => {
    const { key } = await newTenant('mcp')
    const client = await connect(bearer(key))

    const added = await call(client, 'add_memory', {
      text: 'I play the cello in an orchestra',
      user_id: 'alice',
      metadata: { topic: 'music' },
      infer: false,
    })
    expect(added.results).toEqual([{ id: expect.any(String), memory: 'I play the cello in an orchestra', event: 'ADD' }])
    const cello = added.results[0].id as string
    await call(client, 'add_memory', {
      messages: [
        { role: 'user', content: 'My sister Ana lives in Porto' },
        { role: 'assistant', content: 'Noted, Ana is in Porto' },
      ],
      user_id: 'alice',
      infer: false,
    })
    await call(client, 'add_memory', { text: 'Prefers short answers', agent_id: 'helper', infer: false })

    const listed = await call(client, 'list_entities', {})
    expect(listed.count).toBe(2)
    expect(listed.results.map((e: { type: string; id: string; total_memories: number }) => [e.type, e.id, e.total_memories])).toEqual([
      ['user', 'alice', 3],
      ['agent', 'helper', 1],
    ])

    // The REST API sees what MCP wrote: one implementation underneath.
    const rest = await request('GET', '/memories?user_id=alice', { key })
    expect(rest.body.results.map((r: { memory: string }) => r.memory).sort()).toEqual([
      'I play the cello in an orchestra',
      'My sister Ana lives in Porto',
      'Noted, Ana is in Porto',
    ])

    const found = await call(client, 'search_memories', { query: 'cello orchestra', user_id: 'alice', limit: 1 })
    expect(found.results).toHaveLength(1)
    expect(found.results[0]).toMatchObject({
      id: cello,
      memory: 'I play the cello in an orchestra',
      user_id: 'alice',
      metadata: { topic: 'music' },
    })
    expect(typeof found.results[0].score).toBe('number')
    const filtered = await call(client, 'search_memories', {
      query: 'anything',
      filters: { AND: [{ user_id: 'alice' }, { topic: 'music' }] },
    })
    expect(filtered.results.map((r: { id: string }) => r.id)).toEqual([cello])

    const page1 = await call(client, 'get_memories', { user_id: 'alice', page_size: 2 })
    expect(page1).toMatchObject({ page: 1, page_size: 2, has_more: true })
    expect(page1.results).toHaveLength(2)
    const page2 = await call(client, 'get_memories', { user_id: 'alice', page: 2, page_size: 2 })
    expect(page2).toMatchObject({ page: 2, has_more: false })
    expect(page2.results).toHaveLength(1)
    const all = [...page1.results, ...page2.results].map((r: { id: string }) => r.id)
    expect(new Set(all).size).toBe(3)
    expect((await call(client, 'get_memories', { agent_id: 'helper' })).results.map((r: { memory: string }) => r.memory)).toEqual([
      'Prefers short answers',
    ])

    expect(await call(client, 'get_memory', { memory_id: cello })).toMatchObject({ id: cello, memory: 'I play the cello in an orchestra' })
    const updated = await call(client, 'update_memory', { memory_id: cello, text: 'I play the viola', metadata: { topic: null, level: 3 } })
    expect(updated).toMatchObject({ id: cello, memory: 'I play the viola', metadata: { level: 3 } })
    expect((await request('GET', `/memories/${cello}/history`, { key })).body.map((h: { event: string }) => h.event)).toEqual([
      'ADD',
      'UPDATE',
    ])

    expect(await call(client, 'delete_memory', { memory_id: cello })).toEqual({ message: 'Memory deleted successfully', memory_id: cello })
    expect((await request('GET', `/memories/${cello}`, { key })).status).toBe(404)

    expect(await call(client, 'delete_all_memories', { user_id: 'alice' })).toEqual({
      message: 'Memories deleted successfully',
      deleted: 2,
    })
    expect((await call(client, 'get_memories', { user_id: 'alice' })).results).toEqual([])

    await call(client, 'add_memory', { text: 'Run note', run_id: 'r1', infer: false })
    const entities = await call(client, 'delete_entities', { agent_id: 'helper', run_id: 'r1' })
    expect(entities).toEqual({
      message: 'Entities deleted successfully',
      deleted: 2,
      entities: [
        { type: 'agent', id: 'helper', deleted: 1 },
        { type: 'run', id: 'r1', deleted: 1 },
      ],
    })
    expect((await request('GET', '/memories?agent_id=helper', { key })).body.results).toEqual([])
  })

  it('extracts facts with the LLM when add_memory infers (the default with an LLM configured)', async () => {
    const { key } = await newTenant('mcp')
    const client = await connect(bearer(key))
    const added = await call(client, 'add_memory', { text: 'I moved to Lisbon last year and I love surfing', user_id: 'bob' })
    expect(added.results.length).toBeGreaterThan(0)
    for (const event of added.results) expect(event.event).toBe('ADD')
    const stored = await request('GET', '/memories?user_id=bob', { key })
    expect(stored.body.results.map((r: { memory: string }) => r.memory).sort()).toEqual(
      added.results.map((r: { memory: string }) => r.memory).sort(),
    )
  })

  it('answers bad arguments with typed tool errors and writes nothing', async () => {
    const { key } = await newTenant('mcp')
    const client = await connect(bearer(key))
    const cases: [string, Record<string, unknown>, RegExp][] = [
      ['add_memory', { user_id: 'u' }, /"code":"VALIDATION".*give `text` or `messages`/],
      ['add_memory', { text: 'x' }, /"code":"VALIDATION".*user_id, agent_id or run_id/],
      ['add_memory', { text: 42, user_id: 'u' }, /Input validation error/],
      ['add_memory', { messages: [{ role: 'robot', content: 'hi' }], user_id: 'u' }, /Input validation error/],
      ['add_memory', { text: 'x', user_id: '' }, /Input validation error/],
      ['add_memory', { text: 'x', user_id: 'u', metadata: 'not an object' }, /Input validation error/],
      ['add_memory', { text: 'x'.repeat(20_000), user_id: 'u', infer: false }, /"code":"VALIDATION".*MAX_MESSAGE_CHARS/],
      ['search_memories', { query: 'x', user_id: 'u', limit: 0 }, /Input validation error/],
      ['search_memories', { query: 'x', user_id: 'u', limit: 101 }, /Input validation error/],
      ['search_memories', { query: 'x', filters: { user_id: { bogus: 1 } } }, /"code":"FILTER"/],
      ['search_memories', { query: 'x' }, /"code":"VALIDATION"/],
      ['get_memories', { user_id: 'u', page: 0 }, /Input validation error/],
      ['get_memory', {}, /Input validation error/],
      ['get_memory', { memory_id: '0.missing' }, /"code":"NOT_FOUND"/],
      ['update_memory', { memory_id: '0.missing', text: 'x' }, /"code":"NOT_FOUND"/],
      ['update_memory', { memory_id: '0.missing' }, /"code":"VALIDATION"/],
      ['delete_memory', { memory_id: '0.missing' }, /"code":"NOT_FOUND"/],
      ['delete_all_memories', {}, /"code":"VALIDATION"/],
      ['delete_entities', {}, /"code":"VALIDATION"/],
      ['no_such_tool', {}, /not found/],
    ]
    for (const [tool, args, expected] of cases) expect(await callError(client, tool, args), tool).toMatch(expected)
    expect((await request('GET', '/memories?user_id=u', { key })).body.results).toEqual([])
  })

  it('needs a tenant key: 401 with WWW-Authenticate, and the admin key is refused', async () => {
    const initialize = {
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
    }
    const headers = { Accept: 'application/json, text/event-stream' }
    for (const auth of [{}, bearer('em_not-a-real-key'), { Authorization: 'Basic dTpw' }]) {
      const response = await request('POST', '/mcp', { body: initialize, headers: { ...headers, ...auth } })
      expect(response.status).toBe(401)
      expect(response.headers.get('www-authenticate')).toMatch(/^Bearer realm="edgemem"/)
      expect(response.body.error.code).toBe('UNAUTHORIZED')
    }
    // The real client reports the 401 as an error on connect.
    await expect(connect(bearer('em_not-a-real-key'))).rejects.toThrow(/401|Unauthorized/i)
    const admin = await request('POST', '/mcp', { body: initialize, headers: { ...headers, ...bearer(ADMIN_KEY) } })
    expect(admin.status).toBe(403)
    // X-API-Key works as on the REST routes.
    const { key } = await newTenant('mcp')
    const client = await connect({ 'X-API-Key': key })
    expect((await client.listTools()).tools.length).toBe(TOOLS.length)
  })

  it('is stateless: no session id, and each request may reach a fresh server', async () => {
    const { key } = await newTenant('mcp')
    const response = await request('POST', '/mcp', {
      key,
      headers: { Accept: 'application/json, text/event-stream', 'MCP-Protocol-Version': '2025-06-18' },
      body: { jsonrpc: '2.0', id: 7, method: 'tools/list', params: {} },
    })
    expect(response.status).toBe(200)
    expect(response.headers.get('mcp-session-id')).toBeNull()
    expect(response.body.id).toBe(7)
    expect(response.body.result.tools).toHaveLength(TOOLS.length)
    // No stream to open and no session to end: GET and DELETE answer 405 (after authentication).
    for (const method of ['GET', 'DELETE']) {
      const refused = await request(method, '/mcp', { key, headers: { Accept: 'text/event-stream' } })
      expect(refused.status, method).toBe(405)
      expect(refused.headers.get('allow')).toBe('POST')
      expect(refused.body.error.code).toBe(-32000)
    }
    expect((await request('GET', '/mcp')).status).toBe(401)
  })

  for (const mode of ['durable-object', 'kv'] as const) {
    it(`keeps tenants apart (${mode} mode): same user ids and texts, no crossing through any tool`, async () => {
      const envChange = modeEnv(mode)
      const a = await connect(bearer((await newTenant('mcp-a', envChange)).key), envChange)
      const b = await connect(bearer((await newTenant('mcp-b', envChange)).key), envChange)
      const bId = (await call(b, 'add_memory', { text: 'B secret plan', user_id: 'shared', infer: false })).results[0].id as string
      await call(a, 'add_memory', { text: 'A note', user_id: 'shared', infer: false })

      expect(
        (await call(a, 'search_memories', { query: 'secret plan', user_id: 'shared' })).results.map((r: { memory: string }) => r.memory),
      ).toEqual(['A note'])
      expect((await call(a, 'get_memories', { user_id: 'shared' })).results.map((r: { memory: string }) => r.memory)).toEqual(['A note'])
      expect((await call(a, 'list_entities', {})).results).toMatchObject([{ type: 'user', id: 'shared', total_memories: 1 }])
      expect(await callError(a, 'get_memory', { memory_id: bId })).toMatch(/NOT_FOUND/)
      expect(await callError(a, 'update_memory', { memory_id: bId, text: 'hijacked' })).toMatch(/NOT_FOUND/)
      expect(await callError(a, 'delete_memory', { memory_id: bId })).toMatch(/NOT_FOUND/)
      expect(await call(a, 'delete_all_memories', { user_id: 'shared' })).toMatchObject({ deleted: 1 })
      expect(await call(a, 'delete_entities', { user_id: 'shared' })).toMatchObject({ deleted: 0 })
      expect(await call(b, 'get_memory', { memory_id: bId })).toMatchObject({ memory: 'B secret plan' })
    })
  }
})

describe('MCP graph tools over Streamable HTTP (GRAPH_STORE = "local")', () => {
  const triple = (r: { source: string; relationship: string; target: string }) => `${r.source} ${r.relationship} ${r.target}`
  const graphOn = (mode: 'durable-object' | 'kv') => ({ ...modeEnv(mode), GRAPH_STORE: 'local' }) as Partial<Env>

  for (const mode of ['durable-object', 'kv'] as const) {
    it(`lists search_graph and get_graph, returns relations, and deletes a scope's graph (${mode} mode)`, async () => {
      const envChange = graphOn(mode)
      const { key } = await newTenant('mcp-graph', envChange)
      const client = await connect(bearer(key), envChange)
      expect((await client.listTools()).tools.map((t) => t.name).sort()).toEqual([...TOOLS, 'get_graph', 'search_graph'].sort())

      const added = await call(client, 'add_memory', { text: 'Alice lives in Berlin', user_id: 'alice' })
      expect(added.relations.added.map(triple)).toEqual(['Alice lives_in Berlin'])
      expect(added.relations.added[0].memory_ids).toEqual([added.results[0].id])
      const moved = await call(client, 'add_memory', { text: 'Alice lives in Rome', user_id: 'alice' })
      expect(moved.relations.invalidated.map(triple)).toEqual(['Alice lives_in Berlin'])

      const found = await call(client, 'search_memories', { query: 'Where does Alice live?', user_id: 'alice' })
      expect(found.relations.map(triple)).toEqual(['Alice lives_in Rome'])
      const relations = await call(client, 'search_graph', { query: 'Where does Alice live?', user_id: 'alice', limit: 5 })
      expect(relations.relations.map(triple)).toEqual(['Alice lives_in Rome'])
      expect(relations.relations[0].score).toBeGreaterThan(0)

      const graph = await call(client, 'get_graph', { user_id: 'alice' })
      expect(graph.entities.map((e: { name: string }) => e.name).sort()).toEqual(['Alice', 'Berlin', 'Rome'])
      expect(graph.relations.map(triple)).toEqual(['Alice lives_in Rome'])
      const history = await call(client, 'get_graph', { user_id: 'alice', include_invalidated: true, limit: 1 })
      expect(history.relations).toHaveLength(1)
      expect(history.total_relations).toBe(2)
      // The REST route shows the same graph: one implementation underneath.
      const rest = await request('GET', '/graph?user_id=alice', { key, env: envChange })
      expect(rest.body).toEqual(graph)

      expect(await call(client, 'delete_entities', { user_id: 'alice' })).toMatchObject({ deleted: 2 })
      expect(await call(client, 'get_graph', { user_id: 'alice' })).toEqual({
        entities: [],
        relations: [],
        total_entities: 0,
        total_relations: 0,
      })
    })
  }

  it('answers bad graph tool arguments with typed errors, and keeps tenants apart', async () => {
    const envChange = graphOn('durable-object')
    const a = await connect(bearer((await newTenant('mcp-ga', envChange)).key), envChange)
    const b = await connect(bearer((await newTenant('mcp-gb', envChange)).key), envChange)
    await call(b, 'add_memory', { text: 'Bob knows Carol', user_id: 'shared' })
    const cases: [string, Record<string, unknown>, RegExp][] = [
      ['get_graph', {}, /"code":"VALIDATION".*user_id, agent_id or run_id/],
      ['get_graph', { user_id: 'u', limit: 0 }, /Input validation error/],
      ['get_graph', { user_id: 'u', limit: 101 }, /Input validation error/],
      ['get_graph', { user_id: 'u', include_invalidated: 'yes' }, /Input validation error/],
      ['search_graph', { user_id: 'u', query: '' }, /Input validation error/],
      ['search_graph', { query: 'x' }, /"code":"VALIDATION"/],
    ]
    for (const [tool, args, expected] of cases) expect(await callError(a, tool, args), tool).toMatch(expected)
    expect((await call(a, 'get_graph', { user_id: 'shared' })).total_entities).toBe(0)
    expect((await call(a, 'search_graph', { query: 'Who does Bob know?', user_id: 'shared' })).relations).toEqual([])
    expect((await call(b, 'search_graph', { query: 'Who does Bob know?', user_id: 'shared' })).relations.map(triple)).toEqual([
      'Bob knows Carol',
    ])
  })

  it('without GRAPH_STORE the graph tools are not listed', async () => {
    const { key } = await newTenant('mcp')
    const client = await connect(bearer(key))
    const names = (await client.listTools()).tools.map((t) => t.name)
    expect(names).not.toContain('get_graph')
    expect(names).not.toContain('search_graph')
  })
})
