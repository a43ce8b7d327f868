import { describeAiSdk } from '../support/ai-sdk-suite.ts'
import { remoteMemory } from './worker-client.ts'

// edgemem/ai over RemoteMemory + the Worker in workerd (a new tenant per test, no LLM): the suite the
// local Memory passes in test/unit/ai/ai-sdk.test.ts.
describeAiSdk('RemoteMemory + the Worker (workerd)', () => remoteMemory())
