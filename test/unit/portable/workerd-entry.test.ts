import { describe, expect, it } from 'vitest'
import { ConfigError, Memory, MemoryStorage } from '../../../src/index.workerd.ts'
import { HashEmbedder } from '../../support/hash-embedder.ts'

// The workerd entry leaves the portable reader and writer out (Worker bundle budget): Memory.export and
// Memory.import say which import brings them in, and work once it is imported.
describe('Memory.export / import from the workerd entry', () => {
  it('needs edgemem/portable, and works with it', async () => {
    const memory = new Memory({
      embedder: new HashEmbedder({ dimensions: 16 }),
      storage: new MemoryStorage(),
      vectorStore: { provider: 'flat' },
    })
    await memory.add('Keeps bees', { userId: 'u', infer: false })
    const drain = async () => {
      const out: unknown[] = []
      for await (const record of memory.export({ userId: 'u' })) out.push(record)
      return out
    }
    await expect(drain()).rejects.toThrow(ConfigError)
    await expect(drain()).rejects.toThrow(/import 'edgemem\/portable'/)
    await expect(memory.import([])).rejects.toThrow(/import 'edgemem\/portable'/)
    await import('../../../src/entries/portable.ts')
    const records = await drain()
    expect(records).toHaveLength(3)
    expect(await memory.import(records as never[])).toMatchObject({ imported: 0, skipped: 1 })
    await memory.close()
  })
})
