/**
 * npm run bench:portable — Memory.export and Memory.import of N memories (default 20000, BENCH_N) with
 * their vectors and history, between two flat stores on memory storage: time, rate and the heap held,
 * which stays flat with N because both directions stream page by page (docs/format.md).
 */
import { decodeJsonLines, encodeJsonLines, Memory, MemoryStorage, type PortableRecord } from '../src/index.ts'
import { HashEmbedder } from '../test/support/hash-embedder.ts'

const N = Number(process.env.BENCH_N ?? 20_000)
const DIMENSIONS = 384
const embedder = Object.assign(new HashEmbedder({ dimensions: DIMENSIONS }), { model: 'hash-384' })
const memory = (): Memory => new Memory({ embedder, vectorStore: { provider: 'flat' }, storage: new MemoryStorage() })

const MiB = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(0)} MiB`
let peak = 0
/** Sampled in the loops: they only await microtasks, so a timer would never run. */
const sample = (): void => {
  peak = Math.max(peak, process.memoryUsage().heapUsed)
}

// The source: N memories of 100 users, written through import (the fastest way in), with history.
const source = memory()
const seedStarted = performance.now()
await source.import(
  (function* (): Generator<PortableRecord> {
    yield { type: 'edgemem-export', version: 1, createdAt: new Date().toISOString() }
    for (let i = 0; i < N; i++) {
      const text = `memory ${i}: user ${i % 100} likes topic ${i % 997} and place ${i % 89}`
      const createdAt = new Date(1_700_000_000_000 + i * 1000).toISOString()
      yield { type: 'memory', id: `m${i}`, memory: text, hash: `h${i}`, userId: `u${i % 100}`, metadata: { n: i }, createdAt }
      yield { type: 'history', id: `h${i}`, memoryId: `m${i}`, event: 'ADD', previousValue: null, newValue: text, createdAt }
    }
  })(),
  { batchSize: 500 },
)
const seedMs = performance.now() - seedStarted

// Export to JSON Lines text chunks (as a file would receive them), then import into another Memory.
peak = 0
let bytes = 0
const chunks: string[] = []
const exportStarted = performance.now()
for await (const line of encodeJsonLines(source.export({ vectors: true }))) {
  bytes += line.length
  chunks.push(line)
  if (chunks.length % 1000 === 0) sample()
}
const exportMs = performance.now() - exportStarted
const exportPeak = peak

const target = memory()
peak = 0
const importStarted = performance.now()
const result = await target.import(decodeJsonLines(chunks), { batchSize: 500, onProgress: sample })
const importMs = performance.now() - importStarted
const importPeak = peak

const rate = (ms: number): string => `${Math.round(N / (ms / 1000)).toLocaleString('en')} memories/s`
console.log(`portable: ${N} memories (${DIMENSIONS}-d vectors, history), ${MiB(bytes)} of JSON Lines`)
console.log(`  seed (import without vectors, embedding): ${(seedMs / 1000).toFixed(1)} s, ${rate(seedMs)}`)
console.log(
  `  export with vectors: ${(exportMs / 1000).toFixed(1)} s, ${rate(exportMs)} (heap peak ${MiB(exportPeak)}, the lines kept by this bench included)`,
)
console.log(
  `  import reusing vectors: ${(importMs / 1000).toFixed(1)} s, ${rate(importMs)} (heap peak ${MiB(importPeak)}); ${JSON.stringify(result)}`,
)
await source.close()
await target.close()
