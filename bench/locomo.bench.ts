/**
 * npm run bench:locomo — evidence recall on the LOCOMO development split (../shared/bench/locomo-dev),
 * through the public Memory API, as the split's README prescribes: every session added with one `add`
 * call (infer: false) whose messages are its turns in order, one scope per conversation, session name
 * and date as metadata; each question of categories 1-4 searched in its scope; recall@k = the share of
 * a question's evidence turns in the top k, averaged over questions. Embedder: the WordNet stand-in
 * (local/wordnet-static-384) through the `transformers` provider.
 *
 *   node bench/locomo.bench.ts [--store flat|hnsw] [--rerank] [--no-write]
 *   node bench/locomo.bench.ts --graph [--boost 0.05,0.1] [--no-write]
 *
 * --rerank: hybrid search with and without `rerank: true` through the on-device cross-encoder stand-in
 * (local/wordnet-cross-encoder from scripts/models, via the `transformers` reranker).
 *
 * --graph measures graph memory's entity-overlap signal instead (docs/graph.md): hybrid search without a
 * graph store against `graphStore: local` (LLM-free entity linking at add) for each entityBoost given.
 */
import { readFile, readdir } from 'node:fs/promises'
import { Memory, MemoryStorage, providerNames, type MemoryConfig } from '../src/index.ts'
import '../src/providers/transformers/index.ts'
import { CROSS_ENCODER_MODEL, modelsDir } from '../test/support/models.ts'
import { sharedDir, sharedModelsDir } from './shared-dir.ts'
import { ms, summarize, writeSection } from './report.ts'

const DATA_DIR = new URL(`file://${sharedDir()}bench/locomo-dev/`)
const SHARED_MODELS = sharedModelsDir()
const KS = [5, 10, 20] as const
const args = process.argv.slice(2)
const storeArg = args.includes('--store') ? args[args.indexOf('--store') + 1] : undefined
if (storeArg !== undefined && storeArg !== 'flat' && storeArg !== 'hnsw') throw new Error(`--store must be flat or hnsw, got ${storeArg}`)
const store: 'flat' | 'hnsw' = storeArg ?? (providerNames('vectorStore').includes('hnsw') ? 'hnsw' : 'flat')

interface Turn {
  speaker: string
  dia_id: string
  text: string
  blip_caption?: string
}
interface Conversation {
  name: string
  sessions: { name: string; date: string; turns: Turn[] }[]
  questions: { question: string; evidence: string[]; category: number }[]
}

async function loadConversations(): Promise<Conversation[]> {
  const files = (await readdir(DATA_DIR)).filter((f) => f.endsWith('.json')).sort()
  return Promise.all(
    files.map(async (file) => {
      const data = JSON.parse(await readFile(new URL(file, DATA_DIR), 'utf8')) as Record<string, unknown>
      const sessions: Conversation['sessions'] = []
      for (let n = 1; Array.isArray(data[`session_${n}`]); n++) {
        sessions.push({ name: `session_${n}`, date: String(data[`session_${n}_date_time`]), turns: data[`session_${n}`] as Turn[] })
      }
      const qa = data.qa as { question: string; evidence?: string[]; category: number }[]
      const questions = qa.filter((q) => q.category >= 1 && q.category <= 4 && (q.evidence?.length ?? 0) > 0) as Conversation['questions']
      return { name: file.replace(/\.json$/, ''), sessions, questions }
    }),
  )
}

/** How the split's README stores a turn. */
const turnText = (t: Turn): string => `${t.speaker}: ${t.text}${t.blip_caption ? ` [shares ${t.blip_caption}]` : ''}`

interface Variant {
  label: string
  hybrid: false | { keywordWeight?: number }
  rerank?: boolean
  /** Graph memory on with this entity boost. */
  entityBoost?: number
}

interface Result {
  label: string
  recall: Map<string, number[]>
  counts: Map<string, number>
  latency: ReturnType<typeof summarize>
  questions: number
  /** Time spent in add (all conversations). */
  addMs: number
}

async function run(conversations: Conversation[], variant: Variant): Promise<Result> {
  const config: MemoryConfig = {
    embedder: {
      provider: 'transformers',
      config: { model: 'local/wordnet-static-384', dtype: 'q8', localModelPath: SHARED_MODELS, allowRemoteModels: false },
    },
    vectorStore: { provider: store, config: { hybrid: variant.hybrid } },
    storage: new MemoryStorage(),
    history: { enabled: false },
    ...(variant.rerank
      ? {
          reranker: {
            provider: 'transformers',
            config: { model: CROSS_ENCODER_MODEL, localModelPath: modelsDir(), allowRemoteModels: false },
          },
        }
      : {}),
  }
  if (variant.entityBoost !== undefined) {
    config.graphStore = { provider: 'local' }
    config.graph = { entityBoost: variant.entityBoost }
  }
  const memory = new Memory(config)
  const recall = new Map<string, number[]>()
  const counts = new Map<string, number>()
  const latencies: number[] = []
  let addMs = 0
  for (const conversation of conversations) {
    const userId = `locomo-${conversation.name}`
    for (const session of conversation.sessions) {
      const messages = session.turns.map((t) => ({ role: 'user', content: turnText(t) }))
      const started = performance.now()
      await memory.add(messages, { userId, infer: false, metadata: { session: session.name, date: session.date } })
      addMs += performance.now() - started
    }
    // Identical turns are stored once (content-hash dedup): that memory stands for all their dia_ids.
    const diaIdsByText = new Map<string, string[]>()
    for (const session of conversation.sessions) {
      for (const t of session.turns) diaIdsByText.set(turnText(t), [...(diaIdsByText.get(turnText(t)) ?? []), t.dia_id])
    }
    for (const q of conversation.questions) {
      const started = performance.now()
      const { results } = await memory.search(q.question, { userId, topK: KS[KS.length - 1], ...(variant.rerank ? { rerank: true } : {}) })
      latencies.push(performance.now() - started)
      for (const key of ['all', `category ${q.category}`]) {
        const sums = recall.get(key) ?? KS.map(() => 0)
        KS.forEach((k, i) => {
          const top = new Set(results.slice(0, k).flatMap((r) => diaIdsByText.get(r.memory) ?? []))
          sums[i]! += q.evidence.filter((e) => top.has(e)).length / q.evidence.length
        })
        recall.set(key, sums)
        counts.set(key, (counts.get(key) ?? 0) + 1)
      }
    }
  }
  await memory.close()
  return { label: variant.label, recall, counts, latency: summarize(latencies), questions: counts.get('all') ?? 0, addMs }
}

const conversations = await loadConversations()
const reranking = args.includes('--rerank')
const graphMode = args.includes('--graph')
const boosts = args.includes('--boost') ? args[args.indexOf('--boost') + 1]!.split(',').map(Number) : [0.1]
const variants: Variant[] = reranking
  ? [
      { label: 'hybrid (default)', hybrid: {} },
      { label: '**hybrid + `rerank: true`** (cross-encoder stand-in)', hybrid: {}, rerank: true },
    ]
  : graphMode
    ? [
        { label: 'hybrid, no graph store', hybrid: {} },
        ...boosts.map((b) => ({ label: `hybrid + graph, entityBoost ${b}`, hybrid: {}, entityBoost: b })),
      ]
    : [
        { label: 'semantic only (`hybrid: false`)', hybrid: false },
        { label: 'keyword only (`keywordWeight: 1`)', hybrid: { keywordWeight: 1 } },
        { label: '**hybrid (default)**', hybrid: {} },
      ]
const results: Result[] = []
for (const variant of variants) {
  const result = await run(conversations, variant)
  results.push(result)
  const all = result.recall.get('all')!.map((s) => (s / result.questions).toFixed(3))
  console.log(`${variant.label}: R@5/10/20 ${all.join(' / ')}  search p50 ${ms(result.latency.p50)} ms  add ${ms(result.addMs)} ms`)
  if (graphMode) {
    for (const key of ['category 1', 'category 2', 'category 3', 'category 4']) {
      console.log(`  ${key}: ${[0, 1, 2].map((i) => (result.recall.get(key)![i]! / result.counts.get(key)!).toFixed(3)).join(' / ')}`)
    }
  }
}

const keys = ['all', 'category 1', 'category 2', 'category 3', 'category 4']
const rate = (r: Result, key: string, i: number): string => (r.recall.get(key)![i]! / r.counts.get(key)!).toFixed(3)
const overall = [
  '| method | R@5 | R@10 | R@20 | search p50 | search p95 |',
  '|---|---|---|---|---|---|',
  ...results.map(
    (r) =>
      `| ${r.label} | ${rate(r, 'all', 0)} | ${rate(r, 'all', 1)} | ${rate(r, 'all', 2)} | ${ms(r.latency.p50)} ms | ${ms(r.latency.p95)} ms |`,
  ),
].join('\n')
const hybrid = results[results.length - 1]!
const perCategory = [
  '| category | questions | R@5 | R@10 | R@20 |',
  '|---|---|---|---|---|',
  ...keys.map(
    (key) => `| ${key} | ${hybrid.counts.get(key)} | ${rate(hybrid, key, 0)} | ${rate(hybrid, key, 1)} | ${rate(hybrid, key, 2)} |`,
  ),
].join('\n')

const perCategoryAll = [
  `| method | ${keys.map((k) => `${k} R@5 / R@10 / R@20`).join(' | ')} |`,
  `|---|${keys.map(() => '---').join('|')}|`,
  ...results.map((r) => `| ${r.label} | ${keys.map((k) => [0, 1, 2].map((i) => rate(r, k, i)).join(' / ')).join(' | ')} |`),
].join('\n')

if (reranking && !args.includes('--no-write')) {
  await writeSection(
    'Retrieval: LOCOMO with reranking',
    `\`node bench/locomo.bench.ts --rerank\` on the same split, embedder and store (\`${store}\`): hybrid search, then the
same searches with \`rerank: true\` (top 20 asked, so 60 candidates re-scored per question) through the
\`transformers\` reranker with the **cross-encoder stand-in** \`local/wordnet-cross-encoder\` (scripts/models: the
pair is read as one sequence, split by token_type_ids, and scored by the cosine of the segments' mean WordNet
vectors; no attention between query and document, no training). No real cross-encoder weights are reachable
here (no model hub): these numbers measure the plumbing and its latency cost, not what a trained
cross-encoder (e.g. Xenova/ms-marco-MiniLM-L-6-v2, the reranker's default) would give.
The stand-in is a dense-only lexical scorer, weaker than the hybrid (BM25 + semantic) order it replaces, so
here reranking lowers recall; the table shows the reranker's latency cost (tokenising and scoring 60 pairs).

${overall}`,
  )
} else if (graphMode && !args.includes('--no-write')) {
  await writeSection(
    'Retrieval: LOCOMO with graph memory',
    `\`node bench/locomo.bench.ts --graph --boost ${boosts.join(',')}\` on ../shared/bench/locomo-dev (${hybrid.questions} questions),
as in "Retrieval: LOCOMO" (hybrid search, \`${store}\`), without a graph store and with \`graphStore: local\`: every
turn's names and noun phrases linked as entities at add (infer: false, \`compromise\`), and memories sharing the
question's entities boosted by \`entityBoost\` × their entity overlap (docs/graph.md). Add time includes linking.

| method | R@5 | R@10 | R@20 | search p50 | search p95 | add (all sessions) |
|---|---|---|---|---|---|---|
${results.map((r) => `| ${r.label} | ${rate(r, 'all', 0)} | ${rate(r, 'all', 1)} | ${rate(r, 'all', 2)} | ${ms(r.latency.p50)} ms | ${ms(r.latency.p95)} ms | ${ms(r.addMs)} ms |`).join('\n')}

Per category:

${perCategoryAll}`,
  )
} else if (!args.includes('--no-write')) {
  await writeSection(
    'Retrieval: LOCOMO',
    `\`npm run bench:locomo\` (bench/locomo.bench.ts) on ../shared/bench/locomo-dev (5 conversations, ${hybrid.questions}
questions of categories 1-4), through the public API: each session one \`add\` (infer: false), one scope per
conversation, every question searched in its scope; evidence recall@k averaged over questions. Embedder
\`local/wordnet-static-384\` (q8) via \`transformers\`; vector store \`${store}\`. Search latency includes
embedding the question.

${overall}

Hybrid (default), per category:

${perCategory}

Reference on the same split and embedder (split README): plain BM25 0.588, dense only 0.474, mem0ai 3.3.1
(its semantic + BM25 search) 0.589 at R@10. Target R@10 ≥ 0.70.`,
  )
}
