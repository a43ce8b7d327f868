// `edgemem/file-storage`: a persistent KeyValueStore for Node (Bun and Deno run it too): one file per key
// in a directory. Writes go to a temporary file first and are renamed into place, so a crash never leaves
// a half-written value. It passes edgemem's KeyValueStore conformance suite (test/unit/examples/storages.test.ts)
// and is what the `edgemem mcp` bin keeps its memories in. Not in the core (it needs node:fs).
import { mkdir, open, readdir, readFile, rename, rm, stat } from 'node:fs/promises'
import { join } from 'node:path'
import type { KeyValueOp, KeyValueStore } from '../src/index.ts'

const FILE = 'k.' // data files; temporary files start with "t." and are never listed
let temporaryCounter = 0
/** Temporary files written and fsynced at once by `batch` (well below the open-files limit). */
const BATCH_CONCURRENCY = 128
/** How long after the directory's last change a listing of it is kept (mtimes move in clock ticks). */
const LISTING_SETTLED_MS = 1000

/** A key as a file name: percent-encoded ("/" and "." included), so every key maps to one plain file. */
const fileName = (key: string): string => FILE + encodeURIComponent(key).replaceAll('.', '%2E')

export class FileStorage implements KeyValueStore {
  readonly name = 'file'
  readonly directory: string
  private ready: Promise<unknown> | undefined
  /** The directory's keys, sorted, as of its mtime (see list). */
  private listing: { mtimeMs: number; keys: string[] } | undefined

  constructor(directory: string) {
    this.directory = directory
  }

  private async path(key: string): Promise<string> {
    const name = fileName(key)
    // Most filesystems allow 255-byte names; edgemem's own keys stay far below that.
    if (name.length > 255) throw new Error(`FileStorage: key too long for a file name (${name.length} > 255 bytes): ${key.slice(0, 60)}…`)
    this.ready ??= mkdir(this.directory, { recursive: true }).then(() => this.removeStaleTemporaries())
    await this.ready
    return join(this.directory, name)
  }

  async get(key: string): Promise<Uint8Array | null> {
    try {
      return new Uint8Array(await readFile(await this.path(key)))
    } catch (error) {
      if ((error as { code?: string }).code === 'ENOENT') return null
      throw error
    }
  }

  /**
   * Durable before it returns: the value is written to a temporary file and fsynced, renamed over the key
   * (atomic: a reader or a crash sees the old value or the new one, never a torn one), and the directory
   * is fsynced so the rename itself survives a power loss, not only a killed process.
   */
  async set(key: string, value: Uint8Array): Promise<void> {
    const path = await this.path(key)
    const temporary = await this.writeTemporary(value)
    await rename(temporary, path)
    await this.syncDirectory()
  }

  /** Writes the value to a new temporary file and fsyncs it; returns its path. */
  private async writeTemporary(value: Uint8Array): Promise<string> {
    const temporary = join(this.directory, `t.${process.pid}.${temporaryCounter++}`)
    const file = await open(temporary, 'w')
    try {
      await file.writeFile(value)
      await file.sync()
    } finally {
      await file.close()
    }
    return temporary
  }

  /**
   * Several writes for the price of about one: every value goes to its temporary file and is fsynced
   * concurrently (the filesystem commits them together, where one fsync after another costs a disk
   * flush each), then the renames and deletes are applied in order. A failure while writing the
   * temporaries applies nothing. Not atomic (no `atomicBatch`): a crash during the renames leaves some
   * applied, but the directory is fsynced before the last operation, so the last one (the engine's
   * pointer to new data) never becomes durable before the others, as with one write after another.
   */
  async batch(ops: KeyValueOp[]): Promise<void> {
    if (ops.length === 0) return
    const paths = await Promise.all(ops.map((op) => this.path(op.key)))
    const temporaries: (string | undefined)[] = new Array(ops.length).fill(undefined)
    try {
      let next = 0
      const worker = async (): Promise<void> => {
        while (next < ops.length) {
          const i = next++
          const value = ops[i]!.value
          if (value !== null) temporaries[i] = await this.writeTemporary(value)
        }
      }
      await Promise.all(Array.from({ length: Math.min(BATCH_CONCURRENCY, ops.length) }, worker))
    } catch (error) {
      await Promise.all(temporaries.map((t) => (t === undefined ? undefined : rm(t, { force: true }))))
      throw error
    }
    for (let i = 0; i < ops.length; i++) {
      if (i === ops.length - 1 && i > 0) await this.syncDirectory()
      const temporary = temporaries[i]
      if (temporary === undefined) await rm(paths[i]!, { force: true })
      else await rename(temporary, paths[i]!)
    }
    await this.syncDirectory()
  }

  async delete(key: string): Promise<void> {
    await rm(await this.path(key), { force: true })
    await this.syncDirectory()
  }

  private async syncDirectory(): Promise<void> {
    let directory: Awaited<ReturnType<typeof open>> | undefined
    try {
      directory = await open(this.directory, 'r')
      await directory.sync()
    } catch (error) {
      // Windows cannot open or fsync a directory; its renames are durable through the file's own flush.
      const code = (error as { code?: string }).code
      if (code !== 'EISDIR' && code !== 'EPERM' && code !== 'EACCES' && code !== 'EINVAL') throw error
    } finally {
      await directory?.close()
    }
  }

  /**
   * A process killed between writing a temporary file and renaming it leaves the file behind: remove
   * those of processes that are gone (a temporary's name carries its writer's pid; live writers sharing
   * the directory keep theirs).
   */
  private async removeStaleTemporaries(): Promise<void> {
    for (const name of await readdir(this.directory)) {
      const pid = /^t\.(\d+)\./.exec(name)?.[1]
      if (pid === undefined || Number(pid) === process.pid || isAlive(Number(pid))) continue
      await rm(join(this.directory, name), { force: true })
    }
  }

  /**
   * Every key under the prefix, sorted. The directory's listing is kept while the directory's mtime
   * stays the same (any file created, renamed or removed, by this process or another, changes it), so a
   * reader listing many prefixes (an export reads each memory's history) reads the directory once, not
   * once per prefix. A listing taken within a second of the last change is not kept: a change in the
   * same clock tick could leave the mtime as it was.
   */
  async list(prefix: string): Promise<string[]> {
    let mtimeMs: number
    try {
      mtimeMs = (await stat(this.directory)).mtimeMs
    } catch (error) {
      if ((error as { code?: string }).code === 'ENOENT') return []
      throw error
    }
    let keys = this.listing?.mtimeMs === mtimeMs ? this.listing.keys : undefined
    if (keys === undefined) {
      const names = await readdir(this.directory).catch((error: { code?: string }) =>
        error.code === 'ENOENT' ? [] : Promise.reject(error),
      )
      keys = names
        .filter((name) => name.startsWith(FILE))
        .map((name) => decodeURIComponent(name.slice(FILE.length)))
        .sort()
      this.listing = Date.now() - mtimeMs > LISTING_SETTLED_MS ? { mtimeMs, keys } : undefined
    }
    // The first key at or after the prefix, then every key that starts with it.
    let low = 0
    let high = keys.length
    while (low < high) {
      const middle = (low + high) >>> 1
      if (keys[middle]! < prefix) low = middle + 1
      else high = middle
    }
    const out: string[] = []
    for (let i = low; i < keys.length && keys[i]!.startsWith(prefix); i++) out.push(keys[i]!)
    return out
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as { code?: string }).code === 'EPERM'
  }
}
