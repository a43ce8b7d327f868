import { env } from 'cloudflare:workers'
import { runInDurableObject } from 'cloudflare:test'
import { DO_ROW_BYTES, DurableObjectKeyValueStore } from '../../workers/durable/do-storage.ts'
import type { KeyValueStore } from '../../src/interfaces/key-value-store.ts'
import { describeKeyValueStoreConformance } from '../conformance/key-value-store.ts'
import { describe, expect, it } from '../harness.ts'

// The Durable Object storage driver inside a real (SQLite-backed) MemoryShard object: every call runs
// in the object's own context, as the Memory inside it would make it.

type ShardStub = DurableObjectStub<import('../../workers/durable/memory-shard.ts').MemoryShard>

function freshObject(): ShardStub {
  return env.MEMORY_SHARDS!.get(env.MEMORY_SHARDS!.newUniqueId())
}

/** A KeyValueStore whose every call runs inside the object, on a driver over its storage. */
function storeIn(stub: ShardStub): KeyValueStore & { maxValueBytes: number; atomicBatch: boolean } {
  const inside = <T>(fn: (store: DurableObjectKeyValueStore) => Promise<T>): Promise<T> =>
    runInDurableObject(stub, (_instance, state) => fn(new DurableObjectKeyValueStore(state.storage)))
  return {
    name: 'durable-object',
    maxValueBytes: DO_ROW_BYTES,
    atomicBatch: true,
    get: (key) => inside((s) => s.get(key)),
    set: (key, value) => inside((s) => s.set(key, value)),
    delete: (key) => inside((s) => s.delete(key)),
    list: (prefix) => inside((s) => s.list(prefix)),
    batch: (ops) => inside((s) => s.batch(ops)),
    commitIf: (ops, conditions) => inside((s) => s.commitIf(ops, conditions)),
  }
}

describeKeyValueStoreConformance('durable-object (SQLite-backed Durable Object storage)', async () => {
  const stub = freshObject()
  return { store: storeIn(stub), reopen: async () => storeIn(stub) }
})

describe('Durable Object storage driver', () => {
  it('declares atomic batches and a value limit below the 2 MB SQLite row limit', async () => {
    const stub = freshObject()
    const declared = await runInDurableObject(stub, (_i, state) => {
      const store = new DurableObjectKeyValueStore(state.storage)
      return { atomicBatch: store.atomicBatch, maxValueBytes: store.maxValueBytes }
    })
    expect(declared.atomicBatch).toBe(true)
    expect(declared.maxValueBytes).toBeLessThan(2_000_000)
  })

  it('applies nothing of a batch that fails part-way', async () => {
    const stub = freshObject()
    const store = storeIn(stub)
    await store.set('kept', new Uint8Array([1]))
    // A trigger makes SQLite refuse one key, as a full disk or a broken row would: the third write fails.
    await runInDurableObject(stub, (_i, state) => {
      state.storage.sql.exec(
        `CREATE TRIGGER refuse_poison BEFORE INSERT ON edgemem_kv WHEN NEW.key = 'poison' BEGIN SELECT RAISE(ABORT, 'refused'); END`,
      )
    })
    await expect(
      store.batch!([
        { key: 'a', value: new Uint8Array([1]) },
        { key: 'kept', value: null },
        { key: 'poison', value: new Uint8Array([2]) },
      ]),
    ).rejects.toMatchObject({ code: 'STORAGE' })
    expect(await store.list('')).toEqual(['kept'])
  })

  it('splits values larger than a row and reads them back whole; overwriting with less drops the extra rows', async () => {
    const stub = freshObject()
    const store = storeIn(stub)
    const big = new Uint8Array(DO_ROW_BYTES * 2 + 17).map((_, i) => i % 253)
    await store.set('v', big)
    const rows = await runInDurableObject(
      stub,
      (_i, state) => state.storage.sql.exec<{ n: number }>('SELECT count(*) AS n FROM edgemem_kv WHERE key = ?', 'v').one().n,
    )
    expect(rows).toBe(3)
    expect(Array.from((await store.get('v'))!.subarray(DO_ROW_BYTES * 2))).toEqual(Array.from(big.subarray(DO_ROW_BYTES * 2)))
    await store.set('v', new Uint8Array([7]))
    expect(Array.from((await store.get('v'))!)).toEqual([7])
    expect(await store.list('v')).toEqual(['v'])
  })
})
