import { describe, expect, it } from 'vitest'
import { and } from '../../../src/filters/ast.ts'
import type { KeyValueCondition, KeyValueOp, KeyValueStore } from '../../../src/interfaces/key-value-store.ts'
import type { Payload } from '../../../src/interfaces/vector-store.ts'
import { LocalVectorStore } from '../../../src/local/local-vector-store.ts'
import { MemoryStorage } from '../../../src/providers/storage/memory.ts'
import { randomVector, seeded } from '../../conformance/vector-store.ts'

/** Shared storage whose every call waits a random few milliseconds first, to shuffle interleavings. */
class JitteryStorage implements KeyValueStore {
  readonly name = 'jittery'
  readonly atomicBatch = true
  private readonly inner: MemoryStorage
  private readonly random: () => number
  constructor(inner: MemoryStorage, seed: number) {
    this.inner = inner
    this.random = seeded(seed)
  }
  private wait(): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, Math.floor(this.random() * 4)))
  }
  async get(key: string) {
    await this.wait()
    return this.inner.get(key)
  }
  async list(prefix: string) {
    await this.wait()
    return this.inner.list(prefix)
  }
  async set(key: string, value: Uint8Array) {
    await this.wait()
    return this.inner.set(key, value)
  }
  async delete(key: string) {
    await this.wait()
    return this.inner.delete(key)
  }
  async batch(ops: KeyValueOp[]) {
    await this.wait()
    return this.inner.batch(ops)
  }
  async commitIf(ops: KeyValueOp[], conditions: KeyValueCondition[]) {
    await this.wait()
    return this.inner.commitIf(ops, conditions)
  }
}

const DIMS = 8
const open = (storage: KeyValueStore): LocalVectorStore =>
  new LocalVectorStore({ name: 'flat', storage, collection: 'shared', compactAfterEntries: 5, compactAfterBytes: 1 })

async function everything(store: LocalVectorStore): Promise<Map<string, Payload>> {
  const out = new Map<string, Payload>()
  let cursor: string | undefined
  do {
    const page = await store.list({ filter: and(), scope: {}, limit: 50, cursor })
    for (const r of page.records) out.set(r.id, r.payload)
    cursor = page.nextCursor
  } while (cursor)
  return out
}

describe('several writers of one storage (tabs, processes)', () => {
  for (const seed of [1, 2, 3]) {
    it(`loses no acknowledged write when two stores write the same partition concurrently (seed ${seed})`, async () => {
      const disk = new MemoryStorage()
      const writers = [open(new JitteryStorage(disk, seed)), open(new JitteryStorage(disk, seed + 100))]
      await Promise.all(writers.map((w) => w.init({ dimensions: DIMS })))
      const expected = new Map<string, Payload>()
      await Promise.all(
        writers.map(async (store, w) => {
          const random = seeded(seed * 10 + w)
          for (let i = 0; i < 40; i++) {
            const id = `w${w}-${i}`
            const payload = { user_id: 'shared-user', memory: `${id} text`, n: i }
            await store.upsert([{ id, vector: randomVector(random, DIMS), payload }])
            expected.set(id, payload)
            if (i % 7 === 6) {
              const gone = `w${w}-${i - 3}`
              await store.delete([gone])
              expected.delete(gone)
            }
          }
        }),
      )
      const reader = open(disk)
      await reader.init({ dimensions: DIMS })
      const found = await everything(reader)
      expect([...found.keys()].sort()).toEqual([...expected.keys()].sort())
      for (const [id, payload] of expected) expect(found.get(id)).toEqual(payload)
      const hits = await reader.search({
        vector: randomVector(seeded(5), DIMS),
        topK: 100,
        filter: and(),
        scope: { user_id: 'shared-user' },
      })
      expect(hits).toHaveLength(expected.size)
    })
  }
})
