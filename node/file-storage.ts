// `edgemem/file-storage`: a persistent KeyValueStore for Node (Bun and Deno run it too): one file per key
// in a directory. Writes go to a temporary file first and are renamed into place, so a crash never leaves
// a half-written value. It passes edgemem's KeyValueStore conformance suite (test/unit/examples/storages.test.ts)
// and is what the `edgemem mcp` bin keeps its memories in. Not in the core (it needs node:fs).
import { mkdir, open, readdir, readFile, rename, rm } from 'node:fs/promises'
import { join } from 'node:path'
import type { KeyValueStore } from '../src/index.ts'

const FILE = 'k.' // data files; temporary files start with "t." and are never listed
let temporaryCounter = 0

/** A key as a file name: percent-encoded ("/" and "." included), so every key maps to one plain file. */
const fileName = (key: string): string => FILE + encodeURIComponent(key).replaceAll('.', '%2E')

export class FileStorage implements KeyValueStore {
  readonly name = 'file'
  readonly directory: string
  private ready: Promise<unknown> | undefined

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
    const temporary = join(this.directory, `t.${process.pid}.${temporaryCounter++}`)
    const file = await open(temporary, 'w')
    try {
      await file.writeFile(value)
      await file.sync()
    } finally {
      await file.close()
    }
    await rename(temporary, path)
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

  async list(prefix: string): Promise<string[]> {
    const names = await readdir(this.directory).catch((error: { code?: string }) => (error.code === 'ENOENT' ? [] : Promise.reject(error)))
    return names
      .filter((name) => name.startsWith(FILE))
      .map((name) => decodeURIComponent(name.slice(FILE.length)))
      .filter((key) => key.startsWith(prefix))
      .sort()
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
