/**
 * npm run bench:scale — one scope grown to 10k, 50k and 100k memories through the public API (default
 * `hnsw` store, memory storage, 384-d vectors, embedding excluded, one user): the longest single `add`
 * and `search`, fill rate with batched adds, hybrid / semantic / filtered search p50, recall@10 of
 * semantic search against an exact float32 scan, cold reload (open → first search) and RSS per memory.
 * Anchor in the same run: hnswlib-node (native) at the largest size.
 *
 * Vectors are clustered low-rank 384-d unit vectors (test/support/low-rank-vectors.ts: the structure of
 * sentence embeddings), served by text through a precomputed embedder; texts are synthetic sentences
 * with a shared vocabulary so keyword search has work to do.
 *
 * SCALE_SIZES=2000,5000 (comma-separated) for a quick run; SCALE_ANCHORS=0 skips the native anchor.
 */
import { Memory, MemoryStorage, type Embedder } from '../src/index.ts'
import { lowRankVectors } from '../test/support/low-rank-vectors.ts'
import { FlatScan, nativeHnsw } from './index-contenders.ts'
import { ms, summarize, writeSection } from './report.ts'

const env = globalThis.process.env
const SIZES = (env.SCALE_SIZES ?? '10000,50000,100000').split(',').map(Number)
const ANCHORS = env.SCALE_ANCHORS !== '0'
const QUERIES = 200
const SINGLE_ADDS = 100
const BATCH = 500
const D = 384

const SUBJECTS = [
  'hiking',
  'jazz',
  'sushi',
  'chess',
  'gardening',
  'marathons',
  'painting',
  'coffee',
  'poetry',
  'cycling',
  'baking',
  'astronomy',
]
const VERBS = ['loves', 'is learning', 'gave up', 'talks about', 'plans to try', 'dislikes', 'teaches', 'writes about']
const PLACES = ['Lyon', 'Osaka', 'Lima', 'Oslo', 'Cairo', 'Quebec', 'Perth', 'Tallinn', 'Dakar', 'Hanoi']
const sentence = (i: number): string =>
  `Memory ${i}: ${VERBS[i % 8]} ${SUBJECTS[(i * 7) % 12]} in ${PLACES[(i * 3) % 10]} with friend ${i % 997}`

const max = Math.max(...SIZES)
const total = max + SINGLE_ADDS * SIZES.length + QUERIES
console.log(`generating ${total} vectors`)
const vectors = lowRankVectors({ count: total, dimensions: D, seed: 11 })
const texts = Array.from({ length: total }, (_, i) => sentence(i))
const queryTexts = Array.from(
  { length: QUERIES },
  (_, i) => `${VERBS[i % 8]} ${SUBJECTS[i % 12]} in ${PLACES[(i * 7) % 10]} (question ${i})`,
)
const queryVectors = vectors.slice(total - QUERIES)

/** Serves the precomputed vector of each text (queries included); anything else is an error. */
class PrecomputedEmbedder implements Embedder {
  readonly dimensions = D
  private readonly byText = new Map<string, Float32Array>()
  constructor() {
    for (const [i, t] of texts.entries()) this.byText.set(t, vectors[i]!)
    for (const [i, t] of queryTexts.entries()) this.byText.set(t, queryVectors[i]!)
  }
  async embed(input: string[]): Promise<Float32Array[]> {
    return input.map((t) => {
      const v = this.byText.get(t)
      if (!v) throw new Error(`not precomputed: ${t}`)
      return v
    })
  }
}

const embedder = new PrecomputedEmbedder()
const storage = new MemoryStorage()
const open = (hybrid: boolean) =>
  new Memory({ embedder, storage, history: { enabled: false }, vectorStore: { provider: 'hnsw', config: { hybrid } } })

interface Row {
  size: number
  fillPerSecond: number
  maxBatchAddMs: number
  singleAdd: ReturnType<typeof summarize> & { max: number }
  hybrid: ReturnType<typeof summarize> & { max: number }
  semantic: ReturnType<typeof summarize> & { max: number }
  filtered: ReturnType<typeof summarize> & { max: number }
  recall: number
  coldReloadMs: number
  rssBytesPerMemory: number
}

const withMax = (samples: number[]) => ({ ...summarize(samples), max: Math.max(...samples) })

async function timed<T>(run: () => Promise<T>): Promise<[T, number]> {
  const started = performance.now()
  const out = await run()
  return [out, performance.now() - started]
}

const rssBase = process.memoryUsage().rss
const rows: Row[] = []
let memory = open(true)
let next = 0
let singles = max
for (const size of SIZES) {
  // Batched fill up to `size`; one batch in five is 'rare', so the filtered search ({ topic: 'common' })
  // keeps about 80% of the scope.
  const batchTimes: number[] = []
  const fillStarted = performance.now()
  const fillFrom = next
  while (next < size) {
    const end = Math.min(size, next + BATCH)
    const batch = texts.slice(next, end).map((content) => ({ role: 'user', content }))
    const [, took] = await timed(() =>
      memory.add(batch, { userId: 'u', infer: false, metadata: { topic: (next / BATCH) % 5 === 0 ? 'rare' : 'common' } }),
    )
    batchTimes.push(took)
    next = end
  }
  const fillPerSecond = ((next - fillFrom) / (performance.now() - fillStarted)) * 1000
  // Single adds at this size (taken from the texts after the largest size, so the corpus stays the same).
  const single: number[] = []
  for (let i = 0; i < SINGLE_ADDS; i++) {
    const [, took] = await timed(() => memory.add(texts[singles++]!, { userId: 'u', infer: false, metadata: { topic: 'common' } }))
    single.push(took)
  }
  const live = size + single.length * (rows.length + 1)
  // Hybrid search (the default), warmed up on the first queries.
  for (const q of queryTexts.slice(0, 10)) await memory.search(q, { userId: 'u', topK: 10 })
  const hybrid: number[] = []
  for (const q of queryTexts) hybrid.push((await timed(() => memory.search(q, { userId: 'u', topK: 10 })))[1])
  const rss = process.memoryUsage().rss
  await memory.close()
  // Cold reload: a new Memory over the same storage, open → first search (semantic-only store).
  const semanticMemory = open(false)
  const [, coldReloadMs] = await timed(() => semanticMemory.search(queryTexts[0]!, { userId: 'u', topK: 10 }))
  // Exact reference over exactly the stored vectors.
  const stored = [...Array.from({ length: size }, (_, i) => i), ...Array.from({ length: singles - max }, (_, i) => max + i)]
  const storedTexts = stored.map((i) => texts[i]!)
  const exact = new FlatScan(stored.map((i) => vectors[i]!))
  let found = 0
  const semantic: number[] = []
  for (const [i, q] of queryTexts.entries()) {
    const [result, took] = await timed(() => semanticMemory.search(q, { userId: 'u', topK: 10 }))
    semantic.push(took)
    const truth = new Set(exact.search(queryVectors[i]!, 10).map((row) => storedTexts[row]))
    for (const r of result.results) if (truth.has(r.memory)) found++
  }
  const filtered: number[] = []
  for (const q of queryTexts) {
    filtered.push((await timed(() => semanticMemory.search(q, { userId: 'u', topK: 10, filters: { topic: 'common' } })))[1])
  }
  await semanticMemory.close()
  memory = open(true)
  const row: Row = {
    size,
    fillPerSecond,
    maxBatchAddMs: Math.max(...batchTimes),
    singleAdd: withMax(single),
    hybrid: withMax(hybrid),
    semantic: withMax(semantic),
    filtered: withMax(filtered),
    recall: found / (10 * QUERIES),
    coldReloadMs,
    rssBytesPerMemory: (rss - rssBase) / live,
  }
  rows.push(row)
  console.log(JSON.stringify(row))
}
await memory.close()

const n = (v: number) => v.toLocaleString('en')
const table = [
  '| memories in scope | fill rate (batches of 500) | longest batch add | single add p50 / max | hybrid p50 / max | semantic p50 / max | filtered p50 / max | recall@10 (semantic) | cold reload (open → first search) | RSS / memory |',
  '|---|---|---|---|---|---|---|---|---|---|',
  ...rows.map(
    (r) =>
      `| ${n(r.size)} | ${n(Math.round(r.fillPerSecond))} / s | ${ms(r.maxBatchAddMs)} ms | ${ms(r.singleAdd.p50)} / ${ms(r.singleAdd.max)} ms | ${ms(r.hybrid.p50)} / ${ms(r.hybrid.max)} ms | ${ms(r.semantic.p50)} / ${ms(r.semantic.max)} ms | ${ms(r.filtered.p50)} / ${ms(r.filtered.max)} ms | ${r.recall.toFixed(3)} | ${ms(r.coldReloadMs)} ms | ${n(Math.round(r.rssBytesPerMemory))} B |`,
  ),
].join('\n')

const report = (anchor: string) =>
  writeSection(
    'Scale: one scope to 100k memories',
    `\`npm run bench:scale\` (bench/scale.bench.ts). One user's scope grown through the public API: default \`hnsw\`
store (its search plan: exact below 5,000 memories, sign-bit first pass with 640 rows rescored in float32 above;
no graph), memory storage, 384-d clustered low-rank vectors served by a precomputed embedder (embedding
excluded), history off. Fill: \`add\` of 500 messages with \`infer: false\`; then ${SINGLE_ADDS} single adds and
${QUERIES} searches (top 10) at each size. Semantic and filtered searches run on a second \`Memory\` with
\`hybrid: false\` opened over the same storage after \`close()\`; its first search is the cold reload. Recall@10
against an exact float32 scan of the same vectors. RSS / memory: resident set growth since start divided by
the memories stored (includes the benchmark's own copies of the vectors and texts, about 1.6 KB per memory).

${table}
${anchor ? `\nAnchor in the same run (the index alone, no memory layer):\n\n| index | vectors | insert rate | search p50 | recall@10 |\n|---|---|---|---|---|\n${anchor}\n` : ''}`,
  )

// Written before the anchor too, so a run stopped during the native build still leaves the store's numbers.
await report('')

if (ANCHORS) {
  const native = nativeHnsw({ m: 16, efConstruction: 200, seed: 100 })
  const data = vectors.slice(0, max)
  await native.build(data)
  native.setEf(200)
  const exact = new FlatScan(data)
  const times: number[] = []
  let found = 0
  for (const q of queryVectors) {
    const prepared = native.prepareQuery!(q)
    const started = performance.now()
    const got = native.search(prepared as never, 10)
    times.push(performance.now() - started)
    const truth = new Set(exact.search(q, 10))
    for (const slot of Array.from(got)) if (truth.has(slot)) found++
  }
  const s = summarize(times)
  const anchor = `| hnswlib-node 3.0 (native, M 16, efConstruction 200, ef 200), index only | ${max.toLocaleString('en')} | ${Math.round((max / native.buildMs!()) * 1000)} / s (graph build) | ${ms(s.p50)} ms | ${(found / (10 * QUERIES)).toFixed(3)} |`
  native.dispose()
  console.log(anchor)
  await report(anchor)
}
