import { afterEach, describe, expect, it } from '../../harness.ts'
import {
  ConfigError,
  EmbeddingError,
  LLMError,
  FilterError,
  Memory,
  MemoryStorage,
  ValidationError,
  compileFilter,
  parseFilter,
  type Embedder,
  type LLM,
  type OperationEvent,
  type Filter,
  type JsonObject,
} from '../../../src/index.ts'
import { HashEmbedder } from '../../support/hash-embedder.ts'

// Regressions from the independent attack run (issue 21): input that is not well-formed gets a typed
// error and changes nothing; nothing overflows the stack; filters read only a payload's own fields.

const memories: Memory[] = []
function memory(embedder: Embedder = new HashEmbedder(), storage = new MemoryStorage()): Memory {
  const m = new Memory({ embedder, vectorStore: { provider: 'flat' }, storage })
  memories.push(m)
  return m
}
afterEach(async () => {
  await Promise.all(memories.splice(0).map((m) => m.close()))
})

const LONE = '\ud800'
const rejection = (promise: Promise<unknown>): Promise<unknown> =>
  promise.then(
    () => undefined,
    (e: unknown) => e,
  )

function nestedFilter(depth: number): Filter {
  let filter: Filter = { topic: 'x' }
  for (let i = 0; i < depth; i++) filter = i % 3 === 0 ? { NOT: filter } : i % 3 === 1 ? { AND: [filter] } : { OR: [filter] }
  return filter
}

function andNested(depth: number): Filter {
  let filter: Filter = { topic: 'x' }
  for (let i = 1; i < depth; i++) filter = { AND: [filter] }
  return filter
}

function nestedValue(depth: number): JsonObject {
  let value: JsonObject = { leaf: 1 }
  for (let i = 0; i < depth; i++) value = { inner: value }
  return value
}

describe('ids and text with a lone UTF-16 surrogate', () => {
  it('refuses scope ids with ValidationError naming the option, for every operation and scope id', async () => {
    const storage = new MemoryStorage()
    const m = memory(new HashEmbedder(), storage)
    for (const option of ['userId', 'agentId', 'runId'] as const) {
      const scope = { [option]: `ab${LONE}` }
      for (const call of [
        () => m.add('x', { ...scope, infer: false }),
        () => m.search('x', scope),
        () => m.getAll(scope),
        () => m.deleteAll(scope),
      ]) {
        const error = await rejection(call())
        expect(error).toBeInstanceOf(ValidationError)
        expect((error as Error).message).toMatch(new RegExp(`${option} must be well-formed Unicode`))
      }
    }
    expect(await storage.list('')).toEqual([])
  })

  it('refuses memory ids with ValidationError (get, history, update, delete)', async () => {
    const m = memory()
    for (const call of [() => m.get(LONE), () => m.history(LONE), () => m.update(LONE, 'y'), () => m.delete(LONE)]) {
      const error = await rejection(call())
      expect(error).toBeInstanceOf(ValidationError)
      expect((error as Error).message).toMatch(/id must be well-formed Unicode/)
    }
  })

  it('refuses message text and metadata strings that would be stored as a different string', async () => {
    const storage = new MemoryStorage()
    const m = memory(new HashEmbedder(), storage)
    expect(await rejection(m.add(`note ${LONE}`, { userId: 'u', infer: false }))).toBeInstanceOf(ValidationError)
    const meta = await rejection(m.add('note', { userId: 'u', infer: false, metadata: { tags: ['ok', `bad${LONE}`] } }))
    expect(meta).toBeInstanceOf(ValidationError)
    expect((meta as Error).message).toMatch(/metadata\.tags\[1\] must be well-formed Unicode/)
    expect(await storage.list('')).toEqual([])
  })

  it('accepts well-formed text outside the BMP and outside ASCII, in ids and text', async () => {
    const m = memory()
    const { results } = await m.add('likes 🎻 and ид', { userId: 'ид-😀', infer: false, metadata: { mood: '😀' } })
    expect(results).toHaveLength(1)
    expect((await m.getAll({ userId: 'ид-😀' })).results.map((r) => r.memory)).toEqual(['likes 🎻 and ид'])
    expect((await m.get(results[0]!.id))?.metadata).toMatchObject({ mood: '😀' })
  })
})

describe('deep nesting', () => {
  it('refuses a filter nested 20,000 levels with FilterError (no RangeError), and accepts 31 levels', async () => {
    const m = memory()
    await m.add('topic note', { userId: 'u', infer: false, metadata: { topic: 'x' } })
    for (const call of [
      () => m.search('note', { userId: 'u', filters: nestedFilter(20_000) }),
      () => m.getAll({ userId: 'u', filters: nestedFilter(20_000) }),
    ]) {
      const error = await rejection(call())
      expect(error).toBeInstanceOf(FilterError)
      expect((error as Error).message).toMatch(/nest deeper than 32 levels/)
    }
    expect(() => parseFilter(nestedFilter(3_000))).toThrow(FilterError)
    expect((await m.getAll({ userId: 'u', filters: andNested(31) })).results).toHaveLength(1)
  })

  it('refuses metadata nested 3,000 levels with ValidationError, nothing written', async () => {
    const storage = new MemoryStorage()
    const m = memory(new HashEmbedder(), storage)
    const error = await rejection(m.add('x', { userId: 'u', infer: false, metadata: nestedValue(3_000) }))
    expect(error).toBeInstanceOf(ValidationError)
    expect((error as Error).message).toMatch(/nests deeper than 8 levels/)
    expect(await storage.list('')).toEqual([])
  })
})

describe('filters on names Object.prototype also has', () => {
  const inherited = ['toString', 'constructor', 'valueOf', 'hasOwnProperty', '__proto__', 'isPrototypeOf']

  it('a field that no payload has matches nothing, whatever its name (parse + compile)', () => {
    const payload: JsonObject = { user_id: 'u', data: 'x' }
    for (const name of inherited) {
      // JSON.parse makes `__proto__` an own key, as a REST body does.
      const exists = JSON.parse(`{"${name}": "*"}`) as Filter
      expect(compileFilter(parseFilter(exists))(payload)).toBe(false)
      expect(compileFilter(parseFilter(JSON.parse(`{"${name}": {"ne": "x"}}`) as Filter))(payload)).toBe(true)
      expect(compileFilter(parseFilter({ NOT: exists }))(payload)).toBe(true)
      expect(compileFilter(parseFilter(JSON.parse(`{"${name}": {"gte": ""}}`) as Filter))(payload)).toBe(false)
    }
  })

  it('through the Memory API', async () => {
    const m = memory()
    await m.add('one', { userId: 'u', infer: false })
    await m.add('two', { userId: 'u', infer: false, metadata: { toString: 'set' } })
    const all = async (filters: Filter) => (await m.getAll({ userId: 'u', filters })).results.map((r) => r.memory).sort()
    expect(await all({ toString: '*' })).toEqual(['two'])
    expect(await all({ constructor: '*' })).toEqual([])
    expect(await all({ valueOf: { ne: 'x' } })).toEqual(['one', 'two'])
    expect(await all({ NOT: { hasOwnProperty: '*' } })).toEqual(['one', 'two'])
  })
})

describe('embedder output that is not a usable vector', () => {
  const answering = (vector: unknown[]): Embedder => ({ embed: async (texts) => texts.map(() => vector as number[]) })

  it('refuses numeric strings instead of converting them, nothing written', async () => {
    const storage = new MemoryStorage()
    const error = await rejection(memory(answering(['0.1', '0.2', '0.3']), storage).add('x', { userId: 'u', infer: false }))
    expect(error).toBeInstanceOf(EmbeddingError)
    expect((error as Error).message).toMatch(/string at \[0\]\[0\], not a number/)
    expect(await storage.list('')).toEqual([])
  })

  it('refuses an all-zero vector (no direction), nothing written', async () => {
    const storage = new MemoryStorage()
    const error = await rejection(memory(answering([0, 0, 0, 0]), storage).add('x', { userId: 'u', infer: false }))
    expect(error).toBeInstanceOf(EmbeddingError)
    expect((error as Error).message).toMatch(/all-zero vector/)
    expect(await storage.list('')).toEqual([])
  })
})

describe('deadlines on embedder and LLM calls', () => {
  it('a custom embedder that never resolves fails the call at timeouts.embedderMs, and a write behind it proceeds', async () => {
    let calls = 0
    const hangsOnce: Embedder = {
      embed: (texts) => {
        calls++
        return calls === 1 ? new Promise(() => {}) : new HashEmbedder().embed(texts)
      },
    }
    const storage = new MemoryStorage()
    const m = new Memory({ embedder: hangsOnce, vectorStore: { provider: 'flat' }, storage, timeouts: { embedderMs: 300 } })
    memories.push(m)
    const started = Date.now()
    const first = rejection(m.add('stuck', { userId: 'u', infer: false }))
    const second = m.add('behind it', { userId: 'u', infer: false })
    const error = await first
    expect(error).toBeInstanceOf(EmbeddingError)
    expect((error as Error).message).toMatch(/did not answer within 300 ms \(timeouts\.embedderMs\)/)
    expect((await second).results.map((r) => r.memory)).toEqual(['behind it'])
    expect(Date.now() - started).toBeLessThan(5_000)
    expect((await m.getAll({ userId: 'u' })).results.map((r) => r.memory)).toEqual(['behind it'])
  })

  it('an LLM that never answers fails with LLMError at timeouts.llmMs, its request aborted, nothing written', async () => {
    let signal: AbortSignal | undefined
    const silent: LLM = {
      complete: (request) => {
        signal = request.signal
        return new Promise(() => {})
      },
    }
    const storage = new MemoryStorage()
    const m = new Memory({
      embedder: new HashEmbedder(),
      vectorStore: { provider: 'flat' },
      storage,
      llm: silent,
      timeouts: { llmMs: 200 },
    })
    memories.push(m)
    const error = await rejection(m.add('I play chess', { userId: 'u' }))
    expect(error).toBeInstanceOf(LLMError)
    expect((error as Error).message).toMatch(/did not answer within 200 ms/)
    expect(signal?.aborted).toBe(true)
    expect(await storage.list('')).toEqual([])
  })

  it('refuses timeouts that are not positive integers, naming the field', () => {
    expect(() => new Memory({ timeouts: { embedderMs: -1 } })).toThrow(/timeouts\.embedderMs/)
    expect(() => new Memory({ timeouts: { llmMs: 1.5 } })).toThrow(ConfigError)
  })
})

describe('onOperation: per-operation events for metrics', () => {
  it('reports every public call with its duration and outcome, and a throwing hook changes nothing', async () => {
    const events: OperationEvent[] = []
    const m = new Memory({
      embedder: new HashEmbedder(),
      vectorStore: { provider: 'flat' },
      storage: new MemoryStorage(),
      collection: 'observed',
      onOperation: (event) => {
        events.push(event)
        throw new Error('a broken observer')
      },
    })
    memories.push(m)
    const { results } = await m.add('plays the cello', { userId: 'u', infer: false })
    await m.search('cello', { userId: 'u' })
    await m.get(results[0]!.id)
    await rejection(m.update('missing-id', 'x'))
    await rejection(m.getAll({}))
    expect(events.map((e) => [e.operation, e.outcome, e.errorCode])).toEqual([
      ['add', 'ok', undefined],
      ['search', 'ok', undefined],
      ['get', 'ok', undefined],
      ['update', 'error', 'NOT_FOUND'],
      ['getAll', 'error', 'VALIDATION'],
    ])
    for (const e of events) {
      expect(e.collection).toBe('observed')
      expect(e.durationMs).toBeGreaterThanOrEqual(0)
    }
    expect(() => new Memory({ onOperation: 'log' as never })).toThrow(/onOperation/)
  })
})
