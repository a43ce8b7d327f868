// KeyValueStore conformance in every runtime of the matrix: the in-process `memory` driver everywhere,
// `indexeddb` where IndexedDB exists (Chromium) and `cloudflare-kv` against a real KV binding (workerd).
// Elsewhere those two are reported as named skipped tests saying why they cannot exist there.
import { deleteDB } from 'idb'
import { CloudflareKvStorage } from '../../../../src/providers/storage/cloudflare-kv.ts'
import type { KvNamespaceLike } from '../../../../src/providers/storage/cloudflare-kv-config.ts'
import { IndexedDbStorage } from '../../../../src/providers/storage/indexeddb.ts'
import { MemoryStorage } from '../../../../src/providers/storage/memory.ts'
import { describeKeyValueStoreConformance } from '../../../conformance/key-value-store.ts'
import { cannotRunHere, runtime } from '../../../support/runtime.ts'

describeKeyValueStoreConformance(`memory (${runtime})`, async () => ({ store: new MemoryStorage() }))

if (runtime === 'chromium') {
  let counter = 0
  describeKeyValueStoreConformance('indexeddb (chromium)', async () => {
    const dbName = `edgemem-conformance-${Date.now()}-${counter++}`
    return {
      store: new IndexedDbStorage({ dbName }),
      reopen: async () => new IndexedDbStorage({ dbName }),
      cleanup: () => deleteDB(dbName),
    }
  })
} else {
  cannotRunHere('KeyValueStore conformance: indexeddb', 'IndexedDB exists only in browsers; Chromium runs this suite')
}

if (runtime === 'workerd') {
  // Only workerd has this module; the specifier is a variable so that bundlers for the other runtimes
  // leave the import alone.
  const workersModule = 'cloudflare:workers'
  const { env } = (await import(/* @vite-ignore */ workersModule)) as { env: { TEST_KV: KvNamespaceLike } }
  const kv = env.TEST_KV
  /** Removes every key, so each conformance case starts from an empty namespace. */
  const clear = async (): Promise<void> => {
    for (const key of await new CloudflareKvStorage({ namespace: kv }).list('')) await kv.delete(key)
  }
  describeKeyValueStoreConformance('cloudflare-kv (workerd, real KV binding)', async () => {
    await clear()
    return {
      store: new CloudflareKvStorage({ namespace: kv }),
      // A new driver over the same binding, as a new isolate or request would get.
      reopen: async () => new CloudflareKvStorage({ namespace: kv }),
      cleanup: clear,
    }
  })
} else {
  cannotRunHere('KeyValueStore conformance: cloudflare-kv', 'a Workers KV binding exists only inside workerd, which runs this suite')
}
