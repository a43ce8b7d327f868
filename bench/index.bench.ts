/**
 * npm run bench:index — the hnsw AnnIndex against hnswlib-node (native reference), hnswlib-wasm 0.8.2
 * (node only) and an exact typed-array scan, side by side in one process on the same low-rank 384-d
 * vectors (test/support/low-rank-vectors.ts: clustered points near a rank-32 subspace, like sentence
 * embeddings). Reports build time, QPS and recall@10 at several ef, and serialized bytes per vector,
 * and writes the "Index" section of BENCHMARKS.md.
 *
 *   node bench/index.bench.ts [--sizes=10000,100000] [--queries=200] [--passes=5] [--skip=wasm082,native] [--no-write]
 */
import { loadavg } from 'node:os'
import { lowRankVectors, recallAt } from '../test/support/low-rank-vectors.ts'
import { type Contender, edgememHnsw, FlatScan, hnswlibWasm082, nativeHnsw } from './index-contenders.ts'
import { writeSection } from './report.ts'

const arg = (name: string, fallback: string): string =>
  process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback
const SIZES = arg('sizes', '10000,100000').split(',').map(Number)
const QUERIES = Number(arg('queries', '200'))
const SKIP = new Set(arg('skip', '').split(',').filter(Boolean))
const EFS = [50, 100, 200]
const K = 10
const DIM = 384
const PARAMS = { m: 16, efConstruction: 200, seed: 100 }
/** 200 topics near a rank-32 subspace with 5% noise; the tests use fewer, broader clusters (harder). */
const DATA = { rank: 32, clusters: 200, noise: 0.05 }

interface Row {
  size: number
  name: string
  buildS?: number
  qps: Record<number, number>
  recall: Record<number, number>
  bytesPerVector?: number
  reloadMs?: number
}

const PASSES = Number(arg('passes', '5'))

/** Milliseconds of one pass over all queries, and the results. */
function timePass<Q>(queries: Q[], search: (q: Q) => ArrayLike<number>): { ms: number; results: ArrayLike<number>[] } {
  const started = performance.now()
  const results = queries.map(search)
  return { ms: performance.now() - started, results }
}

const meanRecall = (results: ArrayLike<number>[], truth: number[][]): number =>
  results.reduce((sum, r, i) => sum + recallAt(r, truth[i]!), 0) / results.length

async function contenders(): Promise<Contender[]> {
  const list: Contender[] = []
  if (!SKIP.has('native')) list.push(nativeHnsw(PARAMS))
  if (!SKIP.has('edgemem')) list.push(edgememHnsw(PARAMS))
  if (!SKIP.has('wasm082')) list.push(await hnswlibWasm082(PARAMS))
  return list
}

async function benchSize(size: number): Promise<Row[]> {
  console.log(`\n${size} vectors, ${DIM}-d, ${QUERIES} queries, k=${K}, M=${PARAMS.m}, efConstruction=${PARAMS.efConstruction}`)
  const vectors = lowRankVectors({ count: size, dimensions: DIM, seed: 31, ...DATA })
  const queries = lowRankVectors({ count: QUERIES, dimensions: DIM, seed: 32, ...DATA })
  const flat = new FlatScan(vectors)
  const exact = timePass(queries, (q) => flat.search(q, K))
  const flatMs = Math.min(exact.ms, timePass(queries, (q) => flat.search(q, K)).ms)
  const truth = exact.results.map((r) => Array.from(r))
  const rows: Row[] = [{ size, name: flat.name, qps: { 0: (QUERIES / flatMs) * 1000 }, recall: { 0: 1 }, bytesPerVector: DIM * 4 }]
  console.log(`  ${flat.name}: ${rows[0]!.qps[0]!.toFixed(0)} QPS`)

  const built: { contender: Contender; row: Row; queries: never[] }[] = []
  for (const contender of await contenders()) {
    const started = performance.now()
    await contender.build(vectors)
    const buildMs = contender.buildMs?.() ?? performance.now() - started
    console.log(`  ${contender.name}: built in ${(buildMs / 1000).toFixed(1)} s`)
    const prepared = queries.map((q) => (contender.prepareQuery ? contender.prepareQuery(q) : q)) as never[]
    built.push({ contender, row: { size, name: contender.name, buildS: buildMs / 1000, qps: {}, recall: {} }, queries: prepared })
  }
  // Passes alternate between the indexes so that noise from other work on the shared cores hits all of
  // them alike; each keeps its fastest pass. The first pass per ef is an untimed warm-up (JIT, wasm tier-up).
  for (const ef of EFS) {
    const bestMs = built.map(() => Number.POSITIVE_INFINITY)
    for (let pass = 0; pass <= PASSES; pass++) {
      built.forEach(({ contender, row, queries: prepared }, i) => {
        contender.setEf(ef)
        const run = timePass(prepared, (q) => contender.search(q, K))
        if (pass === 0) row.recall[ef] = meanRecall(run.results, truth)
        else bestMs[i] = Math.min(bestMs[i]!, run.ms)
      })
    }
    built.forEach(({ row }, i) => {
      row.qps[ef] = (QUERIES / bestMs[i]!) * 1000
    })
  }
  for (const { contender, row } of built) {
    const bytes = contender.serializedBytes()
    if (bytes !== undefined) row.bytesPerVector = bytes / size
    row.reloadMs = await contender.reloadMs()
    contender.dispose()
    console.log(
      `  ${contender.name}: ` +
        EFS.map((ef) => `ef ${ef}: ${row.qps[ef]!.toFixed(0)} QPS, recall ${row.recall[ef]!.toFixed(3)}`).join('; ') +
        (row.bytesPerVector ? `; ${row.bytesPerVector.toFixed(0)} B/vector` : '') +
        (row.reloadMs !== undefined ? `; reload ${row.reloadMs.toFixed(0)} ms` : ''),
    )
    rows.push(row)
  }
  return rows
}

function table(rows: Row[]): string {
  const head = `| vectors | index | build | ${EFS.map((ef) => `QPS / recall@10 at ef ${ef}`).join(' | ')} | serialized bytes/vector | reload (best of 3) |`
  const sep = `|${' --- |'.repeat(5 + EFS.length)}`
  const lines = rows.map((r) => {
    const cells =
      r.buildS === undefined
        ? EFS.map((_, i) => (i === 0 ? `${r.qps[0]!.toFixed(0)} / 1.000 (exact)` : '″'))
        : EFS.map((ef) => `${r.qps[ef]!.toFixed(0)} / ${r.recall[ef]!.toFixed(3)}`)
    return `| ${r.size.toLocaleString('en-US')} | ${r.name} | ${r.buildS === undefined ? '–' : `${r.buildS.toFixed(1)} s`} | ${cells.join(' | ')} | ${r.bytesPerVector?.toFixed(0) ?? 'n/a'} | ${r.reloadMs === undefined ? 'n/a' : `${r.reloadMs.toFixed(0)} ms`} |`
  })
  return [head, sep, ...lines].join('\n')
}

function ratios(rows: Row[]): string {
  const out: string[] = []
  for (const size of SIZES) {
    const native = rows.find((r) => r.size === size && r.name.startsWith('hnswlib-node'))
    const ours = rows.find((r) => r.size === size && r.name.startsWith('edgemem'))
    if (!native || !ours) continue
    out.push(
      `${size.toLocaleString('en-US')}: ` +
        EFS.map((ef) => `ef ${ef} ${(ours.qps[ef]! / native.qps[ef]!).toFixed(2)}x`).join(', ') +
        `; build ${(native.buildS! / ours.buildS!).toFixed(2)}x native speed`,
    )
  }
  return out.join('  \n')
}

const NOTES = `How: edgemem's build-time patch replaces hnswlib's scalar inner-product loop in the wasm with a SIMD
one (4 x f32x4 accumulators), and vectors are copied into the wasm heap with one typed-array set (about 0.1 us
per 384-d vector) instead of the bindings' per-element VectorFloat.push_back (120-430 us measured here), which
is most of the gap to hnswlib-wasm 0.8.2 as published. What remains between this index and native hnswlib
(docs/hnsw.md, "Performance"): the graph traversal itself runs as 32-bit wasm without prefetch or AVX; each
query crosses embind once and gets its result back as JS arrays built through emval calls (about 10 us),
which weighs most at small ef; the published build keeps emscripten ASSERTIONS in its JS glue. A rebuild with
-msimd128 -O3 -DNDEBUG -sASSERTIONS=0 and a pointer-based search entry point would address these; it needs
emscripten at build time. hnswlib-wasm 0.8.2 has no serialization here (its writeIndex needs IndexedDB).`

const load = loadavg()[0]!.toFixed(2)
const rows: Row[] = []
for (const size of SIZES) rows.push(...(await benchSize(size)))
const body = `\`npm run bench:index\` (bench/index.bench.ts). One process, single thread, the same low-rank clustered
384-d unit vectors for every index (test/support/low-rank-vectors.ts: ${DATA.clusters} clusters near a rank-${DATA.rank}
subspace, ${DATA.noise * 100}% noise), ${QUERIES} queries, k = ${K}, inner product,
M = ${PARAMS.m}, efConstruction = ${PARAMS.efConstruction}, level seed ${PARAMS.seed}; vectors added one at a time.
QPS is the fastest of ${PASSES} timed passes over the queries, alternating between the indexes, after an untimed
warm-up pass. Recall@10 is against the exact scan. Load average when the run started: ${load} (2 shared cores: absolute
numbers move with other work on the machine; the ratios within one run are the comparison).

${table(rows)}

edgemem hnsw QPS relative to native hnswlib-node at the same ef (equal graphs, so equal recall up to float
rounding):  
${ratios(rows)}

${NOTES}`
console.log(`\n${body}`)
if (!process.argv.includes('--no-write')) {
  await writeSection('Index', body)
  console.log('\nBENCHMARKS.md: section "Index" written')
}
