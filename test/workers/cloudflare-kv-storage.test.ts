import { env } from 'cloudflare:workers'
import { StorageError } from '../../src/errors.ts'
import type { KeyValueStore } from '../../src/interfaces/key-value-store.ts'
import { CloudflareKvStorage, KV_MAX_VALUE_BYTES } from '../../src/providers/storage/cloudflare-kv.ts'
import { describe, expect, it } from '../harness.ts'

const kv = env.TEST_KV

/** Removes every key, so each conformance case starts from an empty namespace. */
async function clear(): Promise<void> {
  let cursor: string | undefined
  do {
    const page: KVNamespaceListResult<unknown> = await kv.list(cursor ? { cursor } : {})
    await Promise.all(page.keys.map((k) => kv.delete(k.name)))
    cursor = page.list_complete ? undefined : page.cursor
  } while (cursor)
}

// The KeyValueStore conformance suite for cloudflare-kv runs from test/unit/providers/storage/storage-conformance.test.ts.
describe('cloudflare-kv storage (workerd)', () => {
  it('declares the KV limits and no atomic batch', () => {
    const store = new CloudflareKvStorage({ namespace: kv })
    expect(store.maxValueBytes).toBe(25 * 1024 * 1024)
    expect(store.atomicBatch).toBe(false)
    expect((store as KeyValueStore).batch).toBeUndefined()
  })

  it('lists past the 1000-key page with the cursor, in order', async () => {
    await clear()
    const store = new CloudflareKvStorage({ namespace: kv })
    const keys = Array.from({ length: 1203 }, (_, i) => `page/${String(i).padStart(5, '0')}`)
    for (let i = 0; i < keys.length; i += 100) await Promise.all(keys.slice(i, i + 100).map((k) => kv.put(k, 'x')))
    await kv.put('other/1', 'x')
    expect(await store.list('page/')).toEqual(keys)
    expect((await store.list('')).length).toBe(1204)
    await clear()
  })

  it('refuses values over 25 MiB and keys over 512 bytes with StorageError, before calling KV', async () => {
    const store = new CloudflareKvStorage({ namespace: kv })
    await expect(store.set('huge', new Uint8Array(KV_MAX_VALUE_BYTES + 1))).rejects.toThrow(StorageError)
    await expect(store.set('k'.repeat(513), new Uint8Array(1))).rejects.toThrow(/512 bytes/)
    expect(await kv.get('huge')).toBeNull()
  })

  it('stores a value of exactly 25 MiB', async () => {
    const store = new CloudflareKvStorage({ namespace: kv })
    const value = new Uint8Array(KV_MAX_VALUE_BYTES)
    value[0] = 1
    value[KV_MAX_VALUE_BYTES - 1] = 2
    await store.set('max', value)
    const got = (await store.get('max'))!
    expect(got.byteLength).toBe(KV_MAX_VALUE_BYTES)
    expect([got[0], got[KV_MAX_VALUE_BYTES - 1]]).toEqual([1, 2])
    await store.delete('max')
  })
})
