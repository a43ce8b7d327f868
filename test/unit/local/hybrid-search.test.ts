import fc from 'fast-check'
import { afterEach, describe, expect, it } from '../../harness.ts'
import { and, eq } from '../../../src/filters/ast.ts'
import { parseFilter } from '../../../src/filters/parse.ts'
import { ConfigError, type Filter, type Json, Memory, MemoryStorage } from '../../../src/index.ts'
import { CONTEXT_WEIGHT, KeywordIndex } from '../../../src/local/keyword-index.ts'
import { LocalVectorStore } from '../../../src/local/local-vector-store.ts'
import { analyze } from '../../../src/local/text-analysis.ts'
import { HashEmbedder } from '../../support/hash-embedder.ts'

describe('text analysis', () => {
  it('lowercases, drops stopwords and possessives, stems, keeps numbers and non-ASCII words', () => {
    expect(analyze("Caroline's hiking trips in 2023: she LOVED the Alps' views! Café naïve")).toEqual([
      'carolin',
      'hike',
      'trip',
      '2023',
      'love',
      'alp',
      'view',
      'café',
      'naïv',
    ])
    expect(analyze('the and of')).toEqual([])
  })
})

/** BM25F written out directly: the index must score exactly like this. */
function referenceBm25(docs: Map<number, string[]>, context: Map<number, number[]>, query: string[]): Map<number, number> {
  const documents = new Map<number, Map<string, number>>()
  const lengths = new Map<number, number>()
  for (const [slot, own] of docs) {
    const doc = new Map<string, number>()
    let length = own.length
    for (const t of own) doc.set(t, (doc.get(t) ?? 0) + 1)
    for (const n of context.get(slot) ?? []) {
      const other = docs.get(n)
      if (!other) continue
      length += CONTEXT_WEIGHT * other.length
      for (const t of other) doc.set(t, (doc.get(t) ?? 0) + CONTEXT_WEIGHT)
    }
    documents.set(slot, doc)
    lengths.set(slot, length)
  }
  const average = [...lengths.values()].reduce((a, b) => a + b, 0) / documents.size
  const scores = new Map<number, number>()
  for (const term of new Set(query)) {
    const df = [...documents.values()].filter((d) => d.has(term)).length
    if (df === 0) continue
    const idf = Math.log(1 + (documents.size - df + 0.5) / (df + 0.5))
    for (const [slot, doc] of documents) {
      const tf = doc.get(term)
      if (!tf) continue
      scores.set(slot, (scores.get(slot) ?? 0) + (idf * tf * 2.2) / (tf + 1.2 * (0.25 + (0.75 * lengths.get(slot)!) / average)))
    }
  }
  return scores
}

describe('keyword index', () => {
  const texts = [
    'Caroline went hiking in the Alps last summer',
    'Melanie paints sunsets and sunrises',
    'Caroline adopted a dog from the shelter',
    'The shelter needs volunteers for the dog walks',
    'Melanie ran a charity race for the shelter',
    'Caroline is researching adoption agencies',
  ]
  const own = new Map(texts.map((t, i) => [i, analyze(t)]))
  const neighbours = (slot: number): number[] => (slot < 3 ? [0, 1, 2] : [3, 4, 5]).filter((s) => s !== slot && Math.abs(s - slot) <= 2)

  function build(): KeywordIndex {
    const index = new KeywordIndex()
    for (const [slot, terms] of own) index.setOwn(slot, terms)
    index.refresh(own.keys(), neighbours)
    return index
  }

  it('scores exactly like BM25F with a low-weight context field', () => {
    const index = build()
    const context = new Map([...own.keys()].map((s) => [s, neighbours(s)]))
    for (const query of ['caroline dog', 'shelter volunteers', 'melanie sunrise race', 'adoption', 'unknown words']) {
      const expected = referenceBm25(own, context, analyze(query))
      const hits = index.search(analyze(query), 10, () => true)
      expect(new Map(hits.map((h) => [h.slot, h.score])).size).toBe(expected.size)
      for (const hit of hits) expect(hit.score).toBeCloseTo(expected.get(hit.slot)!, 5)
      for (let i = 1; i < hits.length; i++) expect(hits[i - 1]!.score).toBeGreaterThanOrEqual(hits[i]!.score)
    }
  })

  it('lets context words find a memory that does not contain them itself', () => {
    const hits = build().search(analyze('volunteers'), 10, () => true)
    expect(hits[0]!.slot).toBe(3)
    expect(hits.map((h) => h.slot)).toEqual(expect.arrayContaining([4, 5]))
  })

  it('applies the filter and the limit, best first', () => {
    const index = build()
    expect(index.search(analyze('shelter'), 10, (slot) => slot !== 3).map((h) => h.slot)).not.toContain(3)
    expect(index.search(analyze('shelter caroline'), 2, () => true)).toHaveLength(2)
  })

  it('stays exact across removals and re-additions, and after serialize/restore', () => {
    const index = build()
    index.clearOwn(2)
    index.refresh([2, 0, 1], (s) => neighbours(s).filter((n) => n !== 2))
    const restored = KeywordIndex.restore(index.serialize())
    restored.refresh(restored.slotsWithTerms(), (s) => neighbours(s).filter((n) => n !== 2))
    const without = new Map([...own].filter(([s]) => s !== 2))
    const context = new Map([...without.keys()].map((s) => [s, neighbours(s).filter((n) => n !== 2)]))
    for (const query of ['caroline dog', 'shelter']) {
      const expected = referenceBm25(without, context, analyze(query))
      for (const candidate of [index, restored]) {
        const hits = candidate.search(analyze(query), 10, () => true)
        expect(hits.map((h) => h.slot).sort()).toEqual([...expected.keys()].sort())
        for (const hit of hits) expect(hit.score).toBeCloseTo(expected.get(hit.slot)!, 5)
      }
    }
  })
})

describe('hybrid search in the local store', () => {
  const embedder = new HashEmbedder({ dimensions: 64 })
  const thread = (id: string, turn: number) => ({ _thread: id, _turn: turn })
  const records = [
    ['m1', 'alice', 'We talked about the weekend', thread('t1', 0), 'chat'],
    ['m2', 'alice', 'I finally bought the red kayak', thread('t1', 1), 'chat'],
    ['m3', 'alice', 'It was expensive but worth it', thread('t1', 2), 'chat'],
    ['m4', 'alice', 'Groceries: eggs, milk, flour', thread('t2', 0), 'note'],
    ['m5', 'bob', 'Bob also wants a kayak', thread('t3', 0), 'chat'],
  ] as const

  async function store(storage = new MemoryStorage()): Promise<LocalVectorStore> {
    const s = new LocalVectorStore({ name: 'flat', storage, collection: 'hybrid', compactAfterEntries: 2 })
    await s.init({ dimensions: 64 })
    return s
  }
  async function fill(s: LocalVectorStore): Promise<void> {
    for (const [id, user, text, ctx, kind] of records) {
      await s.upsert([
        { id, vector: embedder.embedOne(text), payload: { user_id: user, memory: text, kind, ...ctx } as Record<string, Json> },
      ])
    }
  }
  const query = (s: LocalVectorStore, text: string, user = 'alice', filter?: Filter) =>
    s.search({
      vector: embedder.embedOne(text),
      text,
      topK: 5,
      filter: and(eq('user_id', user), filter ? parseFilter(filter) : undefined),
      scope: { user_id: user },
    })

  it('ranks keyword matches and their conversation context, within the scope and filter', async () => {
    const s = await store()
    await fill(s)
    const hits = await query(s, 'kayak price')
    expect(hits[0]!.id).toBe('m2')
    expect(hits.map((h) => h.id)).not.toContain('m5')
    // m3 ("It was expensive...") has no query word but sits next to the kayak turn: its keyword part
    // comes from context, so it scores above its semantic share; m4 has neither and scores exactly that.
    const semantic = new LocalVectorStore({ name: 'flat', storage: new MemoryStorage(), collection: 'y', hybrid: false })
    await semantic.init({ dimensions: 64 })
    await fill(semantic)
    const cosines = await semantic.search({
      vector: embedder.embedOne('kayak price'),
      topK: 5,
      filter: eq('user_id', 'alice'),
      scope: { user_id: 'alice' },
    })
    const score = (list: { id: string; score: number }[], id: string) => list.find((h) => h.id === id)!.score
    expect(score(hits, 'm3')).toBeGreaterThan(0.4 * score(cosines, 'm3') + 0.005)
    expect(score(hits, 'm4')).toBeCloseTo(0.4 * score(cosines, 'm4'), 6)
    expect((await query(s, 'kayak', 'alice', { kind: 'note' })).map((h) => h.id)).toEqual(['m4'])
    expect((await query(s, 'kayak', 'bob')).map((h) => h.id)).toEqual(['m5'])
  })

  it('reports a bounded score: a pure semantic match keeps (1 − w)·cosine, keyword matches add at most w', async () => {
    const s = await store()
    await fill(s)
    const semantic = new LocalVectorStore({ name: 'flat', storage: new MemoryStorage(), collection: 'x', hybrid: false })
    await semantic.init({ dimensions: 64 })
    await fill(semantic)
    const plain = await semantic.search({
      vector: embedder.embedOne('kayak price'),
      topK: 5,
      filter: eq('user_id', 'alice'),
      scope: { user_id: 'alice' },
    })
    const hybrid = await query(s, 'kayak price')
    const m4 = (list: { id: string; score: number }[]) => list.find((h) => h.id === 'm4')!.score
    expect(m4(hybrid)).toBeCloseTo(0.4 * m4(plain), 5)
    for (const hit of hybrid) expect(hit.score).toBeLessThan(1)
    expect(hybrid[0]!.score).toBeGreaterThan(0.4 * plain.find((h) => h.id === 'm2')!.score)
  })

  it('gives identical results after a reload, from the snapshot or from the log', async () => {
    const storage = new MemoryStorage()
    const s = await store(storage)
    await fill(s)
    await s.upsert([
      {
        id: 'm2',
        vector: embedder.embedOne('I sold the red kayak'),
        payload: { user_id: 'alice', memory: 'I sold the red kayak', kind: 'chat', ...thread('t1', 1) },
      },
    ])
    await s.delete(['m1'])
    const before = await query(s, 'kayak sold weekend')
    expect(await storage.list('hybrid/vs/p/u.alice/kw/')).not.toEqual([])
    const again = await store(storage)
    const after = await query(again, 'kayak sold weekend')
    expect(after.map((h) => [h.id, h.score.toFixed(6)])).toEqual(before.map((h) => [h.id, h.score.toFixed(6)]))
    // A broken snapshot is only a cache: the index is rebuilt from the records.
    for (const key of await storage.list('hybrid/vs/p/u.alice/kw/')) await storage.set(key, new Uint8Array([1, 2, 3]))
    const rebuilt = await query(await store(storage), 'kayak sold weekend')
    expect(rebuilt.map((h) => [h.id, h.score.toFixed(6)])).toEqual(before.map((h) => [h.id, h.score.toFixed(6)]))
  })
})

describe('hybrid search through the Memory API', () => {
  const memories: Memory[] = []
  afterEach(async () => {
    await Promise.all(memories.splice(0).map((m) => m.close()))
  })

  it('uses neighbouring turns of one add call as context, and threshold on the fused score', async () => {
    const m = new Memory({ embedder: new HashEmbedder(), vectorStore: { provider: 'flat' }, storage: new MemoryStorage() })
    memories.push(m)
    await m.add(
      [
        { role: 'user', content: 'Did you hear back from the marathon organisers?' },
        { role: 'assistant', content: 'Yes, they confirmed it yesterday.' },
        { role: 'user', content: 'Great, I will start training next week.' },
      ],
      { userId: 'u' },
    )
    await m.add('Buy a present for the neighbours', { userId: 'u' })
    const { results } = await m.search('marathon confirmed', { userId: 'u' })
    expect(results[0]!.memory).toBe('Yes, they confirmed it yesterday.')
    expect(results[results.length - 1]!.memory).toBe('Buy a present for the neighbours')
    expect(results[0]!.metadata).not.toHaveProperty('_thread')
    const strict = await m.search('marathon confirmed', { userId: 'u', threshold: results[1]!.score! })
    expect(strict.results.length).toBe(2)
  })

  it('can be turned off per store', async () => {
    const m = new Memory({
      embedder: new HashEmbedder(),
      vectorStore: { provider: 'flat', config: { hybrid: false } },
      storage: new MemoryStorage(),
    })
    memories.push(m)
    await m.add('Paris trip in May', { userId: 'u' })
    const [hit] = (await m.search('Paris trip in May', { userId: 'u' })).results
    expect(hit!.score).toBeCloseTo(1, 5)
  })
})

/**
 * The property: a request for k results is the first k of a request for more (same records, same
 * scores, same order), for hybrid and semantic queries, with or without a filter, within one scope or
 * across scopes. Small vocabulary and repeated texts, so keyword and cosine ties are common. Seeded and
 * bounded; TOPK_SEED replays a run.
 */
describe('results do not depend on topK', () => {
  const SEED = Number(globalThis.process?.env?.TOPK_SEED ?? 20261206)
  const embedder = new HashEmbedder({ dimensions: 32 })
  const words = ['kayak', 'red', 'dog', 'shelter', 'paris', 'trip', 'marathon', 'cake', 'garden', 'piano']
  const text = fc.array(fc.constantFrom(...words), { minLength: 1, maxLength: 5 }).map((w) => w.join(' '))
  // `about` is what the vector encodes: unrelated to the text, so the semantic and keyword rankings disagree.
  const record = fc.record({
    text,
    about: text,
    user: fc.constantFrom('a', 'b'),
    thread: fc.constantFrom('t1', 't2', ''),
    kind: fc.constantFrom('x', 'y'),
  })

  it('holds for random stores, queries and k', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(record, { minLength: 1, maxLength: 400, size: 'max' }),
        fc.record({
          text: fc.option(text, { nil: undefined }),
          k: fc.integer({ min: 1, max: 12 }),
          more: fc.integer({ min: 1, max: 40 }),
          scoped: fc.boolean(),
          filtered: fc.boolean(),
        }),
        async (records, q) => {
          const store = new LocalVectorStore({ name: 'flat', storage: new MemoryStorage(), collection: 'topk' })
          await store.init({ dimensions: 32 })
          await store.upsert(
            records.map((r, i) => ({
              id: `m${i}`,
              vector: embedder.embedOne(r.about),
              payload: { user_id: r.user, memory: r.text, kind: r.kind, ...(r.thread ? { _thread: r.thread, _turn: i } : {}) },
            })),
          )
          const query = (topK: number) =>
            store.search({
              vector: embedder.embedOne(q.text ?? 'dog trip'),
              text: q.text,
              topK,
              filter: and(q.scoped ? eq('user_id', 'a') : undefined, q.filtered ? eq('kind', 'x') : undefined),
              scope: q.scoped ? { user_id: 'a' } : {},
            })
          const few = await query(q.k)
          const many = await query(q.k + q.more)
          expect(few.map((h) => [h.id, h.score])).toEqual(many.slice(0, q.k).map((h) => [h.id, h.score]))
        },
      ),
      { seed: SEED, numRuns: 60, interruptAfterTimeLimit: 20_000 },
    )
  }, 60_000)
})

describe('hybrid config', () => {
  it('accepts hybrid: true as the default and names the accepted forms on a bad value', async () => {
    const embedderA = new HashEmbedder()
    const on = new Memory({
      embedder: embedderA,
      vectorStore: { provider: 'hnsw', config: { hybrid: true } },
      storage: new MemoryStorage(),
    })
    const byDefault = new Memory({ embedder: embedderA, vectorStore: { provider: 'hnsw' }, storage: new MemoryStorage() })
    for (const m of [on, byDefault]) {
      for (const text of ['Paris trip in May', 'The red kayak', 'Paris has a kayak club']) await m.add(text, { userId: 'u' })
    }
    const scores = async (m: Memory) => (await m.search('kayak in Paris', { userId: 'u' })).results.map((r) => [r.memory, r.score])
    expect(await scores(on)).toEqual(await scores(byDefault))
    await Promise.all([on.close(), byDefault.close()])
    for (const [hybrid, message] of [
      ['yes', /hybrid.*expected true \(the default\), false, or \{ keywordWeight\?/],
      [{ keywordWeight: 2 }, /hybrid\.keywordWeight.*expected at most 1, got 2/],
    ] as const) {
      const create = () =>
        new Memory({ embedder: embedderA, vectorStore: { provider: 'hnsw', config: { hybrid } as never }, storage: new MemoryStorage() })
      expect(create).toThrow(ConfigError)
      expect(create).toThrow(message)
    }
  })
})
