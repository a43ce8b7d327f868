import { LocalVectorStore } from '../../src/local/local-vector-store.ts'
import { MemoryStorage } from '../../src/providers/storage/memory.ts'
import { describeVectorStoreConformance } from '../conformance/vector-store.ts'

describeVectorStoreConformance('flat over memory storage', async () => {
  const storage = new MemoryStorage()
  const open = async () => new LocalVectorStore({ name: 'flat', storage, collection: 'conformance' })
  return { store: await open(), reopen: open }
})

// Tiny snapshot chunks and eager compaction exercise the chunked segment path on every write.
describeVectorStoreConformance('flat with 4 KiB snapshot chunks', async () => {
  const storage = new MemoryStorage()
  const open = async () => new LocalVectorStore({ name: 'flat', storage, collection: 'chunked', chunkBytes: 4096 })
  return { store: await open(), reopen: open }
})
