import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { LocalGraphStore } from '../../src/entries/graph.ts'
import {
  ConfigError,
  LLMError,
  Memory,
  MemoryStorage,
  type GraphStore,
  type KeyValueStore,
  type MemoryConfig,
  type Relation,
} from '../../src/index.ts'
import { startOpenAITestServer, type OpenAITestServer } from '../servers/openai.ts'

/**
 * Graph memory through the whole pipeline: Memory → openai providers → the `openai` client → the
 * scripted OpenAI-compatible server. Extraction rides in the one chat call of `add`.
 */
let server: OpenAITestServer
const KEY = 'sk-test-graph'
beforeAll(async () => {
  server = await startOpenAITestServer({ apiKey: KEY, dimensions: 64 })
})
afterAll(async () => {
  await server.close()
})
afterEach(() => server.reset())

const memories: Memory[] = []
afterEach(async () => {
  await Promise.all(memories.splice(0).map((m) => m.close()))
})

function memory(options: { storage?: KeyValueStore; graphStore?: GraphStore; entityBoost?: number } = {}): Memory {
  const connection = { apiKey: KEY, baseURL: server.baseURL, maxRetries: 0, timeoutMs: 2000 }
  const config: MemoryConfig = {
    embedder: { provider: 'openai', config: { ...connection, model: 'test-embed', dimensions: 64 } },
    llm: { provider: 'openai', config: { ...connection, model: 'test-chat' } },
    vectorStore: { provider: 'flat' },
    storage: options.storage ?? new MemoryStorage(),
    graphStore: options.graphStore ?? { provider: 'local' },
  }
  if (options.entityBoost !== undefined) config.graph = { entityBoost: options.entityBoost }
  const m = new Memory(config)
  memories.push(m)
  return m
}

const answer = (parts: {
  operations?: object[]
  entities?: object[]
  relations?: object[]
  contradicted?: unknown[]
}): { content: string } => ({
  content: JSON.stringify({ operations: [], entities: [], relations: [], contradicted: [], ...parts }),
})
const rel = (source: string, relationship: string, target: string) => ({ source, relationship, target })
const triple = (r: Relation): string => `${r.source} -${r.relationship}-> ${r.target}`

/** The stored relations (temporary id → triple) the model was shown in a chat request. */
function shownRelations(body: unknown): Map<string, string> {
  const user = (body as { messages: { role: string; content: string }[] }).messages.find((m) => m.role === 'user')!.content
  const list = /Stored relations:\n(.*)\n\nConversation:/s.exec(user)![1]!
  const out = new Map<string, string>()
  if (list !== '(none yet)') {
    for (const r of JSON.parse(list) as { id: string; source: string; relationship: string; target: string }[]) {
      out.set(r.id, `${r.source} -${r.relationship}-> ${r.target}`)
    }
  }
  return out
}

async function addAliceAtAcme(m: Memory) {
  server.chat.enqueue(
    answer({
      operations: [
        { event: 'ADD', text: 'Alice works at Acme' },
        { event: 'ADD', text: 'Alice lives in Paris' },
      ],
      entities: [
        { name: 'Alice', type: 'person' },
        { name: 'Acme', type: 'organisation' },
        { name: 'Paris', type: 'place' },
      ],
      relations: [rel('Alice', 'works at', 'Acme'), rel('Alice', 'lives_in', 'Paris')],
    }),
  )
  return m.add('I am Alice, I work at Acme and live in Paris.', { userId: 'alice' })
}

describe('graph memory through the scripted OpenAI-compatible server', () => {
  it('extracts entities and relations in the one add call and returns them from add, search and getAll', async () => {
    const m = memory()
    const added = await addAliceAtAcme(m)
    expect(server.chat.requests).toHaveLength(1)
    const system = (server.chat.requests[0]!.body as { messages: { content: string }[] }).messages[0]!.content
    expect(system).toContain('"contradicted"')
    expect(shownRelations(server.chat.requests[0]!.body).size).toBe(0)
    expect(added.results.map((r) => r.memory)).toEqual(['Alice works at Acme', 'Alice lives in Paris'])
    expect(added.relations!.added.map(triple)).toEqual(['Alice -works_at-> Acme', 'Alice -lives_in-> Paris'])
    expect(added.relations!.invalidated).toEqual([])
    const ids = added.results.map((r) => r.id).sort()
    for (const r of added.relations!.added) {
      expect([...r.memoryIds].sort()).toEqual(ids)
      expect(r.invalidatedAt).toBeNull()
      expect(Date.parse(r.validFrom)).not.toBeNaN()
    }
    const found = await m.search('Where does alice work?', { userId: 'alice' })
    expect(server.chat.requests).toHaveLength(1) // no LLM call for search
    expect(found.relations!.map(triple).sort()).toEqual(['Alice -lives_in-> Paris', 'Alice -works_at-> Acme'])
    expect(found.relations!.every((r) => typeof r.score === 'number' && r.score > 0)).toBe(true)
    const all = await m.getAll({ userId: 'alice' })
    expect(all.results).toHaveLength(2)
    expect(all.relations!.map(triple).sort()).toEqual(['Alice -lives_in-> Paris', 'Alice -works_at-> Acme'])
    // another scope sees none of it
    expect((await m.search('Where does alice work?', { userId: 'bob' })).relations).toEqual([])
    expect((await m.getAll({ userId: 'bob' })).relations).toEqual([])
  })

  it('invalidates contradicted relations (kept as history) and shows stored relations under temporary ids', async () => {
    const storage = new MemoryStorage()
    const m = memory({ storage })
    await addAliceAtAcme(m)
    server.chat.handler = (body) => {
      const shown = shownRelations(body)
      const paris = [...shown].find(([, t]) => t === 'Alice -lives_in-> Paris')![0]
      expect(paris).toMatch(/^r\d+$/)
      return answer({
        operations: [{ event: 'ADD', text: 'Alice moved to Berlin' }],
        entities: [{ name: 'alice' }, { name: 'Berlin', type: 'place' }],
        relations: [rel('alice', 'lives in', 'Berlin')],
        contradicted: [paris],
      })
    }
    const moved = await m.add('I moved to Berlin last month.', { userId: 'alice' })
    expect(moved.relations!.added.map(triple)).toEqual(['Alice -lives_in-> Berlin'])
    expect(moved.relations!.invalidated.map(triple)).toEqual(['Alice -lives_in-> Paris'])
    expect(Date.parse(moved.relations!.invalidated[0]!.invalidatedAt!)).not.toBeNaN()
    const found = await m.search('Where does Alice live?', { userId: 'alice' })
    expect(found.relations!.map(triple).sort()).toEqual(['Alice -lives_in-> Berlin', 'Alice -works_at-> Acme'])
    // history is kept in the graph store
    const store = new LocalGraphStore({ storage, collection: 'memories' })
    const history = await store.listRelations({ scope: { user_id: 'alice' }, includeInvalidated: true })
    expect(history.filter((r) => r.invalidatedAt !== null).map((r) => `${r.source} -${r.relationship}-> ${r.target}`)).toEqual([
      'Alice -lives_in-> Paris',
    ])
  })

  it('retries once with the validation problem fed back, then succeeds', async () => {
    const m = memory()
    server.chat.enqueue(
      answer({ operations: [{ event: 'ADD', text: 'Bob owns a dog' }], relations: [{ source: 'Bob', target: 'dog' }] }),
      answer({ operations: [{ event: 'ADD', text: 'Bob owns a dog' }], relations: [rel('Bob', 'owns', 'dog')] }),
    )
    const result = await m.add('Bob has a dog.', { userId: 'bob' })
    expect(server.chat.requests).toHaveLength(2)
    const retry = (server.chat.requests[1]!.body as { messages: { role: string; content: string }[] }).messages.at(-1)!.content
    expect(retry).toContain('relations[0].relationship is missing')
    expect(result.relations!.added.map(triple)).toEqual(['Bob -owns-> dog'])
  })

  it('fails with LLMError and writes nothing when the graph part is unusable twice (unknown contradicted id)', async () => {
    const m = memory()
    const bad = answer({
      operations: [{ event: 'ADD', text: 'Carol likes tea' }],
      relations: [rel('Carol', 'likes', 'tea')],
      contradicted: ['r7'],
    })
    server.chat.enqueue(bad, bad)
    const error = await m.add('Carol likes tea.', { userId: 'carol' }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(LLMError)
    expect((error as Error).message).toContain('"r7"')
    const all = await m.getAll({ userId: 'carol' })
    expect(all.results).toEqual([])
    expect(all.relations).toEqual([])
  })

  it('is atomic with the memory changes: a failing graph write or history write leaves nothing behind', async () => {
    const storage = new MemoryStorage()
    const inner = new LocalGraphStore({ storage, collection: 'memories' })
    let failApply = true
    const failing: GraphStore = Object.assign(Object.create(inner) as GraphStore, {
      apply: async (w: Parameters<GraphStore['apply']>[0]) => {
        if (failApply) throw new Error('graph backend down')
        return inner.apply(w)
      },
    })
    const m = memory({ storage, graphStore: failing })
    await expect(addAliceAtAcme(m)).rejects.toThrow('graph backend down')
    expect((await m.getAll({ userId: 'alice' })).results).toEqual([])
    // history failing after the graph write: the graph write is undone with the memories
    failApply = false
    const originalSet = storage.set.bind(storage)
    const originalBatch = storage.batch.bind(storage)
    const isHistory = (key: string) => key.includes('/history/')
    storage.set = async (key, value) => (isHistory(key) ? Promise.reject(new Error('disk full')) : originalSet(key, value))
    storage.batch = async (ops) => (ops.some((op) => isHistory(op.key)) ? Promise.reject(new Error('disk full')) : originalBatch(ops))
    await expect(addAliceAtAcme(m)).rejects.toThrow('disk full')
    expect((await m.getAll({ userId: 'alice' })).results).toEqual([])
    expect(await inner.listRelations({ scope: { user_id: 'alice' }, includeInvalidated: true })).toEqual([])
  })

  it('drops relations whose only memory was deleted; deleteAll and reset remove the scope graph', async () => {
    const m = memory()
    server.chat.enqueue(
      answer({ operations: [{ event: 'ADD', text: 'Dan plays chess' }], relations: [rel('Dan', 'plays', 'chess')] }),
      answer({ operations: [{ event: 'ADD', text: 'Dan plays go' }], relations: [rel('Dan', 'plays', 'go')] }),
    )
    const chess = await m.add('I play chess.', { userId: 'dan' })
    await m.add('I play go too.', { userId: 'dan' })
    await m.delete(chess.results[0]!.id)
    expect((await m.getAll({ userId: 'dan' })).relations!.map(triple)).toEqual(['Dan -plays-> go'])
    await m.deleteAll({ userId: 'dan' })
    expect((await m.getAll({ userId: 'dan' })).relations).toEqual([])
    await addAliceAtAcme(m)
    await m.reset()
    expect((await m.getAll({ userId: 'alice' })).relations).toEqual([])
  })

  it('with infer: false, links entities without the LLM so that search can use them', async () => {
    const storage = new MemoryStorage()
    const m = memory({ storage })
    const { results, relations } = await m.add(
      [
        { role: 'user', content: 'Caroline went to the LGBTQ support group yesterday.' },
        { role: 'user', content: 'Melanie painted a lake sunrise.' },
      ],
      { userId: 'eve', infer: false },
    )
    expect(server.chat.requests).toHaveLength(0)
    expect(relations).toEqual({ added: [], invalidated: [] })
    const store = new LocalGraphStore({ storage, collection: 'memories' })
    const entities = await store.listEntities({ scope: { user_id: 'eve' } })
    const names = entities.map((e) => e.name.toLowerCase())
    expect(names).toEqual(expect.arrayContaining(['caroline', 'lgbtq support group', 'melanie']))
    expect(entities.find((e) => e.name.toLowerCase() === 'caroline')!.memoryIds).toEqual([results[0]!.id])
    const found = await m.search('When did Caroline go to the support group?', { userId: 'eve', topK: 1 })
    expect(found.results[0]!.id).toBe(results[0]!.id)
    expect(found.relations).toEqual([])
  })

  it('without a graphStore, results carry no relations', async () => {
    const connection = { apiKey: KEY, baseURL: server.baseURL, maxRetries: 0, timeoutMs: 2000 }
    const m = new Memory({
      embedder: { provider: 'openai', config: { ...connection, model: 'test-embed', dimensions: 64 } },
      vectorStore: { provider: 'flat' },
      storage: new MemoryStorage(),
    })
    memories.push(m)
    const added = await m.add('hello there', { userId: 'x', infer: false })
    expect('relations' in added).toBe(false)
    expect('relations' in (await m.search('hello', { userId: 'x' }))).toBe(false)
    expect('relations' in (await m.getAll({ userId: 'x' }))).toBe(false)
  })

  it('rejects a bad graph config synchronously with ConfigError', () => {
    expect(() => new Memory({ graphStore: { provider: 'nope' } as never })).toThrow(ConfigError)
    expect(() => new Memory({ graphStore: { provider: 'local', config: { resolveSimilarity: 2 } } })).toThrow(ConfigError)
    expect(() => new Memory({ graph: { entityBoost: 2 } })).toThrow(ConfigError)
    expect(() => new Memory({ graphStore: { apply: async () => undefined } as never })).toThrow(/lacks findEntities\(\)/)
  })

  it('with entityBoost, memories sharing the query entities rank higher', async () => {
    const texts = ['Alice adopted a parrot.', 'It was really lovely and it was warm today.']
    const plain = memory({ entityBoost: 0 })
    const boosted = memory({ entityBoost: 1 })
    for (const m of [plain, boosted])
      await m.add(
        texts.map((content) => ({ role: 'user', content })),
        { userId: 'z', infer: false },
      )
    const query = 'was it really lovely and warm today, Alice?'
    const before = await plain.search(query, { userId: 'z' })
    const after = await boosted.search(query, { userId: 'z' })
    expect(before.results[0]!.memory).toBe(texts[1])
    expect(after.results[0]!.memory).toBe(texts[0])
    expect(after.results[0]!.score!).toBeGreaterThan(before.results.find((r) => r.memory === texts[0])!.score!)
  })
})
