/**
 * npm run bench:graph — graph memory's costs (docs/graph.md), short:
 *  1. add with graph memory off vs on (infer: true; the LLM is an in-process script answering at once, so
 *     LLM time is excluded and what remains is edgemem's own work: reconcile search, embeddings of the
 *     facts and entity names, the graph write);
 *  2. search with relations at 1k and 10k relations in the scope, p50/p95, beside search without a graph;
 *  3. stored bytes per relation in the key-value storage (log + snapshot as written).
 * Embedder: the 384-dimension hash embedder of the tests (no model time). `--no-write` prints only.
 */
import type { LLM, LLMRequest } from '../src/index.ts'
import { LocalGraphStore } from '../src/entries/graph.ts'
import { Memory, MemoryStorage } from '../src/index.ts'
import { HashEmbedder } from '../test/support/hash-embedder.ts'
import { ms, summarize, timeEach, writeSection } from './report.ts'

const ADDS = 120
const QUERIES = 100
const SIZES = [1000, 10_000]

/** Answers every extraction at once: two facts, three entities, two relations, named after the call's number. */
class InstantLLM implements LLM {
  private calls = 0
  async complete(_request: LLMRequest): Promise<string> {
    const n = this.calls++
    return JSON.stringify({
      operations: [
        { event: 'ADD', text: `Person ${n} works at Company ${n % 17}` },
        { event: 'ADD', text: `Person ${n} lives in City ${n % 11}` },
      ],
      entities: [{ name: `Person ${n}`, type: 'person' }, { name: `Company ${n % 17}` }, { name: `City ${n % 11}` }],
      relations: [
        { source: `Person ${n}`, relationship: 'works_at', target: `Company ${n % 17}` },
        { source: `Person ${n}`, relationship: 'lives_in', target: `City ${n % 11}` },
      ],
      contradicted: [],
    })
  }
}

function memory(storage: MemoryStorage, graph: boolean): Memory {
  return new Memory({
    embedder: new HashEmbedder(),
    vectorStore: { provider: 'flat' },
    storage,
    llm: new InstantLLM(),
    history: { enabled: false },
    ...(graph ? { graphStore: { provider: 'local' as const } } : {}),
  })
}

async function addTimes(graph: boolean): Promise<ReturnType<typeof summarize>> {
  const m = memory(new MemoryStorage(), graph)
  await m.ready()
  const times = await timeEach(ADDS, (i) => m.add(`Person ${i} told me about their job and their city.`, { userId: 'u' }))
  await m.close()
  return summarize(times.slice(10)) // the first calls warm up
}

async function storedBytes(storage: MemoryStorage, prefix: string): Promise<number> {
  let total = 0
  for (const key of await storage.list(prefix)) total += (await storage.get(key))?.byteLength ?? 0
  return total
}

/** A scope with `relations` relations among relations/4 entities, learnt from 200 memories; then searches. */
async function searchAt(
  relations: number,
): Promise<{ off: ReturnType<typeof summarize>; on: ReturnType<typeof summarize>; bytes: number; returned: number }> {
  const storage = new MemoryStorage()
  const embedder = new HashEmbedder()
  const m = new Memory({
    embedder,
    vectorStore: { provider: 'flat' },
    storage,
    history: { enabled: false },
    graphStore: { provider: 'local' },
  })
  const plain = new Memory({ embedder, vectorStore: { provider: 'flat' }, storage, history: { enabled: false } })
  const texts = Array.from({ length: 200 }, (_, i) => `Note ${i}: Person ${i % 50} met Person ${(i * 7) % 50} about Topic ${i % 23}.`)
  const { results } = await plain.add(
    texts.map((content) => ({ role: 'user', content })),
    { userId: 'u', infer: false },
  )
  const ids = results.map((r) => r.id)
  const graph = new LocalGraphStore({ storage, collection: 'memories' })
  const entities = Math.max(10, relations / 4)
  const names = Array.from({ length: entities }, (_, i) => `Entity ${i}`)
  const vectors = await embedder.embed(names)
  for (let start = 0; start < relations; start += 250) {
    const batch = Array.from({ length: Math.min(250, relations - start) }, (_, j) => {
      const i = start + j
      return {
        source: names[i % entities]!,
        relationship: ['knows', 'works_with', 'likes', 'visited'][i % 4]!,
        target: names[(i * 31 + 7) % entities]!,
        memoryIds: [ids[i % ids.length]!],
        validFrom: new Date(Date.UTC(2026, 0, 1) + i * 60_000).toISOString(),
      }
    })
    const used = [...new Set(batch.flatMap((r) => [r.source, r.target]))]
    await graph.apply({
      scope: { user_id: 'u' },
      entities: used.map((name) => ({ name, embedding: Float32Array.from(vectors[names.indexOf(name)]!), memoryIds: [] })),
      relations: batch,
      invalidate: [],
    })
  }
  const bytes = (await storedBytes(storage, 'memories/graph/')) / relations
  const query = (i: number): string => `What do Entity ${(i * 13) % entities} and Entity ${(i * 17 + 3) % entities} have in common?`
  await m.search(query(0), { userId: 'u' }) // loads the graph partition
  let returned = 0
  const on = await timeEach(QUERIES, async (i) => {
    returned += (await m.search(query(i), { userId: 'u' })).relations!.length
  })
  const off = await timeEach(QUERIES, (i) => plain.search(query(i), { userId: 'u' }))
  await m.close()
  await plain.close()
  return { off: summarize(off), on: summarize(on), bytes, returned: returned / QUERIES }
}

const addOff = await addTimes(false)
const addOn = await addTimes(true)
console.log(`add p50/p95: graph off ${ms(addOff.p50)}/${ms(addOff.p95)} ms, on ${ms(addOn.p50)}/${ms(addOn.p95)} ms`)
const rows: string[] = []
for (const size of SIZES) {
  const r = await searchAt(size)
  console.log(
    `${size} relations: search off ${ms(r.off.p50)}/${ms(r.off.p95)} ms, with relations ${ms(r.on.p50)}/${ms(r.on.p95)} ms, ${r.bytes.toFixed(0)} B/relation, ${r.returned.toFixed(1)} relations returned`,
  )
  rows.push(
    `| ${size.toLocaleString('en')} | ${ms(r.off.p50)} / ${ms(r.off.p95)} ms | ${ms(r.on.p50)} / ${ms(r.on.p95)} ms | ${r.returned.toFixed(1)} | ${r.bytes.toFixed(0)} B |`,
  )
}

if (!process.argv.includes('--no-write')) {
  await writeSection(
    'Graph memory',
    `\`npm run bench:graph\` (bench/graph.bench.ts): \`graphStore: local\` over \`memory\` storage, \`flat\` vector store, the
384-dimension hash embedder of the tests (no model time).

add (infer: true, ${ADDS} calls, 2 facts + 3 entities + 2 relations each; the LLM answers in-process at once,
so LLM time is excluded), p50 / p95:

| graph memory | add p50 | add p95 |
|---|---|---|
| off | ${ms(addOff.p50)} ms | ${ms(addOff.p95)} ms |
| on | ${ms(addOn.p50)} ms | ${ms(addOn.p95)} ms |

search (${QUERIES} queries naming two entities, topK 10) in a scope of 200 memories and N relations among N/4
entities; "with relations" includes resolving the query's entities, the 2-hop neighbourhood and ranking;
stored bytes per relation count every key of the graph (log entries and snapshots, entity records with
their 384-dimension name embeddings included):

| relations in scope | search without graph p50 / p95 | search with relations p50 / p95 | relations returned | stored bytes per relation |
|---|---|---|---|---|
${rows.join('\n')}`,
  )
}
