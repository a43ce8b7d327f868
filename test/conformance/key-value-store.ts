import type { KeyValueStore } from '../../src/interfaces/key-value-store.ts'
import { afterEach, describe, expect, it } from '../harness.ts'

export interface KeyValueStoreFixture {
  store: KeyValueStore
  /** Opens the same underlying data again (a new process, tab or isolate would). Omit for volatile stores. */
  reopen?: () => Promise<KeyValueStore>
  cleanup?: () => Promise<void>
}

const bytes = (...values: number[]): Uint8Array => new Uint8Array(values)
const text = (s: string): Uint8Array => new TextEncoder().encode(s)
const read = (b: Uint8Array | null): string | null => (b === null ? null : new TextDecoder().decode(b))

/**
 * The behaviour every KeyValueStore driver must show. Each test gets a fresh, empty store from `make`.
 */
export function describeKeyValueStoreConformance(name: string, make: () => Promise<KeyValueStoreFixture>): void {
  describe(`KeyValueStore conformance: ${name}`, () => {
    let fixture: KeyValueStoreFixture | undefined
    const open = async (): Promise<KeyValueStore> => {
      fixture = await make()
      return fixture.store
    }
    afterEach(async () => {
      await fixture?.store.close?.()
      await fixture?.cleanup?.()
      fixture = undefined
    })

    it('returns null for a missing key', async () => {
      const store = await open()
      expect(await store.get('missing')).toBeNull()
    })

    it('round-trips arbitrary bytes, including empty values and every byte value', async () => {
      const store = await open()
      const all = new Uint8Array(256).map((_, i) => i)
      await store.set('all', all)
      await store.set('empty', new Uint8Array(0))
      expect(Array.from((await store.get('all'))!)).toEqual(Array.from(all))
      const empty = await store.get('empty')
      expect(empty).not.toBeNull()
      expect(empty!.byteLength).toBe(0)
    })

    it('overwrites a value', async () => {
      const store = await open()
      await store.set('k', text('one'))
      await store.set('k', text('two'))
      expect(read(await store.get('k'))).toBe('two')
    })

    it('isolates stored values from later mutation by the caller', async () => {
      const store = await open()
      const value = bytes(1, 2, 3)
      await store.set('k', value)
      value[0] = 9
      const got = (await store.get('k'))!
      expect(Array.from(got)).toEqual([1, 2, 3])
      got[1] = 9
      expect(Array.from((await store.get('k'))!)).toEqual([1, 2, 3])
    })

    it('deletes, and deleting a missing key is not an error', async () => {
      const store = await open()
      await store.set('k', text('v'))
      await store.delete('k')
      await store.delete('never-existed')
      expect(await store.get('k')).toBeNull()
      expect(await store.list('')).toEqual([])
    })

    it('lists keys by prefix in ascending order', async () => {
      const store = await open()
      for (const key of ['b/2', 'a/1', 'b/10', 'b/1', 'ba', 'c']) await store.set(key, text(key))
      expect(await store.list('b/')).toEqual(['b/1', 'b/10', 'b/2'])
      expect(await store.list('b')).toEqual(['b/1', 'b/10', 'b/2', 'ba'])
      expect(await store.list('')).toEqual(['a/1', 'b/1', 'b/10', 'b/2', 'ba', 'c'])
      expect(await store.list('zzz')).toEqual([])
    })

    it('keeps keys with separators and percent-encoded characters distinct', async () => {
      const store = await open()
      const keys = ['c/u:alice%2Fbob/log/00000001', 'c/u:alice/bob', 'c/u:alice%2Fbob', 'x y', 'k~!*()']
      for (const key of keys) await store.set(key, text(key))
      for (const key of keys) expect(read(await store.get(key))).toBe(key)
      expect(await store.list('c/u:alice%2F')).toEqual(['c/u:alice%2Fbob', 'c/u:alice%2Fbob/log/00000001'])
    })

    it('applies a batch of writes and deletes in order', async () => {
      const store = await open()
      await store.set('gone', text('x'))
      const ops = [
        { key: 'a', value: text('1') },
        { key: 'b', value: text('2') },
        { key: 'gone', value: null },
        { key: 'b', value: null },
        { key: 'c', value: text('3') },
      ]
      if (store.batch) await store.batch(ops)
      else for (const op of ops) op.value ? await store.set(op.key, op.value) : await store.delete(op.key)
      expect(await store.list('')).toEqual(['a', 'c'])
      expect(read(await store.get('a'))).toBe('1')
    })

    it('stores a 4 MiB value intact', async () => {
      const store = await open()
      const big = new Uint8Array(4 * 1024 * 1024)
      for (let i = 0; i < big.length; i += 4093) big[i] = i % 251
      await store.set('big', big)
      const got = (await store.get('big'))!
      expect(got.byteLength).toBe(big.byteLength)
      for (let i = 0; i < big.length; i += 4093) expect(got[i]).toBe(i % 251)
    })

    it('lands every one of many concurrent writes', async () => {
      const store = await open()
      await Promise.all(Array.from({ length: 50 }, (_, i) => store.set(`k/${String(i).padStart(2, '0')}`, text(String(i)))))
      const keys = await store.list('k/')
      expect(keys).toHaveLength(50)
      expect(read(await store.get('k/49'))).toBe('49')
    })

    it('commitIf applies all operations only when every condition holds (compare-and-set)', async (ctx) => {
      const store = await open()
      if (!store.commitIf) {
        ctx.skip(`${name} has no compare-and-set (commitIf): one writer per collection is required with it`)
        return
      }
      await store.set('head', text('v1'))
      const ops = [
        { key: 'log/1', value: text('entry') },
        { key: 'head', value: text('v2') },
      ]
      // The sequence key is taken: nothing is applied.
      await store.set('log/1', text('other writer'))
      expect(await store.commitIf(ops, [{ key: 'log/1', equals: null }])).toBe(false)
      expect(read(await store.get('head'))).toBe('v1')
      await store.delete('log/1')
      // The head moved: nothing is applied.
      expect(
        await store.commitIf(ops, [
          { key: 'log/1', equals: null },
          { key: 'head', equals: text('v0') },
        ]),
      ).toBe(false)
      expect(await store.get('log/1')).toBeNull()
      // Every condition holds: everything is applied, deletes included.
      await store.set('old', text('x'))
      const applied = await store.commitIf(
        [...ops, { key: 'old', value: null }],
        [
          { key: 'log/1', equals: null },
          { key: 'head', equals: text('v1') },
        ],
      )
      expect(applied).toBe(true)
      expect([read(await store.get('log/1')), read(await store.get('head')), await store.get('old')]).toEqual(['entry', 'v2', null])
      // Exactly one of two racing writers wins the same free key.
      const race = await Promise.all(
        ['a', 'b'].map((who) => store.commitIf!([{ key: 'log/2', value: text(who) }], [{ key: 'log/2', equals: null }])),
      )
      expect(race.filter(Boolean)).toHaveLength(1)
    })

    it('keeps data across a reopen when the driver persists', async (ctx) => {
      const store = await open()
      if (!fixture?.reopen) {
        ctx.skip(`${name} is volatile by design (no reopen)`)
        return
      }
      await store.set('p/1', text('one'))
      await store.set('p/2', text('two'))
      await store.delete('p/2')
      await store.close?.()
      const again = await fixture.reopen()
      fixture.store = again
      expect(read(await again.get('p/1'))).toBe('one')
      expect(await again.get('p/2')).toBeNull()
      expect(await again.list('p/')).toEqual(['p/1'])
    })
  })
}
