// Bundled by bench/cold-reload.bench.ts for Chromium: a 10k-memory hnsw store in IndexedDB, filled in
// one document and reopened from a fresh one. Vectors come from the hash embedder (no model load), so
// the timings are the store's own: IndexedDB reads, snapshot decode, HNSW and keyword index restore.
import { Memory } from '../../src/index.ts'
import { HashEmbedder } from '../../test/support/hash-embedder.ts'

const memoryFor = (dbName: string): Memory =>
  new Memory({ embedder: new HashEmbedder(), vectorStore: { provider: 'hnsw' }, storage: { provider: 'indexeddb', config: { dbName } } })

async function storedBytes(dbName: string): Promise<number> {
  const db = await new Promise<IDBDatabase>((resolve, reject) => {
    const request = indexedDB.open(dbName)
    request.onsuccess = () => resolve(request.result)
    request.onerror = () => reject(request.error)
  })
  const store = db.transaction(db.objectStoreNames[0]!, 'readonly').objectStore(db.objectStoreNames[0]!)
  const values = await new Promise<unknown[]>((resolve, reject) => {
    const request = store.getAll()
    request.onsuccess = () => resolve(request.result)
    request.onerror = () => reject(request.error)
  })
  db.close()
  return values.reduce<number>((sum, v) => sum + ((v as { byteLength?: number }).byteLength ?? 0), 0)
}

const bench = {
  async fill(dbName: string, count: number, sentences: string[]): Promise<number> {
    const memory = memoryFor(dbName)
    for (let i = 0; i < count; i += 500) {
      await memory.add(
        sentences.slice(i, i + 500).map((content) => ({ role: 'user', content })),
        { userId: 'cold', infer: false },
      )
    }
    await memory.close()
    return storedBytes(dbName)
  },
  async coldSearch(dbName: string, query: string): Promise<{ coldMs: number; warmMs: number; hits: number }> {
    const started = performance.now()
    const memory = memoryFor(dbName)
    const first = await memory.search(query, { userId: 'cold' })
    const cold = performance.now()
    await memory.search(`${query} again`, { userId: 'cold' })
    const warm = performance.now()
    await memory.close()
    return { coldMs: cold - started, warmMs: warm - cold, hits: first.results.length }
  },
}

/** What the page offers the bench driver (bench/cold-reload.bench.ts). */
export type ColdReloadBench = typeof bench
;(globalThis as unknown as { bench: ColdReloadBench }).bench = bench
