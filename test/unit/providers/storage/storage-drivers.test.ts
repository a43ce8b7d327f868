import { ConfigError, StorageError } from '../../../../src/errors.ts'
import { registerBuiltinProviders } from '../../../../src/builtins.ts'
import { CloudflareKvStorage } from '../../../../src/providers/storage/cloudflare-kv.ts'
import type { KvNamespaceLike } from '../../../../src/providers/storage/cloudflare-kv-config.ts'
import { IndexedDbStorage } from '../../../../src/providers/storage/indexeddb.ts'
import { resolveProvider } from '../../../../src/registry.ts'
import { beforeAll, describe, expect, it } from '../../../harness.ts'

/** A Map-backed KV namespace whose put can be told to fail: the real binding is tested in workerd. */
function fakeKv(failPuts: Error[] = []): KvNamespaceLike & { puts: number } {
  const data = new Map<string, ArrayBuffer>()
  return {
    puts: 0,
    async get(key) {
      return data.get(key) ?? null
    },
    async put(key, value) {
      this.puts++
      const failure = failPuts.shift()
      if (failure) throw failure
      data.set(key, (value as Uint8Array).slice().buffer)
    },
    async delete(key) {
      data.delete(key)
    },
    async list({ prefix = '' }) {
      return { keys: [...data.keys()].filter((k) => k.startsWith(prefix)).map((name) => ({ name })), list_complete: true }
    },
  }
}

beforeAll(() => registerBuiltinProviders())

describe('storage provider registration', () => {
  it('validates indexeddb config strictly and creates the driver lazily', async () => {
    expect(() => resolveProvider('storage', 'indexeddb', { dbName: '' }, 'storage')).toThrow(/storage\.config\.dbName/)
    expect(() => resolveProvider('storage', 'indexeddb', { dbName: 'x', version: 2 }, 'storage')).toThrow(/storage\.config\.version/)
    const store = await resolveProvider('storage', 'indexeddb', { dbName: 'mine' }, 'storage').create({
      collection: 'c',
      storage: undefined,
    })
    expect(store).toBeInstanceOf(IndexedDbStorage)
    expect((store as IndexedDbStorage).dbName).toBe('mine')
  })

  it('requires cloudflare-kv namespace to look like a KV binding', async () => {
    expect(() => resolveProvider('storage', 'cloudflare-kv', {}, 'storage')).toThrow(/storage\.config\.namespace/)
    expect(() => resolveProvider('storage', 'cloudflare-kv', { namespace: 'MY_KV' }, 'storage')).toThrow(ConfigError)
    expect(() => resolveProvider('storage', 'cloudflare-kv', { namespace: { get() {}, put() {} } }, 'storage')).toThrow(/KV binding/)
    const store = await resolveProvider('storage', 'cloudflare-kv', { namespace: fakeKv() }, 'storage').create({
      collection: 'c',
      storage: undefined,
    })
    expect(store).toBeInstanceOf(CloudflareKvStorage)
  })
})

describe('cloudflare-kv driver errors', () => {
  it('retries a write refused for the 1 write/s/key limit, then succeeds', async () => {
    const ns = fakeKv([new Error('KV PUT failed: 429 Too Many Requests')])
    const store = new CloudflareKvStorage({ namespace: ns })
    const started = Date.now()
    await store.set('k', Uint8Array.of(1, 2))
    expect(ns.puts).toBe(2)
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000)
    expect(Array.from((await store.get('k'))!)).toEqual([1, 2])
  })

  it('wraps other failures in StorageError at once', async () => {
    const ns = fakeKv([new Error('KV PUT failed: 500 Internal Server Error')])
    const store = new CloudflareKvStorage({ namespace: ns })
    await expect(store.set('k', Uint8Array.of(1))).rejects.toThrow(/Workers KV put "k" failed: KV PUT failed: 500/)
    expect(ns.puts).toBe(1)
  })
})

describe('indexeddb driver outside a browser', () => {
  it('reports that IndexedDB is missing with StorageError', async () => {
    const store = new IndexedDbStorage()
    await expect(store.get('k')).rejects.toThrow(StorageError)
    await expect(store.set('k', Uint8Array.of(1))).rejects.toThrow(/IndexedDB is not available/)
  })
})
