import type { KeyValueCondition, KeyValueOp, KeyValueStore } from '../../src/interfaces/key-value-store.ts'
import type { MemoryStorage } from '../../src/providers/storage/memory.ts'

export class Crash extends Error {}

/** How the storage writes: one value at a time (KV), atomic batches, or conditional atomic commits. */
export type Mode = 'sequential' | 'atomic' | 'conditional'

/**
 * Storage that dies at its N-th write (a set, a delete, or an atomic batch): that write and every
 * later call fail, as if the process had been killed. What reached `disk` stays.
 */
export class CrashingStorage implements KeyValueStore {
  readonly name = 'crashing'
  readonly atomicBatch: boolean
  readonly maxValueBytes = 4096
  writes = 0
  crashed = false
  readonly disk: MemoryStorage
  private readonly crashAt: number
  batch?: (ops: KeyValueOp[]) => Promise<void>

  commitIf?: (ops: KeyValueOp[], conditions: KeyValueCondition[]) => Promise<boolean>

  constructor(disk: MemoryStorage, crashAt: number, mode: Mode) {
    this.disk = disk
    this.crashAt = crashAt
    this.atomicBatch = mode !== 'sequential'
    if (mode !== 'sequential') this.batch = async (ops) => this.write(() => this.disk.batch(ops))
    if (mode === 'conditional') {
      this.commitIf = async (ops, conditions) => {
        let done = false
        await this.write(async () => {
          done = await this.disk.commitIf(ops, conditions)
        })
        return done
      }
    }
  }

  private alive(): void {
    if (this.crashed) throw new Crash('process is dead')
  }

  private async write(apply: () => Promise<void>): Promise<void> {
    this.alive()
    this.writes++
    if (this.writes === this.crashAt) {
      this.crashed = true
      throw new Crash(`crashed at write ${this.crashAt}`)
    }
    await apply()
  }

  async get(key: string): Promise<Uint8Array | null> {
    this.alive()
    return this.disk.get(key)
  }
  async list(prefix: string): Promise<string[]> {
    this.alive()
    return this.disk.list(prefix)
  }
  set(key: string, value: Uint8Array): Promise<void> {
    return this.write(() => this.disk.set(key, value))
  }
  delete(key: string): Promise<void> {
    return this.write(() => this.disk.delete(key))
  }
}
