import { mkdtemp, readdir, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { FileStorage } from '../../../node/file-storage.ts'

/**
 * FileStorage's `batch` (temporaries fsynced together, then applied in order) and its kept directory
 * listing (reused while the directory's mtime stands still): what makes `edgemem migrate` and exports
 * of large directory stores fast. The KeyValueStore conformance suite covers the rest
 * (test/unit/examples/storages.test.ts).
 */

const bytes = (text: string) => new TextEncoder().encode(text)
const text = (value: Uint8Array | null) => (value === null ? null : new TextDecoder().decode(value))

let work: string
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'edgemem-file-batch-'))
})
afterAll(async () => {
  await rm(work, { recursive: true, force: true })
})

describe('FileStorage batch and listing', { timeout: 30_000 }, () => {
  it('applies a batch in order (a later write or delete of the same key wins) and leaves no temporary file', async () => {
    const dir = join(work, 'batch')
    const store = new FileStorage(dir)
    await store.set('gone', bytes('x'))
    const ops = Array.from({ length: 300 }, (_, i) => ({ key: `k/${String(i).padStart(3, '0')}`, value: bytes(`v${i}`) }))
    await store.batch([...ops, { key: 'gone', value: null }, { key: 'k/000', value: bytes('last') }, { key: 'k/001', value: null }])
    expect(text(await store.get('k/000'))).toBe('last')
    expect(await store.get('k/001')).toBeNull()
    expect(text(await store.get('k/299'))).toBe('v299')
    expect(await store.get('gone')).toBeNull()
    expect((await store.list('k/')).length).toBe(299)
    expect((await readdir(dir)).filter((name) => name.startsWith('t.'))).toEqual([])
  })

  it('a kept listing still sees what another instance (another process) writes and deletes', async () => {
    const dir = join(work, 'listing')
    const reader = new FileStorage(dir)
    const writer = new FileStorage(dir)
    await writer.batch(Array.from({ length: 50 }, (_, i) => ({ key: `history/m${i % 5}/${i}`, value: bytes(String(i)) })))
    // Past the settling time: the reader keeps its listing from now on.
    await new Promise((resolve) => setTimeout(resolve, 1100))
    const m1 = [1, 6, 11, 16, 21, 26, 31, 36, 41, 46].map((i) => `history/m1/${i}`).sort()
    expect(await reader.list('history/m1/')).toEqual(m1)
    expect(await reader.list('history/m9/')).toEqual([])
    await writer.set('history/m9/x', bytes('new'))
    expect(await reader.list('history/m9/')).toEqual(['history/m9/x'])
    await writer.delete('history/m1/11')
    expect(await reader.list('history/m1/')).toEqual(m1.filter((key) => key !== 'history/m1/11'))
    expect(await reader.list('')).toHaveLength(50)
  })
})
