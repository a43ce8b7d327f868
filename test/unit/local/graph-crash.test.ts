import { describe, expect, it } from 'vitest'
import type { GraphRelation, GraphWrite } from '../../../src/interfaces/graph-store.ts'
import type { KeyValueCondition, KeyValueOp, KeyValueStore } from '../../../src/interfaces/key-value-store.ts'
import { LocalGraphStore } from '../../../src/local/graph/local-graph-store.ts'
import { MemoryStorage } from '../../../src/providers/storage/memory.ts'

class Crash extends Error {}

/** Storage that dies at its N-th write: that write and every later call fail; what reached `disk` stays. */
class CrashingStorage implements KeyValueStore {
  readonly name = 'crashing'
  readonly maxValueBytes = 600
  writes = 0
  crashed = false
  commitIf?: (ops: KeyValueOp[], conditions: KeyValueCondition[]) => Promise<boolean>
  readonly disk: MemoryStorage
  private readonly crashAt: number
  constructor(disk: MemoryStorage, crashAt: number, conditional: boolean) {
    this.disk = disk
    this.crashAt = crashAt
    if (conditional) {
      this.commitIf = async (ops, conditions) => {
        let done = false
        await this.write(async () => {
          done = await this.disk.commitIf(ops, conditions)
        })
        return done
      }
    }
  }
  private async write(apply: () => Promise<void>): Promise<void> {
    if (this.crashed) throw new Crash('dead')
    if (++this.writes === this.crashAt) {
      this.crashed = true
      throw new Crash(`crashed at write ${this.crashAt}`)
    }
    await apply()
  }
  async get(key: string) {
    if (this.crashed) throw new Crash('dead')
    return this.disk.get(key)
  }
  async list(prefix: string) {
    if (this.crashed) throw new Crash('dead')
    return this.disk.list(prefix)
  }
  set(key: string, value: Uint8Array) {
    return this.write(() => this.disk.set(key, value))
  }
  delete(key: string) {
    return this.write(() => this.disk.delete(key))
  }
}

const T = '2026-01-01T00:00:00.000Z'
/** Writes with long names (multi-part log entries at 600-byte values), invalidations and forgetting, over compactions. */
function workload(): ((store: LocalGraphStore) => Promise<unknown>)[] {
  const w = (i: number): GraphWrite => ({
    scope: { user_id: 'alice' },
    entities: [{ name: `Entity ${i} ${'x'.repeat(120)}`, memoryIds: [`m${i}`] }],
    relations: [
      { source: 'Alice', relationship: 'knows', target: `Friend ${i} ${'y'.repeat(150)}`, memoryIds: [`m${i}`], validFrom: T },
      { source: 'Alice', relationship: 'lives_in', target: `City ${i}`, memoryIds: [`m${i}`], validFrom: T },
    ],
    invalidate: [],
  })
  const steps: ((store: LocalGraphStore) => Promise<unknown>)[] = []
  for (let i = 0; i < 6; i++) steps.push((s) => s.apply(w(i)))
  steps.push(async (s) => {
    const [first] = await s.listRelations({ scope: { user_id: 'alice' } })
    return s.apply({ scope: { user_id: 'alice' }, entities: [], relations: [], invalidate: [{ id: first!.id, at: T }] })
  })
  steps.push((s) => s.forgetMemories({ user_id: 'alice' }, ['m2']))
  steps.push((s) => s.apply(w(6)))
  return steps
}

const state = async (s: LocalGraphStore): Promise<string[]> =>
  (await s.listRelations({ scope: { user_id: 'alice' }, includeInvalidated: true }))
    .map((r: GraphRelation) => `${r.source}|${r.relationship}|${r.target}|${r.invalidatedAt}|${r.memoryIds.join(',')}`)
    .sort()

for (const conditional of [false, true]) {
  describe(`local graph store: crash between any two storage writes (${conditional ? 'commitIf' : 'plain'} storage)`, () => {
    it('loses no acknowledged write, applies the interrupted one fully or not at all, and always reloads', async () => {
      const open = (storage: KeyValueStore) => new LocalGraphStore({ storage, collection: 'crash', compactAfterEntries: 3 })
      // the states after each step, from a run without crashes
      const clean = open(new MemoryStorage())
      const expected: string[][] = [await state(clean)]
      for (const step of workload()) {
        await step(clean)
        expected.push(await state(clean))
      }
      let crashes = 0
      for (let crashAt = 1; crashAt < 400; crashAt++) {
        const disk = new MemoryStorage()
        const storage = new CrashingStorage(disk, crashAt, conditional)
        const store = open(storage)
        let acknowledged = 0
        for (const step of workload()) {
          try {
            await step(store)
            acknowledged++
          } catch (err) {
            if (!(err instanceof Crash) && !(err as { cause?: unknown }).cause) throw err
            break
          }
        }
        if (!storage.crashed) break
        crashes++
        const after = await state(open(disk))
        const ok = [expected[acknowledged], expected[acknowledged + 1]].some((e) => JSON.stringify(e) === JSON.stringify(after))
        expect(ok, `crash at write ${crashAt} after ${acknowledged} acknowledged steps`).toBe(true)
      }
      expect(crashes).toBeGreaterThan(20)
    })
  })
}
