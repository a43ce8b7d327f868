import fc from 'fast-check'
import { afterEach, describe, expect, it } from '../../harness.ts'
import { Memory, MemoryStorage, isEdgememError } from '../../../src/index.ts'
import { HashEmbedder } from '../../support/hash-embedder.ts'

/**
 * The library's public methods under hostile arguments (wrong types, unicode and lone surrogates, huge
 * strings, deep nesting, hostile keys, extreme numbers). The property: every call resolves or rejects
 * with a typed edgemem error (never a TypeError, RangeError or URIError), and the memory still answers
 * correctly afterwards. Seeded and bounded; FUZZ_SEED replays a run.
 */
const SEED = Number(globalThis.process?.env?.FUZZ_SEED ?? 20261205)

const memories: Memory[] = []
afterEach(async () => {
  await Promise.all(memories.splice(0).map((m) => m.close()))
})

const hostileString = fc.oneof(
  fc.string({ maxLength: 30 }),
  fc.string({ unit: 'grapheme', maxLength: 30 }),
  fc.constantFrom('\ud800', 'a\udfff', '', ' ', '*', '__proto__', 'constructor', 'toString', 'ид-😀', '%E0%A4%A', 'x'.repeat(300)),
)
const extreme = fc.oneof(fc.integer(), fc.double(), fc.constantFrom(0, -1, 1e308, Number.NaN, Number.POSITIVE_INFINITY, 10_001))
const hostileKey = fc.oneof(
  fc.string({ maxLength: 10 }),
  fc.constantFrom('__proto__', 'constructor', 'toString', 'AND', 'OR', 'NOT', '$or', '_x', 'user_id', 'topic'),
)
function deep(depth: number): unknown {
  let value: unknown = { topic: 'x' }
  for (let i = 0; i < depth; i++) value = i % 2 ? { NOT: value } : { AND: [value] }
  return value
}
const value: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  any: fc.oneof(
    { depthSize: 'small' },
    hostileString,
    extreme,
    fc.boolean(),
    fc.constantFrom(null, undefined),
    tie('array'),
    tie('object'),
    fc.constantFrom(3_000, 20_000).map(deep),
  ),
  array: fc.array(tie('any'), { maxLength: 3 }),
  object: fc.dictionary(hostileKey, tie('any'), { maxKeys: 3 }),
})).any
const scopeish = fc.oneof(
  value,
  fc.record(
    { userId: fc.oneof(hostileString, value), filters: value, topK: extreme, metadata: value, infer: fc.constant(false) },
    { requiredKeys: [] },
  ),
  fc.record(
    { userId: fc.constantFrom('fuzz'), filters: value, topK: extreme, threshold: extreme, metadata: value, infer: fc.constant(false) },
    { requiredKeys: ['userId'] },
  ),
)

type Call = (m: Memory) => Promise<unknown>
const call: fc.Arbitrary<{ name: string; run: Call }> = fc.oneof(
  fc.tuple(value, scopeish).map(([a, b]) => ({ name: 'add', run: (m: Memory) => m.add(a as never, b as never) })),
  fc.tuple(value, scopeish).map(([a, b]) => ({ name: 'search', run: (m: Memory) => m.search(a as never, b as never) })),
  scopeish.map((a) => ({ name: 'getAll', run: (m: Memory) => m.getAll(a as never) })),
  scopeish.map((a) => ({ name: 'deleteAll', run: (m: Memory) => m.deleteAll(a as never) })),
  value.map((a) => ({ name: 'get', run: (m: Memory) => m.get(a as never) })),
  value.map((a) => ({ name: 'history', run: (m: Memory) => m.history(a as never) })),
  value.map((a) => ({ name: 'delete', run: (m: Memory) => m.delete(a as never) })),
  fc.tuple(value, value).map(([a, b]) => ({ name: 'update', run: (m: Memory) => m.update(a as never, b as never) })),
)

describe('fuzzing the public Memory methods', () => {
  it('resolves or throws a typed edgemem error for every call, and still answers correctly afterwards', async () => {
    const m = new Memory({ embedder: new HashEmbedder(), vectorStore: { provider: 'flat' }, storage: new MemoryStorage() })
    memories.push(m)
    const canary = (await m.add('canary: plays the cello', { userId: 'canary', infer: false })).results[0]!
    let calls = 0
    let typed = 0
    await fc.assert(
      fc.asyncProperty(fc.array(call, { minLength: 1, maxLength: 5 }), async (calls_) => {
        for (const { name, run } of calls_) {
          calls++
          try {
            await run(m)
          } catch (err) {
            if (!isEdgememError(err)) throw new Error(`${name} threw an untyped ${(err as Error)?.name}: ${(err as Error)?.message}`)
            typed++
          }
        }
      }),
      { seed: SEED, numRuns: 150, interruptAfterTimeLimit: 30_000 },
    )
    console.log(`library fuzz: seed ${SEED}, ${calls} calls, ${typed} typed errors`)
    expect(calls).toBeGreaterThan(100)
    expect((await m.get(canary.id))?.memory).toBe('canary: plays the cello')
    expect((await m.search('cello', { userId: 'canary' })).results.map((r) => r.memory)).toEqual(['canary: plays the cello'])
    await m.add('after the fuzz', { userId: 'fresh', infer: false })
    expect((await m.getAll({ userId: 'fresh' })).results.map((r) => r.memory)).toEqual(['after the fuzz'])
  }, 120_000)
})
