/**
 * `npm run test:runtimes:worker`: the Worker under `wrangler dev` (real workerd, real local KV and
 * Durable Objects, offline) over real HTTP on loopback, with the OpenAI-compatible test server for
 * embeddings and the LLM. Runs the main flow in the durable-object mode and in the kv mode, ending with
 * mem0's own client (npm `mem0ai`) against the mem0 platform routes.
 */
import assert from 'node:assert/strict'
import { NotFoundError, RemoteError, RemoteMemory } from '../../src/client/index.ts'
import { startOpenAITestServer, type OpenAITestServer } from '../servers/openai.ts'
import { extractFacts, WORKER_EMBEDDING_DIMENSIONS } from '../workers/worker-servers.setup.ts'
import { startWranglerDev, type WranglerDev } from './wrangler-dev.ts'

const ADMIN_KEY = 'smoke-admin-key'

// mem0's client (the mem0 platform routes) runs with telemetry off, and nothing may leave the machine.
process.env.MEM0_TELEMETRY = 'false'
const realFetch = globalThis.fetch
globalThis.fetch = ((input: RequestInfo | URL, init?: RequestInit) => {
  const url = new URL(input instanceof Request ? input.url : String(input))
  if (url.hostname !== '127.0.0.1' && url.hostname !== 'localhost') throw new Error(`the smoke test refused a request to ${url.origin}`)
  return realFetch(input, init)
}) as typeof fetch
const { MemoryClient } = await import('mem0ai')

interface Reply {
  status: number
  headers: Headers
  body: any
}

function client(base: string) {
  return async (method: string, path: string, options: { key?: string; body?: unknown; raw?: string } = {}): Promise<Reply> => {
    const headers: Record<string, string> = {}
    if (options.key) headers.Authorization = `Bearer ${options.key}`
    let body: string | undefined = options.raw
    if (options.body !== undefined) {
      body = JSON.stringify(options.body)
      headers['Content-Type'] = 'application/json'
    }
    const response = await fetch(`${base}${path}`, { method, headers, body, signal: AbortSignal.timeout(30_000) })
    const text = await response.text()
    let parsed: unknown = text
    try {
      parsed = JSON.parse(text)
    } catch {
      // HTML of /docs
    }
    return { status: response.status, headers: response.headers, body: parsed }
  }
}

async function flow(mode: string, dev: WranglerDev): Promise<number> {
  const call = client(dev.url)
  let checks = 0
  const check = (what: string, fn: () => void): void => {
    try {
      fn()
      checks++
    } catch (err) {
      throw new Error(`[${mode}] ${what}: ${err instanceof Error ? err.message : String(err)}`, { cause: err })
    }
  }

  const health = await call('GET', '/health')
  check('health', () => assert.deepEqual([health.status, health.body], [200, { status: 'ok' }]))
  const docs = await call('GET', '/docs')
  check('docs', () => assert.ok(docs.status === 200 && String(docs.body).includes('/memories/{id}/history')))
  const openapi = await call('GET', '/openapi.json')
  check('openapi', () => assert.ok(openapi.body.paths['/search'].post))

  const anonymous = await call('GET', '/memories?user_id=u')
  check('no key → 401', () => assert.equal(anonymous.status, 401))
  const keyA = (await call('POST', '/admin/keys', { key: ADMIN_KEY, body: { tenant: 'smoke-a' } })).body.key as string
  const keyB = (await call('POST', '/admin/keys', { key: ADMIN_KEY, body: { tenant: 'smoke-b' } })).body.key as string
  check('keys created', () => {
    assert.match(keyA, /^em_/)
    assert.match(keyB, /^em_/)
  })

  const verbatim = await call('POST', '/memories', {
    key: keyA,
    body: {
      messages: [
        { role: 'user', content: 'I am allergic to peanuts' },
        { role: 'user', content: 'My sister lives in Oslo' },
      ],
      user_id: 'alice',
      agent_id: 'chef',
      infer: false,
      metadata: { source: 'smoke' },
    },
  })
  check('add verbatim', () =>
    assert.deepEqual(
      verbatim.body.results.map((r: { event: string }) => r.event),
      ['ADD', 'ADD'],
    ),
  )
  const inferred = await call('POST', '/memories', {
    key: keyA,
    body: { messages: [{ role: 'user', content: 'I run every morning' }], user_id: 'bob', agent_id: 'chef' },
  })
  check('add with the LLM', () =>
    assert.deepEqual(
      inferred.body.results.map((r: { memory: string }) => r.memory),
      ['User said: I run every morning'],
    ),
  )

  const found = await call('POST', '/search', {
    key: keyA,
    body: { query: 'peanuts allergy', user_id: 'alice', filters: { source: 'smoke' } },
  })
  check('search', () => assert.equal(found.body.results[0].memory, 'I am allergic to peanuts'))
  const byAgent = await call('GET', '/memories?agent_id=chef', { key: keyA })
  check('list across users of an agent', () => assert.equal(byAgent.body.results.length, 3))

  const id = verbatim.body.results[0].id as string
  const updated = await call('PUT', `/memories/${id}`, { key: keyA, body: { text: 'I am allergic to peanuts and cashews' } })
  check('update', () => assert.equal(updated.body.memory, 'I am allergic to peanuts and cashews'))
  const got = await call('GET', `/memories/${id}`, { key: keyA })
  check('get', () =>
    assert.deepEqual(
      [got.body.memory, got.body.user_id, got.body.metadata.source],
      ['I am allergic to peanuts and cashews', 'alice', 'smoke'],
    ),
  )

  const probes = [
    (await call('GET', `/memories/${id}`, { key: keyB })).status,
    (await call('PUT', `/memories/${id}`, { key: keyB, body: { text: 'x' } })).status,
    (await call('DELETE', `/memories/${id}`, { key: keyB })).status,
  ]
  const foreignList = await call('GET', '/memories?user_id=alice', { key: keyB })
  check('other tenant sees nothing', () => assert.deepEqual([probes, foreignList.body.results], [[404, 404, 404], []]))

  const deleted = await call('DELETE', `/memories/${id}`, { key: keyA })
  check('delete', () => assert.equal(deleted.status, 200))
  const history = await call('GET', `/memories/${id}/history`, { key: keyA })
  check('history', () =>
    assert.deepEqual(
      history.body.map((h: { event: string }) => h.event),
      ['ADD', 'UPDATE', 'DELETE'],
    ),
  )
  const tooBig = await call('POST', '/memories', { key: keyA, raw: JSON.stringify({ messages: 'x'.repeat(300_000), user_id: 'alice' }) })
  check('413', () => assert.equal(tooBig.status, 413))
  const all = await call('DELETE', '/memories?agent_id=chef', { key: keyA })
  check('delete a scope', () => assert.equal(all.body.deleted, 2))
  // Past 1,000 memories a scope gets its HNSW index: hnswlib's WebAssembly as bundled by wrangler must
  // load in workerd, or the add that crosses the threshold fails.
  for (let start = 0; start < 1050; start += 50) {
    const messages = Array.from({ length: 50 }, (_, i) => ({
      role: 'user',
      content: `memory number ${start + i} with token t${start + i}x`,
    }))
    const added = await call('POST', '/memories', { key: keyA, body: { messages, user_id: 'big', infer: false } })
    if (added.status !== 200) check('adds past the hnsw threshold', () => assert.equal(added.status, 200, JSON.stringify(added.body)))
  }
  const deep = await call('POST', '/search', { key: keyA, body: { query: 't1042x', user_id: 'big', top_k: 3 } })
  check('search a scope with its hnsw index', () => assert.equal(deep.body.results[0]?.memory, 'memory number 1042 with token t1042x'))
  // mem0's own client over real HTTP, with only `host` changed (docs/moving-from-mem0.md).
  const mem0 = new MemoryClient({ apiKey: keyA, host: dev.url })
  await mem0.ping()
  const mem0Added: any = await mem0.add([{ role: 'user', content: 'I keep bees' }], { userId: 'mem0-user' })
  check('mem0 client add (inferred, with its event)', () => assert.equal(mem0Added.status, 'SUCCEEDED'))
  const mem0Found: any = await mem0.search('bees', { filters: { user_id: 'mem0-user' } })
  check('mem0 client search', () => assert.equal(mem0Found.results[0]?.memory, 'User said: I keep bees'))
  await mem0.deleteUsers({ userId: 'mem0-user' })
  const mem0Left: any = await mem0.getAll({ filters: { user_id: 'mem0-user' } })
  check('mem0 client deleteUsers', () => assert.equal(mem0Left.count, 0))

  // edgemem/client over real HTTP (Node's fetch): the Memory API on the Worker.
  const remote = new RemoteMemory({ url: dev.url, apiKey: keyB })
  await remote.ready()
  const [bread] = (await remote.add('Carol bakes sourdough bread', { userId: 'carol', infer: false, metadata: { topic: 'food' } })).results
  await remote.add('Carol swims on Tuesdays', { userId: 'carol', infer: false, metadata: { topic: 'sport' } })
  const remoteFound = await remote.search('sourdough bread', { userId: 'carol', topK: 1 })
  const remoteFiltered = await remote.getAll({ userId: 'carol', filters: { topic: 'sport' } })
  const remoteUpdated = await remote.update(bread!.id, { metadata: { topic: 'baking' } })
  await remote.delete(bread!.id)
  const remoteErrors = await Promise.all([
    remote.delete(bread!.id).catch((e: unknown) => e),
    new RemoteMemory({ url: dev.url, apiKey: 'em_wrong', maxRetries: 0 }).getAll({ userId: 'carol' }).catch((e: unknown) => e),
  ])
  check('RemoteMemory over HTTP', () => {
    assert.equal(remoteFound.results[0]?.memory, 'Carol bakes sourdough bread')
    assert.deepEqual(
      remoteFiltered.results.map((r) => r.memory),
      ['Carol swims on Tuesdays'],
    )
    assert.equal(remoteUpdated.metadata.topic, 'baking')
    assert.ok(remoteErrors[0] instanceof NotFoundError)
    assert.ok(remoteErrors[1] instanceof RemoteError && remoteErrors[1].status === 401)
  })
  const remoteHistory = await remote.history(bread!.id)
  check('RemoteMemory history', () =>
    assert.deepEqual(
      remoteHistory.map((h) => h.event),
      ['ADD', 'UPDATE', 'DELETE'],
    ),
  )

  const reset = await call('POST', '/reset', { key: ADMIN_KEY })
  check('reset', () => assert.equal(reset.status, 200))
  return checks
}

async function main(): Promise<void> {
  const started = performance.now()
  const openai: OpenAITestServer = await startOpenAITestServer({ dimensions: WORKER_EMBEDDING_DIMENSIONS, chat: extractFacts })
  let total = 0
  try {
    for (const mode of ['durable-object', 'kv']) {
      const dev = await startWranglerDev({
        STORAGE_MODE: mode,
        ADMIN_KEY,
        EMBEDDING_BASE_URL: openai.baseURL,
        LLM_BASE_URL: openai.baseURL,
        LLM_MODEL: 'smoke-llm',
        DO_SHARDS: '4',
      })
      try {
        const checks = await flow(mode, dev)
        total += checks
        console.log(`worker smoke (${mode}): ${checks} checks passed over HTTP at ${dev.url}`)
      } catch (err) {
        console.error(dev.output())
        throw err
      } finally {
        await dev.stop()
      }
    }
  } finally {
    await openai.close()
  }
  console.log(`worker smoke: ${total} checks in 2 storage modes, ${((performance.now() - started) / 1000).toFixed(1)} s`)
}

await main()
