import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { FileStorage } from '../../../node/file-storage.ts'
import { Memory } from '../../../src/index.ts'
import { describePortableRoundTrip, portableEmbedder } from '../../conformance/portable.ts'

// The portable round trip into the local stores persisted in a directory (edgemem/file-storage).
for (const provider of ['flat', 'hnsw'] as const) {
  describePortableRoundTrip(`${provider} on file storage`, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'edgemem-portable-'))
    return {
      memory: new Memory({ embedder: portableEmbedder(), vectorStore: { provider }, storage: new FileStorage(dir) }),
      cleanup: () => rm(dir, { recursive: true, force: true }),
    }
  })
}
