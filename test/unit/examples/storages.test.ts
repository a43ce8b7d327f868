// The file KeyValueStore of the package (node/file-storage.ts, `edgemem/file-storage`) and the one an example brings (examples/bun-sqlite-storage.ts) are
// real drivers: each passes the conformance suite in every runtime of the matrix that can run it, and
// the others say why they cannot.
import { describeKeyValueStoreConformance } from '../../conformance/key-value-store.ts'
import { cannotRunHere, runtime } from '../../support/runtime.ts'

/** A fresh directory under test-results/ (writable in every runtime that has a filesystem, Deno included). */
async function temporaryDirectory(label: string): Promise<{ path: string; remove: () => Promise<void> }> {
  const { mkdir, mkdtemp, rm } = await import('node:fs/promises')
  const base = decodeURIComponent(new URL('../../../test-results/tmp/', import.meta.url).pathname)
  await mkdir(base, { recursive: true })
  const path = await mkdtemp(`${base}${label}-`)
  return { path, remove: () => rm(path, { recursive: true, force: true }) }
}

if (runtime === 'node' || runtime === 'deno' || runtime === 'bun') {
  const { FileStorage } = await import('../../../node/file-storage.ts')
  describeKeyValueStoreConformance(`file (edgemem/file-storage, ${runtime})`, async () => {
    const dir = await temporaryDirectory('file-storage')
    return { store: new FileStorage(dir.path), reopen: async () => new FileStorage(dir.path), cleanup: dir.remove }
  })
} else {
  cannotRunHere('KeyValueStore conformance: file (edgemem/file-storage)', 'it needs a filesystem (node:fs)')
}

if (runtime === 'bun') {
  const { BunSqliteStorage } = await import('../../../examples/bun-sqlite-storage.ts')
  describeKeyValueStoreConformance('bun-sqlite (examples/bun-sqlite-storage.ts)', async () => {
    const dir = await temporaryDirectory('bun-sqlite')
    const file = `${dir.path}/kv.sqlite`
    return { store: new BunSqliteStorage(file), reopen: async () => new BunSqliteStorage(file), cleanup: dir.remove }
  })
} else {
  cannotRunHere('KeyValueStore conformance: bun-sqlite (examples/bun-sqlite-storage.ts)', 'bun:sqlite exists only in Bun')
}
