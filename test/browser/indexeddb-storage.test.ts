import { deleteDB, openDB } from 'idb'
import { StorageError } from '../../src/errors.ts'
import { IndexedDbStorage } from '../../src/providers/storage/indexeddb.ts'
import { afterEach, describe, expect, it } from '../harness.ts'

let counter = 0
const freshName = (): string => `edgemem-test-${Date.now()}-${counter++}`
const text = (s: string): Uint8Array => new TextEncoder().encode(s)
const read = (b: Uint8Array | null): string | null => (b === null ? null : new TextDecoder().decode(b))

// The KeyValueStore conformance suite for indexeddb runs from test/unit/providers/storage/storage-conformance.test.ts.
describe('indexeddb storage (chromium)', () => {
  const opened: IndexedDbStorage[] = []
  const open = (dbName = freshName()): IndexedDbStorage => {
    const store = new IndexedDbStorage({ dbName })
    opened.push(store)
    return store
  }
  afterEach(async () => {
    for (const store of opened.splice(0)) {
      await store.close()
      await deleteDB(store.dbName)
    }
  })

  it('uses the database named "edgemem" by default', () => {
    expect(new IndexedDbStorage().dbName).toBe('edgemem')
  })

  it('keeps databases with different names apart', async () => {
    const a = open()
    const b = open()
    await a.set('k', text('a'))
    expect(await b.get('k')).toBeNull()
  })

  it('commits nothing of a batch whose request fails synchronously', async () => {
    const store = open()
    await store.set('kept', text('v'))
    // An IndexedDB key must be a valid key: NaN makes put() throw DataError after two ops were queued.
    const failure = await store
      .batch([
        { key: 'a', value: text('1') },
        { key: 'kept', value: null },
        { key: Number.NaN as unknown as string, value: text('bad') },
      ])
      .catch((err: unknown) => err)
    expect(failure).toBeInstanceOf(StorageError)
    expect((failure as Error).message).toMatch(/DataError/)
    expect(await store.list('')).toEqual(['kept'])
  })

  it('steps aside when another tab deletes or upgrades the database, then reopens', async () => {
    const store = open()
    await store.set('k', text('v'))
    // With a connection that ignored versionchange, this delete would stay blocked.
    let blocked = false
    await deleteDB(store.dbName, { blocked: () => (blocked = true) })
    expect(blocked).toBe(false)
    expect(await store.get('k')).toBeNull()
    await store.set('k', text('again'))
    expect(read(await store.get('k'))).toBe('again')
    // An upgrade by a newer version elsewhere is not blocked either.
    await store.set('k2', text('v2'))
    const newer = await openDB(store.dbName, 2, { blocked: () => (blocked = true) })
    expect(blocked).toBe(false)
    newer.close()
  })

  it('lets exactly one of two connections (two tabs) win a compare-and-set on the same key', async () => {
    const first = open()
    const second = open(first.dbName)
    await first.set('head', text('v1'))
    const results = await Promise.all(
      [first, second].map((store, i) =>
        store.commitIf(
          [
            { key: 'log/7', value: text(`tab ${i}`) },
            { key: 'head', value: text(`v2 by tab ${i}`) },
          ],
          [
            { key: 'log/7', equals: null },
            { key: 'head', equals: text('v1') },
          ],
        ),
      ),
    )
    expect(results.filter(Boolean)).toHaveLength(1)
    const winner = results.indexOf(true)
    expect(read(await second.get('log/7'))).toBe(`tab ${winner}`)
    expect(read(await first.get('head'))).toBe(`v2 by tab ${winner}`)
  })

  it('rejects use after close with StorageError', async () => {
    const store = open()
    await store.set('k', text('v'))
    await store.close()
    await expect(store.get('k')).rejects.toThrow(StorageError)
    await expect(store.set('k', text('w'))).rejects.toThrow(/closed/)
  })

  it('stores only the viewed bytes of a subarray', async () => {
    const store = open()
    const backing = new Uint8Array(1024).map((_, i) => i % 256)
    await store.set('view', backing.subarray(10, 14))
    const got = (await store.get('view'))!
    expect(Array.from(got)).toEqual([10, 11, 12, 13])
    expect(got.buffer.byteLength).toBe(4)
  })
})
