import {
  decodeJsonLines,
  encodeJsonLines,
  FormatError,
  Memory,
  MemoryStorage,
  parseRecord,
  type PortableRecord,
  StorageError,
  type VectorStore,
} from '../../../src/index.ts'
import { LocalGraphStore } from '../../../src/entries/graph.ts'
import { afterEach, describe, expect, it } from '../../harness.ts'
import { PORTABLE_DIMENSIONS, portableEmbedder } from '../../conformance/portable.ts'
import { HashEmbedder } from '../../support/hash-embedder.ts'

const memories: Memory[] = []
function memory(config: ConstructorParameters<typeof Memory>[0] = {}): Memory {
  const m = new Memory({ embedder: portableEmbedder(), vectorStore: { provider: 'flat' }, storage: new MemoryStorage(), ...config })
  memories.push(m)
  return m
}
afterEach(async () => {
  await Promise.all(memories.splice(0).map((m) => m.close()))
})

const HEADER = { type: 'edgemem-export', version: 1, createdAt: '2026-12-01T00:00:00.000Z' }
const mem = (id: string, text: string, extra: Record<string, unknown> = {}) => ({
  type: 'memory',
  id,
  memory: text,
  hash: `h-${id}`,
  userId: 'alice',
  metadata: {},
  createdAt: '2026-11-01T10:00:00.000Z',
  ...extra,
})

async function lines(records: AsyncIterable<PortableRecord>): Promise<string[]> {
  const out: string[] = []
  for await (const line of encodeJsonLines(records)) out.push(line)
  return out
}

async function failure(promise: Promise<unknown>): Promise<FormatError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(err).toBeInstanceOf(FormatError)
  return err as FormatError
}

async function drain<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = []
  for await (const x of it) out.push(x)
  return out
}

describe('JSON Lines codec', () => {
  it('splits chunks anywhere (inside a UTF-8 character too), accepts \\r\\n and a missing final newline', async () => {
    const text = `${JSON.stringify(HEADER)}\r\n${JSON.stringify(mem('a', 'café 😀'))}\n${JSON.stringify(mem('b', 'two'))}`
    const bytes = new TextEncoder().encode(text)
    const chunks = Array.from({ length: Math.ceil(bytes.length / 7) }, (_, i) => bytes.slice(i * 7, i * 7 + 7))
    const records = await drain(decodeJsonLines(chunks))
    expect(records.map((r) => r.type)).toEqual(['edgemem-export', 'memory', 'memory'])
    expect((records[1] as { memory: string }).memory).toBe('café 😀')
  })

  it('names the line of an empty line, bad JSON, invalid UTF-8, an unknown type or field, a too-long line', async () => {
    const at = async (chunks: (string | Uint8Array)[], options?: { maxLineBytes: number }) =>
      (await failure(drain(decodeJsonLines(chunks, options)))).line
    expect(await at([`${JSON.stringify(HEADER)}\n\n`])).toBe(2)
    expect(await at([`${JSON.stringify(HEADER)}\n{"type":\n`])).toBe(2)
    expect(await at([`${JSON.stringify(HEADER)}\n`, new Uint8Array([0x7b, 0xff, 0x7d, 0x0a])])).toBe(2)
    expect(await at([`${JSON.stringify(HEADER)}\n${JSON.stringify(mem('a', 'x'))}\n{"type":"memo"}\n`])).toBe(3)
    const typo = await failure(drain(decodeJsonLines([`${JSON.stringify(HEADER)}\n${JSON.stringify(mem('a', 'x', { userID: 'bob' }))}\n`])))
    expect([typo.line, typo.field]).toEqual([2, 'userID'])
    expect(await at([`${JSON.stringify(HEADER)}\n${'x'.repeat(200)}`], { maxLineBytes: 100 })).toBe(2)
  })

  it('validates each record: scope, metadata rules, dates, the version', () => {
    expect(() => parseRecord(mem('a', 'x', { userId: undefined }), 4)).toThrow(/line 4: needs at least one of userId/)
    expect(() => parseRecord(mem('a', 'x', { metadata: { memory: 1 } }), 2)).toThrow(/line 2: .*reserved/)
    expect(() => parseRecord(mem('a', 'x', { createdAt: 'yesterday' }), 2)).toThrow(/line 2: createdAt: expected an ISO 8601 time/)
    expect(() => parseRecord(mem('a', 'x', { expirationDate: '2026-02-30' }), 2)).toThrow(FormatError)
    expect(() => parseRecord(mem('', 'x'), 2)).toThrow(/line 2: id/)
    expect(() => parseRecord({ ...HEADER, version: 2 }, 1)).toThrow(/line 1: version: version 2 is not one this edgemem reads/)
    expect(() => parseRecord([1], 9)).toThrow(/line 9: expected a JSON object, got an array/)
  })
})

describe('Memory.import', () => {
  it('needs the header first and only once; refuses bad options', async () => {
    const m = memory()
    expect((await failure(m.import([mem('a', 'x')]))).line).toBe(1)
    expect((await failure(m.import([HEADER, mem('a', 'x'), HEADER]))).line).toBe(3)
    expect((await failure(m.import([]))).line).toBe(1)
    await expect(m.import([HEADER], { batchSize: 0 })).rejects.toThrow(/batchSize/)
    await expect(m.import([HEADER], { onConflict: 'merge' as 'skip' })).rejects.toThrow(/onConflict/)
    await expect(m.import(42 as unknown as [])).rejects.toThrow(/iterable/)
  })

  it('an invalid record fails the import at its line; earlier batches stay, its own batch is not written', async () => {
    const m = memory()
    const records = [HEADER, mem('a', 'one'), mem('b', 'two'), mem('c', 'three'), mem('d', 'four', { metadata: { _x: 1 } })]
    const err = await failure(m.import(records, { batchSize: 2 }))
    expect(err.line).toBe(5)
    expect((await m.getAll({ userId: 'alice' })).results.map((r) => r.id).sort()).toEqual(['a', 'b'])
  })

  it('conflicts: same content is skipped whatever the option; other content is skipped, overwritten or an error', async () => {
    const m = memory()
    await m.import([HEADER, mem('a', 'one'), mem('b', 'two')])
    expect(await m.import([HEADER, mem('a', 'one')], { onConflict: 'error' })).toMatchObject({ imported: 0, skipped: 1 })
    expect(await m.import([HEADER, mem('a', 'uno'), mem('c', 'three')])).toMatchObject({ imported: 1, skipped: 1, overwritten: 0 })
    expect((await m.get('a'))?.memory).toBe('one')
    const err = await failure(m.import([HEADER, mem('d', 'four'), mem('a', 'uno')], { onConflict: 'error' }))
    expect(err.line).toBe(3)
    expect(await m.get('d')).toBeNull()
    expect(await m.import([HEADER, mem('a', 'uno')], { onConflict: 'overwrite' })).toMatchObject({ imported: 0, overwritten: 1 })
    expect((await m.get('a'))?.memory).toBe('uno')
    const { results } = await m.search('uno', { userId: 'alice', topK: 1 })
    expect(results[0]?.id).toBe('a')
  })

  it('re-embeds when the model differs or vectors are absent; "never" requires vectors of the right size', async () => {
    const from = memory()
    await from.add('Likes green tea', { userId: 'alice' })
    const withVectors = await drain(from.export({ vectors: true }))
    const other = memory({ embedder: Object.assign(new HashEmbedder({ dimensions: PORTABLE_DIMENSIONS }), { model: 'other' }) })
    expect(await other.import(withVectors)).toMatchObject({ imported: 1, reembedded: 1 })
    const same = memory()
    expect(await same.import(withVectors)).toMatchObject({ imported: 1, reembedded: 0 })
    expect(await memory().import(withVectors, { reembed: 'always' })).toMatchObject({ reembedded: 1 })
    expect((await failure(memory().import(await drain(from.export()), { reembed: 'never' }))).field).toBe('vector')
    const bigger = memory({ embedder: Object.assign(new HashEmbedder({ dimensions: 32 }), { model: 'hash-16' }) })
    const err = await failure(bigger.import(withVectors, { reembed: 'never' }))
    expect(err.message).toMatch(/line 2: vector: vector has 16 dimensions but this Memory's embedder gives 32/)
    expect(await bigger.import(withVectors)).toMatchObject({ reembedded: 1 })
  })

  it('a batch whose write fails leaves nothing of it behind (records and history)', async () => {
    const storage = new MemoryStorage()
    let failHistory = true
    const failing: MemoryStorage = Object.assign(Object.create(storage) as MemoryStorage, {
      batch: async (ops: Parameters<NonNullable<MemoryStorage['batch']>>[0]) => {
        if (failHistory && ops.some((op) => op.key.includes('/history/'))) throw new Error('disk full')
        return storage.batch!(ops)
      },
    })
    const m = memory({ storage: failing })
    const records = [
      HEADER,
      mem('a', 'one'),
      {
        type: 'history',
        id: 'h1',
        memoryId: 'a',
        event: 'ADD',
        previousValue: null,
        newValue: 'one',
        createdAt: '2026-11-01T10:00:00.000Z',
      },
    ]
    await expect(m.import(records)).rejects.toBeInstanceOf(StorageError)
    expect(await m.get('a')).toBeNull()
    failHistory = false
    expect(await m.import(records)).toMatchObject({ imported: 1, history: 1 })
    expect(await m.history('a')).toEqual([
      { id: 'h1', memoryId: 'a', event: 'ADD', previousValue: null, newValue: 'one', createdAt: '2026-11-01T10:00:00.000Z' },
    ])
    expect(await m.import(records)).toMatchObject({ skipped: 1, history: 0 })
    expect(await m.history('a')).toHaveLength(1)
  })

  it('a failed store write puts overwritten records back', async () => {
    let failUpsert = false
    const base = memory()
    await base.import([HEADER, mem('a', 'one')])
    // Wrap the started store: the second upsert of the batch (b) fails after a's overwrite landed.
    const services = await (base as unknown as { open(): Promise<{ store: VectorStore }> }).open()
    const upsert = services.store.upsert.bind(services.store)
    services.store.upsert = async (records) => {
      if (failUpsert) {
        await upsert(records.slice(0, 1))
        throw new Error('connection reset')
      }
      return upsert(records)
    }
    failUpsert = true
    await expect(base.import([HEADER, mem('a', 'uno'), mem('b', 'two')], { onConflict: 'overwrite' })).rejects.toThrow('connection reset')
    failUpsert = false
    expect((await base.get('a'))?.memory).toBe('one')
    expect(await base.get('b')).toBeNull()
  })

  it('history of a memory neither imported nor stored is an error naming its line; of a stored one it is merged', async () => {
    const m = memory()
    const entry = {
      type: 'history',
      id: 'h9',
      memoryId: 'zz',
      event: 'ADD',
      previousValue: null,
      newValue: 'x',
      createdAt: '2026-11-01T10:00:00.000Z',
    }
    expect((await failure(m.import([HEADER, entry]))).line).toBe(2)
    await m.import([HEADER, mem('zz', 'x')])
    expect(await m.import([HEADER, entry])).toMatchObject({ history: 1 })
    expect((await m.history('zz')).map((e) => e.id)).toEqual(['h9'])
  })

  it('an export imported back after deleteAll (history kept) restores the memories without repeating their history', async () => {
    const m = memory()
    const [added] = (await m.add('Likes green tea', { userId: 'alice', infer: false })).results
    await m.update(added!.id, 'Likes jasmine tea')
    const exported = await drain(m.export({ userId: 'alice' }))
    await m.deleteAll({ userId: 'alice' })
    const before = (await m.history(added!.id)).map((e) => e.event)
    expect(before).toEqual(['ADD', 'UPDATE', 'DELETE'])
    expect(await m.import(exported)).toMatchObject({ imported: 1, history: 0 })
    expect((await m.getAll({ userId: 'alice' })).results.map((r) => r.memory)).toEqual(['Likes jasmine tea'])
    expect((await m.history(added!.id)).map((e) => e.event)).toEqual(before)
    expect(await m.import(exported)).toMatchObject({ imported: 0, skipped: 1, history: 0 })
  })

  it('reports progress after each batch, with the records settled', async () => {
    const m = memory()
    const seen: number[] = []
    const records = [HEADER, ...Array.from({ length: 7 }, (_, i) => mem(`m${i}`, `memory ${i}`))]
    await m.import(records, { batchSize: 3, onProgress: (p) => seen.push(p.records) })
    expect(seen).toEqual([4, 7, 8])
  })

  it('streams: an export is read page by page and the JSON Lines round trip through text keeps every line', async () => {
    const m = memory()
    const many = [
      HEADER,
      ...Array.from({ length: 450 }, (_, i) => {
        const id = `m/${String(i).padStart(3, '0')}`
        const entry = {
          type: 'history',
          id: `h${i}`,
          memoryId: id,
          event: 'ADD',
          previousValue: null,
          newValue: `memory ${i}`,
          createdAt: '2026-11-01T10:00:00.000Z',
        }
        return [mem(id, `memory ${i}`), entry]
      }).flat(),
    ]
    expect(await m.import(many, { batchSize: 200 })).toMatchObject({ imported: 450, history: 450 })
    // One page of 450: the histories are read with one listing of the history prefix (ids with "/" included).
    const exported = (await lines(m.export())).map((l) => JSON.parse(l) as { type: string; memoryId?: string })
    expect(exported.filter((r) => r.type === 'history')).toHaveLength(450)
    expect(exported.findIndex((r) => r.memoryId === 'm/007')).toBe(exported.findIndex((r) => (r as { id?: string }).id === 'm/007') + 1)
    const text = (await lines(m.export())).join('')
    const copy = memory()
    expect(await copy.import(decodeJsonLines([text]))).toMatchObject({ imported: 450 })
    expect((await lines(copy.export())).slice(1).sort()).toEqual((await lines(m.export())).slice(1).sort())
  })
})

describe('graph relations', () => {
  it('are exported per scope (valid and invalidated) and imported once, re-resolving names in the target graph', async () => {
    const graphOf = () => {
      const storage = new MemoryStorage()
      return { storage, graph: new LocalGraphStore({ storage, collection: 'g' }) }
    }
    const a = graphOf()
    const from = memory({ storage: a.storage, graphStore: a.graph })
    const { results } = await from.add('Alice works at Acme', { userId: 'alice', infer: false })
    const id = results[0]!.id
    const scope = { user_id: 'alice' }
    const fact = (target: string, validFrom: string) => ({ source: 'Alice', relationship: 'works_at', target, memoryIds: [id], validFrom })
    const first = await a.graph.apply({ scope, entities: [], relations: [fact('Initech', '2026-01-01T00:00:00.000Z')], invalidate: [] })
    await a.graph.apply({
      scope,
      entities: [],
      relations: [fact('Acme', '2026-06-01T00:00:00.000Z')],
      invalidate: [{ id: first.added[0]!.id, at: '2026-06-01T00:00:00.000Z' }],
    })
    await a.graph.apply({
      scope: { agent_id: 'planner' },
      entities: [],
      relations: [{ ...fact('Bob', '2026-02-01T00:00:00.000Z'), memoryIds: ['m-x'] }],
      invalidate: [],
    })
    await from.add('Plans trips', { agentId: 'planner', infer: false })

    const exported = await lines(from.export())
    const relations = exported.map((l) => JSON.parse(l) as { type: string }).filter((r) => r.type === 'relation')
    expect(relations).toHaveLength(3)
    expect(relations).toEqual(
      expect.arrayContaining([
        {
          type: 'relation',
          source: 'Alice',
          relationship: 'works_at',
          target: 'Initech',
          userId: 'alice',
          validFrom: '2026-01-01T00:00:00.000Z',
          invalidatedAt: '2026-06-01T00:00:00.000Z',
          memoryIds: [id],
        },
        {
          type: 'relation',
          source: 'Alice',
          relationship: 'works_at',
          target: 'Acme',
          userId: 'alice',
          validFrom: '2026-06-01T00:00:00.000Z',
          invalidatedAt: null,
          memoryIds: [id],
        },
        {
          type: 'relation',
          source: 'Alice',
          relationship: 'works_at',
          target: 'Bob',
          agentId: 'planner',
          validFrom: '2026-02-01T00:00:00.000Z',
          invalidatedAt: null,
          memoryIds: ['m-x'],
        },
      ]),
    )
    const b = graphOf()
    const to = memory({ storage: b.storage, graphStore: b.graph })
    expect(await to.import(decodeJsonLines(exported))).toMatchObject({ imported: 2, relations: 3 })
    const again = await lines(to.export())
    expect(again.slice(1).sort()).toEqual(exported.slice(1).sort())
    expect(await to.import(decodeJsonLines(exported))).toMatchObject({ imported: 0, relations: 0 })
    expect((await lines(to.export())).slice(1).sort()).toEqual(exported.slice(1).sort())
    // Without a graph store, relations are read and validated but not written.
    expect(await memory().import(decodeJsonLines(exported))).toMatchObject({ imported: 2, relations: 0 })
  })

  it('entities linked without an LLM (no relation) travel as entity records and come back with their memories', async () => {
    const graphMemory = () => {
      const storage = new MemoryStorage()
      return memory({ storage, graphStore: new LocalGraphStore({ storage, collection: 'g' }) })
    }
    const from = graphMemory()
    await from.add('Alice met Bob in Paris', { userId: 'alice', infer: false })
    await from.add('Bob moved to Lisbon', { userId: 'alice', infer: false })
    const names = async (m: Memory) => (await m.graph({ userId: 'alice' })).entities.map((e) => `${e.name}:${e.memoryIds.length}`).sort()
    const linked = await names(from)
    expect(linked.length).toBeGreaterThan(2)
    const exported = await lines(from.export())
    const entities = exported.map((l) => JSON.parse(l) as { type: string }).filter((r) => r.type === 'entity')
    expect(entities).toHaveLength(linked.length)
    expect(entities[0]).toMatchObject({ type: 'entity', userId: 'alice' })

    const to = graphMemory()
    expect(await to.import(decodeJsonLines(exported))).toMatchObject({ imported: 2, entities: linked.length, relations: 0 })
    expect(await names(to)).toEqual(linked)
    expect((await lines(to.export())).slice(1)).toEqual(exported.slice(1))
    expect(await to.import(decodeJsonLines(exported))).toMatchObject({ imported: 0, entities: 0 })
    // The names are embedded by the importing Memory: a search that names an entity finds it.
    const found = await to.search('Where is Bob?', { userId: 'alice' })
    expect(found.results.length).toBeGreaterThan(0)
  })
})
