import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { Client } from '@modelcontextprotocol/sdk/client/index.js'
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js'
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { startOpenAITestServer } from '../servers/openai.ts'
import { modelsDir, WORDNET_MODEL } from '../support/models.ts'
import { extractFacts } from '../workers/worker-servers.setup.ts'

/**
 * The `edgemem mcp` bin (cli/edgemem.ts) spawned as a child process and driven by the real
 * @modelcontextprotocol/sdk Client over stdio: every tool, bad arguments (typed tool errors, nothing
 * written), persistence across restarts, and separation of users and directories. The embedder is the
 * on-device one with the WordNet stand-in model (.cache/models); nothing leaves the machine. Deno and Bun
 * start the same bin and answer tools/list.
 */

const ROOT = resolve(import.meta.dirname, '../..')
const BIN = join(ROOT, 'node_modules/.bin')
const ENTRY = join(ROOT, 'cli/edgemem.ts')

let work: string
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'edgemem-mcp-'))
})
afterAll(async () => {
  await rm(work, { recursive: true, force: true })
})

const clients: Client[] = []
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()))
})

/** The environment of the child: the stand-in model, and no variable that would pick another embedder or an LLM. */
function childEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {}
  for (const [key, value] of Object.entries(process.env)) if (value !== undefined && !key.startsWith('EDGEMEM_')) env[key] = value
  return { ...env, EDGEMEM_MODELS_DIR: modelsDir(), EDGEMEM_MODEL: WORDNET_MODEL, ...extra }
}

async function start(command: string, args: string[], env: Record<string, string> = childEnv()): Promise<Client> {
  const transport = new StdioClientTransport({ command, args, env, cwd: ROOT, stderr: 'pipe' })
  let stderr = ''
  transport.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString()
  })
  const client = new Client({ name: 'edgemem-test', version: '1.0.0' })
  try {
    await client.connect(transport)
  } catch (err) {
    throw new Error(`${command} ${args.join(' ')} did not start: ${err}\n${stderr}`)
  }
  clients.push(client)
  return client
}

const node = (...args: string[]) => start(process.execPath, [ENTRY, 'mcp', ...args])

async function call(client: Client, name: string, args: Record<string, unknown>): Promise<any> {
  const result = (await client.callTool({ name, arguments: args })) as CallToolResult
  expect(result.isError, `${name}: ${JSON.stringify(result.content)}`).toBeFalsy()
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
const memoriesOf = (result: { results: { memory: string }[] }) => result.results.map((r) => r.memory).sort()

describe('edgemem mcp (stdio)', { timeout: 90_000 }, () => {
  it('serves every tool on memories kept in --dir, which outlive the process', async () => {
    const dir = join(work, 'main')
    const client = await node('--dir', dir, '--user-id', 'alice')
    expect(client.getServerVersion()).toMatchObject({ name: 'edgemem', version: expect.any(String) })
    expect((await client.listTools()).tools.map((t) => t.name).sort()).toEqual(TOOLS)

    // No LLM configured: messages are stored as given; no scope named: the --user-id user.
    const cello = (await call(client, 'add_memory', { text: 'I play the cello in an orchestra', metadata: { topic: 'music' } })).results[0]
    expect(cello).toMatchObject({ memory: 'I play the cello in an orchestra', event: 'ADD' })
    await call(client, 'add_memory', {
      messages: [
        { role: 'user', content: 'My sister Ana lives in Porto' },
        { role: 'user', content: 'I am allergic to nuts' },
      ],
    })
    await call(client, 'add_memory', { text: 'Answers in French', agent_id: 'tutor' })

    const found = await call(client, 'search_memories', { query: 'which instrument do I play', limit: 1 })
    expect(found.results).toHaveLength(1)
    expect(found.results[0]).toMatchObject({ id: cello.id, memory: 'I play the cello in an orchestra', user_id: 'alice' })
    const byFilter = await call(client, 'search_memories', {
      query: 'anything',
      filters: { AND: [{ user_id: 'alice' }, { topic: 'music' }] },
    })
    expect(byFilter.results.map((r: { id: string }) => r.id)).toEqual([cello.id])

    const page1 = await call(client, 'get_memories', { page_size: 2 })
    expect(page1).toMatchObject({ page: 1, page_size: 2, has_more: true })
    const page2 = await call(client, 'get_memories', { page: 2, page_size: 2 })
    expect(page2).toMatchObject({ page: 2, has_more: false })
    expect(memoriesOf({ results: [...page1.results, ...page2.results] })).toEqual([
      'I am allergic to nuts',
      'I play the cello in an orchestra',
      'My sister Ana lives in Porto',
    ])
    expect(memoriesOf(await call(client, 'get_memories', { agent_id: 'tutor' }))).toEqual(['Answers in French'])
    expect(
      (await call(client, 'list_entities', {})).results.map((e: { id: string; total_memories: number }) => [e.id, e.total_memories]),
    ).toEqual([
      ['alice', 3],
      ['tutor', 1],
    ])

    expect(await call(client, 'get_memory', { memory_id: cello.id })).toMatchObject({ id: cello.id, metadata: { topic: 'music' } })
    expect(await call(client, 'update_memory', { memory_id: cello.id, text: 'I play the viola', metadata: { topic: null } })).toMatchObject(
      {
        memory: 'I play the viola',
        metadata: {},
      },
    )
    await client.close()
    expect((await readdir(dir)).length).toBeGreaterThan(0)

    // A new process on the same directory finds everything.
    const again = await node('--dir', dir, '--user-id', 'alice')
    expect((await call(again, 'get_memory', { memory_id: cello.id })).memory).toBe('I play the viola')
    expect(await call(again, 'delete_memory', { memory_id: cello.id })).toEqual({
      message: 'Memory deleted successfully',
      memory_id: cello.id,
    })
    expect(await callError(again, 'get_memory', { memory_id: cello.id })).toMatch(/"code":"NOT_FOUND"/)
    expect(await call(again, 'delete_all_memories', {})).toEqual({ message: 'Memories deleted successfully', deleted: 2 })
    expect(await call(again, 'delete_entities', { agent_id: 'tutor' })).toMatchObject({
      deleted: 1,
      entities: [{ type: 'agent', id: 'tutor', deleted: 1 }],
    })
    expect((await call(again, 'get_memories', {})).results).toEqual([])
  })

  it('answers bad arguments with typed tool errors and writes nothing', async () => {
    const client = await node('--dir', join(work, 'bad'))
    const cases: [string, Record<string, unknown>, RegExp][] = [
      ['add_memory', {}, /"code":"VALIDATION".*give `text` or `messages`/],
      ['add_memory', { text: 42 }, /Input validation error/],
      ['add_memory', { text: 'x', infer: true }, /"code":"CONFIG".*llm/],
      ['add_memory', { text: 'x', metadata: [1] }, /Input validation error/],
      ['add_memory', { messages: [] }, /Input validation error/],
      ['search_memories', { query: '' }, /Input validation error/],
      ['search_memories', { query: 'x', filters: { topic: { between: [1, 2] } } }, /"code":"FILTER"/],
      ['get_memories', { page_size: 1_000_000 }, /Input validation error/],
      ['get_memories', { page: 1_000_000 }, /"code":"VALIDATION".*beyond/],
      ['get_memory', { memory_id: 'nope' }, /"code":"NOT_FOUND"/],
      ['update_memory', { memory_id: 'nope', text: 'x' }, /"code":"NOT_FOUND"/],
      ['delete_memory', { memory_id: 'nope' }, /"code":"NOT_FOUND"/],
      ['delete_entities', {}, /"code":"VALIDATION"/],
    ]
    for (const [tool, args, expected] of cases) expect(await callError(client, tool, args), tool).toMatch(expected)
    expect((await call(client, 'get_memories', {})).results).toEqual([])
  })

  it('keeps users apart, and directories apart', async () => {
    const dir = join(work, 'shared')
    const alice = await node('--dir', dir, '--user-id', 'alice')
    await call(alice, 'add_memory', { text: 'Alice keeps bees' })
    const bob = await node('--dir', join(work, 'other'), '--user-id', 'alice')
    expect((await call(bob, 'get_memories', {})).results).toEqual([])
    expect(memoriesOf(await call(alice, 'search_memories', { query: 'bees', user_id: 'bob' }))).toEqual([])
    expect(memoriesOf(await call(alice, 'get_memories', { user_id: 'alice' }))).toEqual(['Alice keeps bees'])
  })

  it('with EDGEMEM_GRAPH_STORE=local: graph tools, relations from the LLM, kept in --dir across restarts', async () => {
    // The LLM is the scripted OpenAI-compatible server on 127.0.0.1 ("<Name> lives in <Name>" is a relation).
    const llm = await startOpenAITestServer({ chat: extractFacts })
    try {
      const dir = join(work, 'graph')
      const env = childEnv({ EDGEMEM_GRAPH_STORE: 'local', EDGEMEM_LLM_BASE_URL: llm.baseURL, EDGEMEM_LLM_MODEL: 'test-llm' })
      const triple = (r: { source: string; relationship: string; target: string }) => `${r.source} ${r.relationship} ${r.target}`
      const client = await start(process.execPath, [ENTRY, 'mcp', '--dir', dir, '--user-id', 'alice'], env)
      expect((await client.listTools()).tools.map((t) => t.name).sort()).toEqual([...TOOLS, 'get_graph', 'search_graph'].sort())
      const added = await call(client, 'add_memory', { text: 'Alice lives in Berlin' })
      expect(added.relations.added.map(triple)).toEqual(['Alice lives_in Berlin'])
      const moved = await call(client, 'add_memory', { text: 'Alice lives in Rome' })
      expect(moved.relations.invalidated.map(triple)).toEqual(['Alice lives_in Berlin'])
      expect((await call(client, 'search_graph', { query: 'Where does Alice live?' })).relations.map(triple)).toEqual([
        'Alice lives_in Rome',
      ])
      expect(await callError(client, 'get_graph', { limit: 0 })).toMatch(/Input validation error/)
      await client.close()

      const again = await start(process.execPath, [ENTRY, 'mcp', '--dir', dir, '--user-id', 'alice'], env)
      const graph = await call(again, 'get_graph', { include_invalidated: true })
      expect(graph.relations.map(triple)).toEqual(['Alice lives_in Berlin', 'Alice lives_in Rome'])
      expect(graph.entities.map((e: { name: string }) => e.name).sort()).toEqual(['Alice', 'Berlin', 'Rome'])
      expect(await call(again, 'delete_entities', { user_id: 'alice' })).toMatchObject({ deleted: 2 })
      expect((await call(again, 'get_graph', {})).total_entities).toBe(0)
    } finally {
      await llm.close()
    }
  })

  it('refuses unknown flags and commands, and says how to run it without transformers.js', async () => {
    const { execFile } = await import('node:child_process')
    const run = (args: string[]) =>
      new Promise<{ code: number | null; stderr: string }>((done) => {
        execFile(process.execPath, [ENTRY, ...args], { env: childEnv(), timeout: 30_000 }, (error, _stdout, stderr) =>
          done({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stderr }),
        )
      })
    expect(await run(['mcp', '--bogus'])).toMatchObject({ code: 2, stderr: expect.stringMatching(/--bogus/) })
    expect(await run(['nope'])).toMatchObject({ code: 2, stderr: expect.stringMatching(/unknown command "nope"/) })
    // Without transformers.js (an optional peer dependency; hidden here by a resolve hook) and no embedding
    // endpoint, it says how to run it before serving. (The published bin bundles the MCP SDK: the package
    // test runs it with no SDK installed.)
    const hook = `export async function resolve(specifier, context, next) {
      if (specifier.startsWith('@huggingface/transformers')) throw Object.assign(new Error("Cannot find package '@huggingface/transformers'"), { code: 'ERR_MODULE_NOT_FOUND' })
      return next(specifier, context)
    }`
    const register = `import { register } from 'node:module'; register(${JSON.stringify(`data:text/javascript,${encodeURIComponent(hook)}`)})`
    const withoutTransformers = await new Promise<{ code: number | null; stderr: string }>((done) => {
      execFile(
        process.execPath,
        ['--import', `data:text/javascript,${encodeURIComponent(register)}`, ENTRY, 'mcp', '--dir', join(work, 'no-transformers')],
        { env: childEnv(), timeout: 30_000 },
        (error, _stdout, stderr) => done({ code: error ? ((error as { code?: number }).code ?? 1) : 0, stderr }),
      )
    })
    expect(withoutTransformers).toMatchObject({
      code: 1,
      stderr: expect.stringMatching(
        /@huggingface\/transformers.*npx -y -p edgemem -p @huggingface\/transformers edgemem mcp.*EDGEMEM_EMBEDDING_BASE_URL/,
      ),
    })
  })

  for (const [runtime, command, args] of [
    [
      'deno',
      join(BIN, 'deno'),
      ['run', '--cached-only', '--allow-read', '--allow-write', '--allow-env', '--allow-ffi', '--allow-sys', ENTRY, 'mcp'],
    ],
    ['bun', join(BIN, 'bun'), [ENTRY, 'mcp']],
  ] as const) {
    it(`starts in ${runtime} and answers tools/list and a tool call`, async () => {
      const client = await start(command, [...args, '--dir', join(work, runtime)])
      expect((await client.listTools()).tools.map((t) => t.name).sort()).toEqual(TOOLS)
      expect((await call(client, 'add_memory', { text: `Runs in ${runtime}` })).results).toHaveLength(1)
      expect(memoriesOf(await call(client, 'search_memories', { query: runtime }))).toEqual([`Runs in ${runtime}`])
    })
  }
})
