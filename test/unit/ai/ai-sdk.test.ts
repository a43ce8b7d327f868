import { Memory, MemoryStorage } from '../../../src/index.ts'
import { describeAiSdk } from '../../support/ai-sdk-suite.ts'
import { HashEmbedder } from '../../support/hash-embedder.ts'

// edgemem/ai over an in-process Memory (flat store, hash embedder, no LLM); the same suite runs over
// RemoteMemory + the Worker in test/workers/worker-ai-sdk.test.ts.
describeAiSdk(
  'local Memory',
  async () => new Memory({ embedder: new HashEmbedder(), vectorStore: { provider: 'flat' }, storage: new MemoryStorage() }),
)
