// `edgemem/file-storage`: a persistent KeyValueStore for Node (Bun and Deno run it too): one file per key
// in a directory. Writes go to a temporary file first and are renamed into place, so a crash never leaves
// a half-written value. It passes edgemem's KeyValueStore conformance suite (test/unit/examples/storages.test.ts)
// and is what the `edgemem mcp` bin keeps its memories in. Not in the core (it needs node:fs).
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises'
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
    this.ready ??= mkdir(this.directory, { recursive: true })
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

  async set(key: string, value: Uint8Array): Promise<void> {
    const path = await this.path(key)
    const temporary = join(this.directory, `t.${process.pid}.${temporaryCounter++}`)
    await writeFile(temporary, value)
    await rename(temporary, path)
  }

  async delete(key: string): Promise<void> {
    await rm(await this.path(key), { force: true })
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
