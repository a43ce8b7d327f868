/**
 * npm run bench:zero-config — end-to-end add (infer: false) and search latency of `new Memory()` with
 * no config (transformers embedder with the default model, hnsw store, memory storage) at 10k memories
 * in the searched scope, embedding included. "The hub" is a loopback mirror serving the MiniLM-shaped
 * random-weight stand-in under the default model id: the same architecture and cost as the real
 * all-MiniLM-L6-v2 (its scores carry no meaning, its timings do).
 */
import { env } from '@huggingface/transformers'
import { mkdtemp, rm } from 'node:fs/promises'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { Memory } from '../src/index.ts'
import { startHubMirror } from '../test/servers/hub-mirror.ts'
import { RANDOM_MINILM_MODEL, sharedModelsDir } from './shared-dir.ts'
import { ms, summarize, timeEach, writeSection } from './report.ts'

const SIZE = 10_000
const SAMPLES = 100

// The MiniLM-shaped stand-in of ../shared/models: its speed is the real model's.
const mirror = await startHubMirror({ aliases: { 'Xenova/all-MiniLM-L6-v2': RANDOM_MINILM_MODEL }, modelsDir: sharedModelsDir() })
const cache = await mkdtemp(join(tmpdir(), 'edgemem-bench-hub-'))
env.remoteHost = mirror.url
env.cacheDir = cache

const topics = ['hiking', 'jazz', 'sushi', 'chess', 'gardening', 'marathons', 'painting', 'coffee', 'poetry', 'cycling']
const places = ['Lyon', 'Osaka', 'Lima', 'Oslo', 'Cairo', 'Quebec', 'Perth', 'Tallinn']
const sentence = (i: number): string =>
  `Memory ${i}: enjoys ${topics[i % topics.length]} in ${places[(i * 7) % places.length]} with friend number ${i % 97}`

const loadStarted = performance.now()
const memory = new Memory()
await memory.ready()
const loadMs = performance.now() - loadStarted

const fillStarted = performance.now()
for (let i = 0; i < SIZE; i += 250) {
  const batch = Array.from({ length: Math.min(250, SIZE - i) }, (_, j) => ({ role: 'user', content: sentence(i + j) }))
  await memory.add(batch, { userId: 'alice', infer: false })
}
const fillMs = performance.now() - fillStarted
console.log(`filled ${SIZE} in ${(fillMs / 1000).toFixed(1)} s`)

for (let i = 0; i < 10; i++) await memory.search(`warm up ${i}`, { userId: 'alice' })
const search = summarize(
  await timeEach(SAMPLES, (i) =>
    memory.search(`Who enjoys ${topics[i % topics.length]} in ${places[i % places.length]}?`, { userId: 'alice' }),
  ),
)
const add = summarize(
  await timeEach(SAMPLES, (i) =>
    memory.add(`A new note number ${i} about ${topics[(i * 3) % topics.length]}`, { userId: 'alice', infer: false }),
  ),
)
await memory.close()
await mirror.close()
await rm(cache, { recursive: true, force: true })

const table = [
  '| stack | model load | fill 10k (batched add) | add p50 | add p95 | search p50 | search p95 |',
  '|---|---|---|---|---|---|---|',
  `| \`new Memory()\`: transformers (MiniLM-shaped, q8) + hnsw + memory storage, Node | ${(loadMs / 1000).toFixed(2)} s | ${(fillMs / 1000).toFixed(1)} s (${Math.round(SIZE / (fillMs / 1000))}/s) | ${ms(add.p50)} ms | ${ms(add.p95)} ms | ${ms(search.p50)} ms | ${ms(search.p95)} ms |`,
].join('\n')
console.log(table)
await writeSection(
  'Zero-config stack end to end',
  `\`npm run bench:zero-config\` (bench/zero-config.bench.ts): \`new Memory()\` with no config at ${SIZE.toLocaleString('en')}
memories in the searched scope, ${SAMPLES} samples each, embedding included (one text per add or search). The
default model comes from a loopback hub mirror serving the MiniLM-shaped random-weight stand-in under
\`Xenova/all-MiniLM-L6-v2\`: real architecture and cost, no meaningful scores. Load average at the end of the
run: ${loadavg()[0]!.toFixed(2)} (2 shared cores). The embedding of the one text dominates both latencies; the memory
layer's own share is in the "Core" section.

${table}`,
)
