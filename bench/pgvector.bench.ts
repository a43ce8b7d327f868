/**
 * npm run bench:pgvector — add (infer: false) and search latency of the Memory API over the `pgvector`
 * store at 10k memories in the searched scope, against the in-process `flat` store in the same run. The
 * Postgres is PGlite (Postgres in WebAssembly, with pgvector) served on 127.0.0.1 by pglite-socket: one
 * loopback round trip per statement, no network; a networked Postgres adds its round-trip time to every
 * statement (an add runs about four: dedup lookup, upsert, history is in memory storage here). Vectors come
 * from a deterministic hash embedder, precomputed before timing.
 */
import { Memory, MemoryStorage, type Embedder } from '../src/index.ts'
import '../adapters/pgvector.ts'
import { HashEmbedder } from '../test/support/hash-embedder.ts'
import { startPgliteServer } from '../test/servers/pglite.ts'
import { ms, summarize, timeEach, writeSection } from './report.ts'

const SIZE = 10_000
const SAMPLES = 100
const DIMS = 384

class PrecomputedEmbedder implements Embedder {
  readonly dimensions = DIMS
  private readonly inner = new HashEmbedder({ dimensions: DIMS })
  private readonly cache = new Map<string, Float32Array>()
  precompute(texts: string[]): void {
    for (const text of texts) this.cache.set(text, this.inner.embedOne(text))
  }
  async embed(texts: string[]): Promise<Float32Array[]> {
    return texts.map((t) => this.cache.get(t) ?? this.inner.embedOne(t))
  }
}

const SUBJECTS = ['hiking', 'jazz', 'sushi', 'chess', 'gardening', 'marathons', 'pottery', 'sailing', 'baking', 'climbing']
const PLACES = ['Oslo', 'Lisbon', 'Kyoto', 'Denver', 'Nairobi', 'Lima', 'Hanoi', 'Quebec']
const sentences = (count: number, seed: number): string[] =>
  Array.from(
    { length: count },
    (_, i) =>
      `Memory ${seed}-${i}: likes ${SUBJECTS[(i * 7 + seed) % SUBJECTS.length]} in ${PLACES[(i * 3 + seed) % PLACES.length]} (${(i * 2654435761) % 9973})`,
  )

interface Row {
  label: string
  fillSeconds: number
  add: ReturnType<typeof summarize>
  search: ReturnType<typeof summarize>
  filtered: ReturnType<typeof summarize>
}

async function measure(label: string, vectorStore: NonNullable<ConstructorParameters<typeof Memory>[0]>['vectorStore']): Promise<Row> {
  const embedder = new PrecomputedEmbedder()
  const corpus = sentences(SIZE, 1)
  const queries = sentences(SAMPLES, 3).map((s) => s.replace(/^Memory \S+ /, ''))
  const newOnes = sentences(SAMPLES, 4)
  embedder.precompute([...corpus, ...queries, ...newOnes])
  const memory = new Memory({ embedder, vectorStore, storage: new MemoryStorage(), history: { enabled: false }, collection: 'bench' })
  const started = performance.now()
  for (let i = 0; i < corpus.length; i += 500) {
    const batch = corpus.slice(i, i + 500).map((content) => ({ role: 'user', content }))
    await memory.add(batch, { userId: 'alice', infer: false, metadata: { topic: i % 1000 === 0 ? 'even' : 'odd', n: i } })
  }
  const fillSeconds = (performance.now() - started) / 1000
  for (const q of queries.slice(0, 10)) await memory.search(q, { userId: 'alice' })
  const search = await timeEach(SAMPLES, (i) => memory.search(queries[i]!, { userId: 'alice', topK: 10 }))
  const filtered = await timeEach(SAMPLES, (i) =>
    memory.search(queries[i]!, { userId: 'alice', topK: 10, filters: { topic: 'odd', n: { gte: 100 } } }),
  )
  const add = await timeEach(SAMPLES, (i) => memory.add(newOnes[i]!, { userId: 'alice', infer: false }))
  await memory.close()
  return { label, fillSeconds, add: summarize(add), search: summarize(search), filtered: summarize(filtered) }
}

const pg = await startPgliteServer()
const rows: Row[] = []
try {
  rows.push(await measure('`flat` (in process), semantic only', { provider: 'flat', config: { hybrid: false } }))
  console.log('measured flat')
  rows.push(
    await measure('`pgvector` (PGlite over loopback, HNSW cosine)', {
      provider: 'pgvector',
      config: { connectionString: pg.connectionString, maxConnections: 1 },
    }),
  )
  console.log('measured pgvector')
} finally {
  await pg.close()
}

const table = [
  '| store, 10,000 memories in scope | fill 10k (20 adds of 500) | add p50 | add p95 | search p50 | search p95 | filtered search p50 | filtered search p95 |',
  '|---|---|---|---|---|---|---|---|',
  ...rows.map(
    (r) =>
      `| ${r.label} | ${r.fillSeconds.toFixed(1)} s | ${ms(r.add.p50)} ms | ${ms(r.add.p95)} ms | ${ms(r.search.p50)} ms | ${ms(r.search.p95)} ms | ${ms(r.filtered.p50)} ms | ${ms(r.filtered.p95)} ms |`,
  ),
].join('\n')
console.log(table)

await writeSection(
  'pgvector: add and search at 10k against the local store',
  `\`npm run bench:pgvector\` (bench/pgvector.bench.ts). Memory API end to end, 384-d vectors (precomputed hash
embeddings), topK 10, ${SAMPLES} samples each, both stores in the same run; history off, memory storage.
"Filtered" adds \`{topic: 'odd', n: {gte: 100}}\` (SQL over JSONB for pgvector). The Postgres is PGlite
(Postgres compiled to WebAssembly, with pgvector, single-threaded) served on 127.0.0.1 by pglite-socket:
a loopback round trip per statement and no network, but also a slower engine than a native Postgres. A
networked Postgres adds its round-trip time to every statement: a search is one transaction (SET LOCAL +
SELECT), an add a content-hash lookup plus an upsert.
Measured on a 2-core machine shared with other jobs. EXPLAIN of the same search on a 3,000-row table
(not ANALYZEd) shows the planner reading the collection's rows through the \`(namespace, hash)\` index and
sorting them by distance (an exact scan), not the HNSW index; whether it does so at 10k was not checked.
Treat the pgvector row as PGlite's cost of an exact scan, not as pgvector's speed on a native server.

${table}`,
)
