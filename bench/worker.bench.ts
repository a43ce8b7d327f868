/**
 * npm run bench:worker — requests/s and latency of `POST /memories` (infer: false) and `POST /search`
 * against the Worker under `wrangler dev` (local workerd, real local Durable Objects and KV) over HTTP on
 * loopback, in the durable-object and kv storage modes. Embeddings come from the OpenAI-compatible test
 * server (deterministic hash embeddings, 384 dimensions) on the same machine, so the numbers are the
 * Worker's own cost plus one local HTTP round trip to the embedder per request. Load is bounded: a fixed
 * number of requests from a fixed number of concurrent clients. The same loads also go through mem0's own
 * client (npm `mem0ai` MemoryClient, host set to the Worker, telemetry off) to the mem0 platform routes
 * (`POST /v3/memories/add/`, `POST /v3/memories/search/`). Writes the "Worker" section of BENCHMARKS.md.
 *
 *   node bench/worker.bench.ts [--requests N] [--no-write]
 */
import { readFileSync } from 'node:fs'
import { cpus, loadavg } from 'node:os'
import { startOpenAITestServer } from '../test/servers/openai.ts'
import { startWranglerDev, type WranglerDev } from '../test/worker-smoke/wrangler-dev.ts'
import { ms, summarize, writeSection } from './report.ts'

const args = process.argv.slice(2)
const option = (name: string, fallback: number): number => {
  const i = args.indexOf(name)
  return i >= 0 ? Number(args[i + 1]) : fallback
}
const REQUESTS = option('--requests', 400)
const MEM0AI_VERSION = (
  JSON.parse(readFileSync(new URL('../node_modules/mem0ai/package.json', import.meta.url), 'utf8')) as { version: string }
).version
const USERS = 16
const ADMIN_KEY = 'bench-admin-key'
const LOADS = [
  { concurrency: 1, requests: Math.max(20, Math.round(REQUESTS / 4)) },
  { concurrency: 8, requests: REQUESTS },
]
const WORDS =
  'alpine bakery cello dune ember fjord garnet harbor indigo jasmine kayak lantern meadow nectar orchid pepper quartz river saffron tundra umber velvet willow yarrow zephyr'.split(
    ' ',
  )

interface Measured {
  mode: string
  route: string
  concurrency: number
  requests: number
  seconds: number
  p50: number
  p95: number
}

/** Runs `count` calls from `concurrency` clients; any failing call fails the bench. */
async function loadCalls(
  concurrency: number,
  count: number,
  call: (i: number) => Promise<unknown>,
): Promise<{ seconds: number; latencies: number[] }> {
  const latencies: number[] = []
  let next = 0
  const started = performance.now()
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let i = next++; i < count; i = next++) {
        const t0 = performance.now()
        await call(i)
        latencies.push(performance.now() - t0)
      }
    }),
  )
  return { seconds: (performance.now() - started) / 1000, latencies }
}

/** Runs `count` requests from `concurrency` clients; every response must be 200 or the bench fails. */
function load(
  concurrency: number,
  count: number,
  send: (i: number) => Promise<Response>,
): Promise<{ seconds: number; latencies: number[] }> {
  return loadCalls(concurrency, count, async (i) => {
    const response = await send(i)
    const body = await response.text()
    if (response.status !== 200) throw new Error(`request ${i} answered ${response.status}: ${body}`)
  })
}

// mem0's client reads MEM0_TELEMETRY when it is loaded; and nothing may leave the machine.
process.env.MEM0_TELEMETRY = 'false'
const realFetch = globalThis.fetch
globalThis.fetch = ((input: RequestInfo | URL, init?: RequestInit) => {
  const url = new URL(input instanceof Request ? input.url : String(input))
  if (url.hostname !== '127.0.0.1' && url.hostname !== 'localhost') throw new Error(`the bench refused a request to ${url.origin}`)
  return realFetch(input, init)
}) as typeof fetch
const { MemoryClient } = await import('mem0ai')

function sentence(i: number): string {
  const pick = (k: number) => WORDS[(i * 7 + k * 13) % WORDS.length]
  return `note ${i}: ${pick(1)} ${pick(2)} near the ${pick(3)} ${pick(4)}`
}

async function benchMode(mode: string, embeddingsURL: string): Promise<Measured[]> {
  const dev: WranglerDev = await startWranglerDev({
    STORAGE_MODE: mode,
    ADMIN_KEY,
    EMBEDDING_BASE_URL: embeddingsURL,
    DO_SHARDS: '16',
    // Measured without the per-key limit (it would be the bottleneck by design).
    RATE_LIMIT_PER_MINUTE: '0',
  })
  try {
    const created = await fetch(`${dev.url}/admin/keys`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${ADMIN_KEY}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ tenant: 'bench' }),
    })
    const { key } = (await created.json()) as { key: string }
    const headers = { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' }
    const post = (path: string, body: unknown) => fetch(`${dev.url}${path}`, { method: 'POST', headers, body: JSON.stringify(body) })
    let written = 0
    const add = (i: number) =>
      post('/memories', { messages: [{ role: 'user', content: sentence(written + i) }], user_id: `user-${i % USERS}`, infer: false })
    const search = (i: number) =>
      post('/search', { query: `${WORDS[i % WORDS.length]} ${WORDS[(i * 3) % WORDS.length]}`, user_id: `user-${i % USERS}`, top_k: 10 })

    // Warm-up (untimed): every shard object and isolate started, the embedder connection open.
    await load(4, USERS * 2, add)
    written += USERS * 2
    await load(4, USERS, search)

    const results: Measured[] = []
    // The floor: what wrangler dev's local proxy and HTTP on loopback cost without any work.
    const health = await load(1, LOADS[0]!.requests, () => fetch(`${dev.url}/health`))
    results.push({
      mode,
      route: 'GET /health (no work: the floor)',
      concurrency: 1,
      requests: LOADS[0]!.requests,
      seconds: health.seconds,
      ...summarize(health.latencies),
    })
    for (const { concurrency, requests } of LOADS) {
      const adds = await load(concurrency, requests, add)
      written += requests
      const searches = await load(concurrency, requests, search)
      for (const [route, run] of [
        ['POST /memories (infer: false)', adds],
        ['POST /search', searches],
      ] as const) {
        const { p50, p95 } = summarize(run.latencies)
        results.push({ mode, route, concurrency, requests, seconds: run.seconds, p50, p95 })
      }
    }
    // The same loads through mem0's client and the mem0 platform routes (its handshake ping untimed).
    const client = new MemoryClient({ apiKey: key, host: dev.url })
    await client.ping()
    const mem0Add = (i: number) =>
      client.add([{ role: 'user', content: sentence(written + i) }], { userId: `user-${i % USERS}`, infer: false })
    const mem0Search = (i: number) =>
      client.search(`${WORDS[i % WORDS.length]} ${WORDS[(i * 3) % WORDS.length]}`, {
        filters: { user_id: `user-${i % USERS}` },
        top_k: 10,
      } as never)
    await loadCalls(4, USERS, mem0Search)
    for (const { concurrency, requests } of LOADS) {
      const adds = await loadCalls(concurrency, requests, mem0Add)
      written += requests
      const searches = await loadCalls(concurrency, requests, mem0Search)
      for (const [route, run] of [
        ['mem0 client add → POST /v3/memories/add/ (infer: false)', adds],
        ['mem0 client search → POST /v3/memories/search/', searches],
      ] as const) {
        const { p50, p95 } = summarize(run.latencies)
        results.push({ mode, route, concurrency, requests, seconds: run.seconds, p50, p95 })
      }
    }
    const count = await fetch(`${dev.url}/memories?user_id=user-0&top_k=100`, { headers })
    const stored = ((await count.json()) as { results: unknown[] }).results.length
    console.log(`${mode}: user-0 holds ${stored} memories after the run (${written} added in total over ${USERS} users)`)
    return results
  } catch (err) {
    console.error(dev.output())
    throw err
  } finally {
    await dev.stop()
  }
}

const loadBefore = loadavg()[0]!
const embeddings = await startOpenAITestServer({ dimensions: 384 })
const measured: Measured[] = []
try {
  for (const mode of ['durable-object', 'kv']) measured.push(...(await benchMode(mode, embeddings.baseURL)))
} finally {
  await embeddings.close()
}
const loadAfter = loadavg()[0]!

// Other work on the machine slows every row alike: compare rows of one run, not runs made under different load.
const busy =
  loadBefore > cpus().length
    ? ` (the machine was busy with other work: compare the rows of this run with each other, not with runs on an idle machine)`
    : ''
const rows = measured.map(
  (m) =>
    `| ${m.mode} | ${m.route} | ${m.concurrency} | ${m.requests} | ${(m.requests / m.seconds).toFixed(0)} | ${ms(m.p50)} ms | ${ms(m.p95)} ms |`,
)
const body = `
\`npm run bench:worker\` (bench/worker.bench.ts). The Worker under \`wrangler dev\` (local workerd with its
real local Durable Objects and KV), driven over HTTP on 127.0.0.1 by Node \`fetch\` clients on the same
machine: a fixed number of requests from a fixed number of concurrent clients, after an untimed warm-up.
One tenant, ${USERS} users (scopes) in turn, one message per add, top_k 10; DO_SHARDS 16; rate limit off.
The \`mem0 client\` rows run the same loads through mem0's own client (npm \`mem0ai\` ${MEM0AI_VERSION} \`MemoryClient\`, host
set to the Worker, telemetry off) to the mem0 platform routes (docs/moving-from-mem0.md), in the same run.
Embeddings: the OpenAI-compatible test server (hash embeddings, 384-d) on the same machine, one HTTP call
per request, included in the latency. Client, Worker runtime and embedder share the machine's 2 cores, so
these are single-machine figures, not Cloudflare's edge (where storage and the embedding API add network
time). Load average: ${loadBefore.toFixed(2)} before, ${loadAfter.toFixed(2)} after${busy}.

| storage mode | route | concurrency | requests | requests/s | p50 | p95 |
|---|---|---|---|---|---|---|
${rows.join('\n')}
`
console.log(body)
if (!args.includes('--no-write')) await writeSection('Worker', body)
