import { Memory, MemoryStorage } from '../../../src/index.ts'
import { describePortableRoundTrip, portableEmbedder } from '../../conformance/portable.ts'

// The portable round trip into the local engine's stores (memory storage; file storage: test/unit/node/portable-file.test.ts).
for (const provider of ['flat', 'hnsw'] as const) {
  describePortableRoundTrip(`${provider} on memory storage`, async () => ({
    memory: new Memory({ embedder: portableEmbedder(), vectorStore: { provider }, storage: new MemoryStorage() }),
  }))
}
