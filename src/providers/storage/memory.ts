import * as z from 'zod/mini'
import type { KeyValueCondition, KeyValueOp, KeyValueStore } from '../../interfaces/key-value-store.ts'
import { bytesEqual } from '../../util/bytes.ts'

export const memoryStorageSchema = z.strictObject({})

/**
 * Process-local storage. Values are copied in and out so callers can never mutate what is stored,
 * matching the behaviour of persistent drivers.
 */
export class MemoryStorage implements KeyValueStore {
  readonly name = 'memory'
  readonly atomicBatch = true
  private readonly data = new Map<string, Uint8Array>()

  async get(key: string): Promise<Uint8Array | null> {
    const value = this.data.get(key)
    return value ? value.slice() : null
  }

  async set(key: string, value: Uint8Array): Promise<void> {
    this.data.set(key, value.slice())
  }

  async delete(key: string): Promise<void> {
    this.data.delete(key)
  }

  async list(prefix: string): Promise<string[]> {
    const keys: string[] = []
    for (const key of this.data.keys()) if (key.startsWith(prefix)) keys.push(key)
    return keys.sort()
  }

  async commitIf(ops: KeyValueOp[], conditions: KeyValueCondition[]): Promise<boolean> {
    // One synchronous step: nothing can interleave between the checks and the writes.
    if (!conditions.every((c) => bytesEqual(this.data.get(c.key) ?? null, c.equals))) return false
    this.applyAll(ops)
    return true
  }

  async batch(ops: KeyValueOp[]): Promise<void> {
    this.applyAll(ops)
  }

  private applyAll(ops: KeyValueOp[]): void {
    for (const op of ops) {
      if (op.value === null) this.data.delete(op.key)
      else this.data.set(op.key, op.value.slice())
    }
  }

  /** Total bytes held (keys and values), for benchmarks and memory budgets. */
  get sizeBytes(): number {
    let total = 0
    for (const [key, value] of this.data) total += key.length + value.byteLength
    return total
  }
}

export function createMemoryStorage(): KeyValueStore {
  return new MemoryStorage()
}
