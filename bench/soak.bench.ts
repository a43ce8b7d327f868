/**
 * npm run bench:soak — a bounded load and fault test of the Worker under `wrangler dev` (real workerd,
 * Durable Object mode, state on disk), all traffic on 127.0.0.1:
 * - WRITERS concurrent writers add memories (each to its own user) for DURATION_S seconds;
 * - the embedding endpoint fails now and then (503, and answers slowly), so retries and deadlines work;
 * - workerd is killed with SIGKILL twice mid-run and restarted over the same state directory.
 * Afterwards every acknowledged write (a 200 with an id) must be there with its text: lost = 0, or the
 * run fails. Writes that got no answer or an error may or may not have landed; they are counted, not
 * checked. Writes the "Soak" section of BENCHMARKS.md (--no-write to skip).
 */
import { startOpenAITestServer, openAIError } from '../test/servers/openai.ts'
import { startWranglerDev, type WranglerDev } from '../test/worker-smoke/wrangler-dev.ts'
import { WORKER_EMBEDDING_DIMENSIONS } from '../test/workers/worker-servers.setup.ts'
import { defaultEmbeddings } from '../test/servers/openai-protocol.ts'
import { writeSection } from './report.ts'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const args = process.argv.slice(2)
const WRITERS = 8
const DURATION_S = Number(args.find((a) => a.startsWith('--seconds='))?.split('=')[1] ?? 30)
const KILLS = 2
const ADMIN_KEY = 'soak-admin-key'

const openai = await startOpenAITestServer({ dimensions: WORKER_EMBEDDING_DIMENSIONS })
let embeddingCalls = 0
openai.embeddings.handler = (body) => {
  embeddingCalls++
  // Deterministic faults: every 11th call fails with 503, every 17th answers after 1.5 s.
  if (embeddingCalls % 11 === 0) return openAIError(503, 'overloaded (soak fault)')
  const vectors = defaultEmbeddings(body, WORKER_EMBEDDING_DIMENSIONS)
  return embeddingCalls % 17 === 0 ? { vectors, delayMs: 1_500 } : { vectors }
}
const state = await mkdtemp(join(tmpdir(), 'edgemem-soak-'))
const vars = {
  STORAGE_MODE: 'durable-object',
  ADMIN_KEY,
  EMBEDDING_BASE_URL: openai.baseURL,
  DO_SHARDS: '4',
  RATE_LIMIT_PER_MINUTE: '0',
  MAX_TOP_K: '10000',
}
let dev: WranglerDev = await startWranglerDev(vars, { stateDir: state })
let restarting: Promise<void> | undefined

/** The fields of the Worker's answers this run reads. */
interface Reply {
  key: string
  results: { id: string; memory: string }[]
}

async function call(method: string, path: string, key: string, body?: unknown): Promise<{ status: number; json: Reply }> {
  const response = await fetch(`${dev.url}${path}`, {
    method,
    headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(30_000),
  })
  return { status: response.status, json: (await response.json().catch(() => ({}))) as Reply }
}

const created = await call('POST', '/admin/keys', ADMIN_KEY, { tenant: 'soak' })
const key: string = created.json.key
const acked = new Map<string, { user: string; text: string }>()
const outcomes = new Map<string, number>()
const count = (what: string) => outcomes.set(what, (outcomes.get(what) ?? 0) + 1)
const deadline = Date.now() + DURATION_S * 1000

async function writer(w: number): Promise<void> {
  for (let i = 0; Date.now() < deadline; i++) {
    if (restarting) await restarting
    const text = `writer ${w} note ${i}`
    try {
      const { status, json } = await call('POST', '/memories', key, { messages: text, user_id: `w${w}`, infer: false })
      count(String(status))
      if (status === 200) for (const r of json.results) acked.set(r.id, { user: `w${w}`, text: r.memory })
    } catch (err) {
      count(`no answer (${(err as Error).name})`)
      await new Promise((resolve) => setTimeout(resolve, 200))
    }
  }
}

async function chaos(): Promise<void> {
  for (let k = 1; k <= KILLS; k++) {
    await new Promise((resolve) => setTimeout(resolve, (DURATION_S * 1000 * k) / (KILLS + 1) - (k > 1 ? 0 : 0)))
    let done: () => void = () => {}
    restarting = new Promise((resolve) => (done = resolve))
    await dev.kill()
    count('workerd SIGKILL')
    dev = await startWranglerDev(vars, { stateDir: state })
    restarting = undefined
    done()
  }
}

const started = Date.now()
await Promise.all([...Array.from({ length: WRITERS }, (_, w) => writer(w)), chaos()])
const elapsed = (Date.now() - started) / 1000

let lost = 0
for (let w = 0; w < WRITERS; w++) {
  const stored = new Map<string, string>()
  const { json } = await call('GET', `/memories?user_id=w${w}&top_k=10000`, key)
  for (const r of json.results) stored.set(r.id, r.memory)
  for (const [id, { user, text }] of acked) if (user === `w${w}` && stored.get(id) !== text) lost++
}
await dev.stop()
await openai.close()
await rm(state, { recursive: true, force: true })

const summary = [...outcomes]
  .sort(([a], [b]) => a.localeCompare(b))
  .map(([k, v]) => `${k}: ${v}`)
  .join(', ')
console.log(`soak: ${acked.size} acknowledged writes, ${lost} lost, ${elapsed.toFixed(1)} s; ${summary}; ${embeddingCalls} embedding calls`)
const body = `\`npm run bench:soak\` (${DURATION_S} s): the Worker under \`wrangler dev\` (Durable Object
mode, state on disk), ${WRITERS} concurrent writers on 127.0.0.1, an embedding endpoint failing every 11th call
with 503 and answering every 17th after 1.5 s, and workerd killed with SIGKILL ${KILLS} times mid-run and
restarted over the same state.

| acknowledged writes | lost | run | outcomes | embedding calls |
| --- | --- | --- | --- | --- |
| ${acked.size} | ${lost} | ${elapsed.toFixed(1)} s | ${summary} | ${embeddingCalls} |

An acknowledged write is a 200 with its id; every one is read back after the run. Requests cut off by a
kill got no answer (they may or may not have landed; history journals settle them).`
if (!args.includes('--no-write')) await writeSection('Soak', body)
if (lost > 0) {
  console.error(`soak: ${lost} acknowledged writes lost`)
  process.exit(1)
}
