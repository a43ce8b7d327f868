// The `local` graph store against the GraphStore conformance suite, in every runtime of the matrix:
// over in-process memory storage everywhere (plain, and with tiny values and eager compaction so that
// chunked log entries, snapshots and reloads from them run on every write), over IndexedDB in Chromium
// and over a real Workers KV binding in workerd.
import { deleteDB } from 'idb'
import { LocalGraphStore } from '../../../src/local/graph/local-graph-store.ts'
import { CloudflareKvStorage } from '../../../src/providers/storage/cloudflare-kv.ts'
import type { KvNamespaceLike } from '../../../src/providers/storage/cloudflare-kv-config.ts'
import { IndexedDbStorage } from '../../../src/providers/storage/indexeddb.ts'
import { MemoryStorage } from '../../../src/providers/storage/memory.ts'
import { describeGraphStoreConformance } from '../../conformance/graph-store.ts'
import { cannotRunHere, runtime } from '../../support/runtime.ts'

describeGraphStoreConformance(`local over memory storage (${runtime})`, async () => {
  const storage = new MemoryStorage()
  const open = async () => new LocalGraphStore({ storage, collection: 'conformance' })
  return { store: await open(), reopen: open }
})

describeGraphStoreConformance(`local with 512-byte values and compaction every 3 writes (${runtime})`, async () => {
  const storage = new MemoryStorage()
  const open = async () => new LocalGraphStore({ storage, collection: 'chunked', chunkBytes: 512, compactAfterEntries: 3 })
  return { store: await open(), reopen: open }
})

if (runtime === 'chromium') {
  let counter = 0
  describeGraphStoreConformance('local over indexeddb (chromium)', async () => {
    const dbName = `edgemem-graph-${Date.now()}-${counter++}`
    const open = async () => new LocalGraphStore({ storage: new IndexedDbStorage({ dbName }), collection: 'graph' })
    return { store: await open(), reopen: open, cleanup: () => deleteDB(dbName) }
  })
} else {
  cannotRunHere('GraphStore conformance: local over indexeddb', 'IndexedDB exists only in browsers; Chromium runs this suite')
}

if (runtime === 'workerd') {
  const workersModule = 'cloudflare:workers'
  const { env } = (await import(/* @vite-ignore */ workersModule)) as { env: { TEST_KV: KvNamespaceLike } }
  const kv = env.TEST_KV
  const clear = async (): Promise<void> => {
    for (const key of await new CloudflareKvStorage({ namespace: kv }).list('')) await kv.delete(key)
  }
  describeGraphStoreConformance('local over cloudflare-kv (workerd, real KV binding)', async () => {
    await clear()
    const open = async () => new LocalGraphStore({ storage: new CloudflareKvStorage({ namespace: kv }), collection: 'graph' })
    return { store: await open(), reopen: open, cleanup: clear }
  })
} else {
  cannotRunHere(
    'GraphStore conformance: local over cloudflare-kv',
    'a Workers KV binding exists only inside workerd, which runs this suite',
  )
}
