import { afterEach, describe, expect, it, setSystemTime, useRealTime } from '../../harness.ts'
import {
  ConfigError,
  EmbeddingError,
  Memory,
  MemoryStorage,
  StorageError,
  ValidationError,
  registerProvider,
  type Embedder,
  type KeyValueStore,
  type MemoryConfig,
  type VectorStore,
} from '../../../src/index.ts'
import { LocalVectorStore } from '../../../src/local/local-vector-store.ts'
import { HashEmbedder } from '../../support/hash-embedder.ts'
import { describeMemoryContract } from '../../conformance/memory.ts'

// The custom provider registered below, typed the way an app types its own (docs/architecture.md).
declare module '../../../src/index.ts' {
  interface EmbedderProviders {
    'test-length': Record<string, never>
  }
}

const memories: Memory[] = []
function memory(config: MemoryConfig = {}): Memory {
  const m = new Memory({ embedder: new HashEmbedder(), vectorStore: { provider: 'flat' }, storage: new MemoryStorage(), ...config })
  memories.push(m)
  return m
}
afterEach(async () => {
  useRealTime()
  await Promise.all(memories.splice(0).map((m) => m.close()))
})

// The contract every MemoryApi shows (RemoteMemory + the Worker runs it too: test/workers/worker-remote-memory.test.ts).
describeMemoryContract('Memory (in-process, flat store, hash embedder)', async () => memory())

describe('config validation (synchronous, ConfigError naming the field)', () => {
  const cases: [string, unknown, string][] = [
    ['unknown provider', { vectorStore: { provider: 'nope' } }, 'vectorStore.provider'],
    ['unknown top-level key', { vectorstore: { provider: 'flat' } }, 'vectorstore'],
    ['wrong type', { history: { enabled: 'yes' } }, 'history.enabled'],
    ['unknown provider config key', { vectorStore: { provider: 'flat', config: { size: 3 } } }, 'vectorStore.config.size'],
    [
      'provider config wrong type',
      { vectorStore: { provider: 'flat', config: { memoryBudgetMB: 'big' } } },
      'vectorStore.config.memoryBudgetMB',
    ],
    ['spec without provider name', { storage: { config: {} } }, 'storage'],
    ['instance missing methods', { embedder: { embedd: () => [] } }, 'embedder'],
    ['bad collection name', { collection: 'has space' }, 'collection'],
    ['several unknown keys name the first', { colour: 1, size: 2 }, 'colour'],
  ]
  for (const [label, config, field] of cases) {
    it(label, () => {
      let error: unknown
      try {
        new Memory({
          embedder: new HashEmbedder(),
          storage: new MemoryStorage(),
          vectorStore: { provider: 'flat' },
          ...(config as object),
        } as MemoryConfig)
      } catch (err) {
        error = err
      }
      expect(error).toBeInstanceOf(ConfigError)
      expect((error as ConfigError).code).toBe('CONFIG')
      expect((error as ConfigError).field).toBe(field)
      expect((error as ConfigError).message).toContain(field)
    })
  }

  it('rejects a config that is not an object', () => {
    expect(() => new Memory('flat' as unknown as MemoryConfig)).toThrow(ConfigError)
  })

  it('lists the registered providers when the name is unknown', () => {
    // An explicit embedder: the default (transformers) is itself a ConfigError in workerd.
    // @ts-expect-error an unknown provider is also a type error; this checks the run-time one
    expect(() => new Memory({ embedder: new HashEmbedder(), vectorStore: { provider: 'nope' } })).toThrow(/registered: .*flat/)
  })

  it('accepts instances in place of provider specs and registered custom providers', async () => {
    const seen: string[][] = []
    const embedder: Embedder = {
      dimensions: 3,
      embed: async (texts) => {
        seen.push(texts)
        return texts.map((t) => [t.length, 1, 0])
      },
    }
    registerProvider('embedder', 'test-length', () => embedder)
    const m = memory({ embedder: { provider: 'test-length' } })
    await m.add('hello', { userId: 'u' })
    expect(seen).toEqual([['hello']])
  })
})

describe('add with infer: false', () => {
  it('dedups through the store’s findByHashes when it has one, else through list with a hash filter', async () => {
    for (const capable of [true, false]) {
      const storage = new MemoryStorage()
      const store = new LocalVectorStore({ name: 'flat', storage, collection: 'memories' })
      const calls: string[] = []
      const spied: VectorStore = new Proxy(store, {
        get(target, key) {
          if (key === 'findByHashes' && !capable) return undefined
          const value = Reflect.get(target, key, target)
          if (typeof value !== 'function') return value
          return (...args: unknown[]) => {
            if (key === 'findByHashes' || key === 'list') calls.push(String(key))
            return value.apply(target, args)
          }
        },
      })
      const m = memory({ vectorStore: spied, storage })
      await m.add('Likes green tea', { userId: 'alice' })
      const second = await m.add(
        ['Likes green tea', 'Drinks coffee'].map((content) => ({ role: 'user', content })),
        { userId: 'alice' },
      )
      expect(second.results.map((r) => r.memory)).toEqual(['Drinks coffee'])
      expect(calls.includes('findByHashes'), String(capable)).toBe(capable)
      expect(calls.includes('list'), String(capable)).toBe(!capable)
    }
  })

  it('rejects missing scope, bad messages, reserved or malformed metadata, bad dates', async () => {
    const m = memory()
    await expect(m.add('x', {})).rejects.toBeInstanceOf(ValidationError)
    await expect(m.add('x', { userId: '' })).rejects.toThrow(/userId/)
    await expect(m.add([], { userId: 'u' })).rejects.toThrow(/empty/)
    await expect(m.add([{ role: 'user' } as never], { userId: 'u' })).rejects.toThrow(/messages\[0\]/)
    await expect(m.add('x', { userId: 'u', metadata: { hash: 'mine' } })).rejects.toThrow(/reserved/)
    await expect(m.add('x', { userId: 'u', metadata: { 'bad key': 1 } })).rejects.toThrow(/not allowed/)
    await expect(m.add('x', { userId: 'u', metadata: { n: Number.NaN } })).rejects.toThrow(/finite/)
    await expect(m.add('x', { userId: 'u', expirationDate: '2026-02-30' })).rejects.toThrow(/YYYY-MM-DD/)
    await expect(m.add('x', { userId: 'u', infer: true })).rejects.toBeInstanceOf(ConfigError)
    expect((await m.getAll({ userId: 'u' })).results).toEqual([])
  })
})

describe('history and reset', () => {
  it('history can be disabled', async () => {
    const m = memory({ history: { enabled: false } })
    const [a] = (await m.add('x y z', { userId: 'u' })).results
    expect(await m.history(a!.id)).toEqual([])
  })

  it('reset removes everything and the memory stays usable', async () => {
    const storage = new MemoryStorage()
    const m = memory({ storage })
    const [a] = (await m.add('to be reset', { userId: 'u' })).results
    await m.reset()
    expect(await m.get(a!.id)).toBeNull()
    expect(await m.history(a!.id)).toEqual([])
    expect(await storage.list('memories/')).toEqual([])
    await m.add('after reset', { userId: 'u' })
    expect((await m.getAll({ userId: 'u' })).results).toHaveLength(1)
  })
})

describe('expiration', () => {
  it('hides expired memories from search and getAll from the day after the date; get still finds them', async () => {
    setSystemTime(new Date('2026-03-10T12:00:00Z'))
    const m = memory()
    const [short] = (await m.add('Parking spot 12B', { userId: 'u', expirationDate: '2026-03-10' })).results
    await m.add('Parking rules apply', { userId: 'u' })
    expect((await m.search('parking', { userId: 'u' })).results).toHaveLength(2)
    setSystemTime(new Date('2026-03-10T23:59:59Z'))
    expect((await m.getAll({ userId: 'u' })).results).toHaveLength(2)
    setSystemTime(new Date('2026-03-11T00:00:00Z'))
    expect((await m.search('parking', { userId: 'u' })).results.map((r) => r.memory)).toEqual(['Parking rules apply'])
    expect((await m.getAll({ userId: 'u' })).results).toHaveLength(1)
    expect((await m.get(short!.id))!.expirationDate).toBe('2026-03-10')
    // An expired duplicate does not block adding the same content again.
    expect((await m.add('Parking spot 12B', { userId: 'u' })).results).toHaveLength(1)
  })
})

describe('failures lose nothing', () => {
  it('an embedder failure is an EmbeddingError and writes nothing', async () => {
    const broken: Embedder = { embed: async () => Promise.reject(new Error('GPU on fire')) }
    const storage = new MemoryStorage()
    const m = memory({ embedder: broken, storage })
    await expect(m.add('x', { userId: 'u' })).rejects.toThrow(EmbeddingError)
    expect(await storage.list('')).toEqual([])
  })

  it('an embedder returning the wrong count is rejected', async () => {
    const m = memory({ embedder: { embed: async () => [] } })
    await expect(m.add('x', { userId: 'u' })).rejects.toThrow(/0 vectors for 1 texts/)
  })

  it('a storage failure after the vector write rolls the vector write back', async () => {
    const inner = new MemoryStorage()
    let failHistory = false
    const storage: KeyValueStore = {
      name: 'flaky',
      get: (k) => inner.get(k),
      delete: (k) => inner.delete(k),
      list: (p) => inner.list(p),
      set: async (k, v) => {
        if (failHistory && k.includes('/history/')) throw new DOMException('quota exceeded', 'QuotaExceededError')
        return inner.set(k, v)
      },
    }
    const m = memory({ storage })
    const [kept] = (await m.add('kept memory', { userId: 'u' })).results
    failHistory = true
    await expect(m.add('lost memory', { userId: 'u' })).rejects.toBeInstanceOf(StorageError)
    await expect(m.update(kept!.id, 'changed text')).rejects.toBeInstanceOf(StorageError)
    failHistory = false
    expect((await m.getAll({ userId: 'u' })).results.map((r) => r.memory)).toEqual(['kept memory'])
    expect((await m.search('changed text', { userId: 'u' })).results.map((r) => r.memory)).toEqual(['kept memory'])
  })

  it('when the undo fails too, the error thrown is the original one and carries rollbackError', async () => {
    const inner = new MemoryStorage()
    let armed = false
    let broken = false
    const storage: KeyValueStore = {
      name: 'failing',
      get: (k) => inner.get(k),
      list: (p) => inner.list(p),
      // The vector write succeeds, the history write fails, and from then on every write fails (the undo too).
      set: async (k, v) => {
        if (armed && k.includes('/history/')) broken = true
        if (broken) throw new DOMException(k.includes('/history/') ? 'quota exceeded' : 'storage closed', 'QuotaExceededError')
        return inner.set(k, v)
      },
      delete: async (k) => {
        if (broken) throw new DOMException('storage closed', 'InvalidStateError')
        return inner.delete(k)
      },
    }
    const m = memory({ storage })
    await m.add('first', { userId: 'u' })
    armed = true
    const err = (await m.add('second', { userId: 'u' }).catch((e: unknown) => e)) as StorageError
    expect(err).toBeInstanceOf(StorageError)
    expect(err.message).toMatch(/quota exceeded/)
    expect(err.rollbackError).toBeInstanceOf(StorageError)
    expect((err.rollbackError as Error).message).toMatch(/storage closed/)
  })

  it('data persists across Memory instances sharing a storage', async () => {
    const storage = new MemoryStorage()
    const first = memory({ storage })
    const [a] = (await first.add('Favourite colour is teal', { userId: 'u' })).results
    await first.close()
    const second = memory({ storage })
    expect((await second.search('colour', { userId: 'u' })).results[0]!.id).toBe(a!.id)
    expect((await second.history(a!.id)).map((h) => h.event)).toEqual(['ADD'])
  })
})

describe('config error messages', () => {
  it('say what was given for a wrong type', () => {
    // An explicit embedder: the default (transformers) is itself a ConfigError in workerd.
    const embedder = new HashEmbedder()
    // @ts-expect-error a wrong type is also a type error; this checks the run-time message
    expect(() => new Memory({ embedder, vectorStore: { provider: 'flat', config: { memoryBudgetMB: 'big' } } })).toThrow(
      'vectorStore.config.memoryBudgetMB: expected number, got string',
    )
    expect(() => new Memory({ embedder, history: { enabled: 1 as unknown as boolean } })).toThrow(
      'history.enabled: expected boolean, got number',
    )
  })
})

describe('entities', () => {
  it('lists every user, agent and run with its unexpired memories, by type then id', async () => {
    const m = memory()
    expect(await m.entities()).toEqual([])
    setSystemTime(new Date('2026-04-01T10:00:00Z'))
    await m.add('Likes tea', { userId: 'bob', runId: 'r1' })
    setSystemTime(new Date('2026-04-02T10:00:00Z'))
    await m.add(
      ['Likes jazz', 'Has a dog'].map((content) => ({ role: 'user', content })),
      { userId: 'alice' },
    )
    await m.add('Answers briefly', { agentId: 'tutor' })
    await m.add('Short-lived', { userId: 'carol', expirationDate: '2026-04-02' })
    setSystemTime(new Date('2026-04-03T10:00:00Z'))
    expect(await m.entities()).toEqual([
      { type: 'user', id: 'alice', memories: 2, createdAt: '2026-04-02T10:00:00.000Z', updatedAt: '2026-04-02T10:00:00.000Z' },
      { type: 'user', id: 'bob', memories: 1, createdAt: '2026-04-01T10:00:00.000Z', updatedAt: '2026-04-01T10:00:00.000Z' },
      { type: 'agent', id: 'tutor', memories: 1, createdAt: '2026-04-02T10:00:00.000Z', updatedAt: '2026-04-02T10:00:00.000Z' },
      { type: 'run', id: 'r1', memories: 1, createdAt: '2026-04-01T10:00:00.000Z', updatedAt: '2026-04-01T10:00:00.000Z' },
    ])
    await m.deleteAll({ userId: 'bob' })
    expect((await m.entities()).map((e) => `${e.type}:${e.id}`)).toEqual(['user:alice', 'agent:tutor'])
  })
})
