// Graph memory through the Memory in every runtime of the matrix: extraction in the one add call,
// contradiction, search relations and persistence over the `local` graph store (the LLM is an in-process
// script; test/pipeline/graph-pipeline.test.ts covers the same over HTTP in Node).
import { LLMError, Memory, MemoryStorage, type LLM, type LLMRequest, type Relation } from '../../../src/index.ts'
import { afterEach, describe, expect, it } from '../../harness.ts'
import { HashEmbedder } from '../../support/hash-embedder.ts'

class ScriptedLLM implements LLM {
  readonly requests: LLMRequest[] = []
  readonly answers: ((req: LLMRequest) => string)[]
  constructor(...answers: ((req: LLMRequest) => string)[]) {
    this.answers = answers
  }
  async complete(request: LLMRequest): Promise<string> {
    this.requests.push(request)
    const next = this.answers.shift()
    if (!next) throw new Error('ScriptedLLM: no answer scripted')
    return next(request)
  }
}

const memories: Memory[] = []
afterEach(async () => {
  await Promise.all(memories.splice(0).map((m) => m.close()))
})
function memory(llm: LLM, storage = new MemoryStorage()): Memory {
  const m = new Memory({ embedder: new HashEmbedder(), vectorStore: { provider: 'flat' }, storage, llm, graphStore: { provider: 'local' } })
  memories.push(m)
  return m
}
const triple = (r: Relation): string => `${r.source} -${r.relationship}-> ${r.target}`
const answer = (parts: object) => () => JSON.stringify({ operations: [], entities: [], relations: [], contradicted: [], ...parts })

describe('graph memory in the Memory', () => {
  it('learns, contradicts, searches and reloads relations', async () => {
    const storage = new MemoryStorage()
    const llm = new ScriptedLLM(
      answer({
        operations: [{ event: 'ADD', text: 'Alice lives in Paris' }],
        relations: [{ source: 'Alice', relationship: 'lives in', target: 'Paris' }],
      }),
      (req) => {
        const user = req.messages.find((m) => m.role === 'user')!.content
        const shown = JSON.parse(/Stored relations:\n(.*)\n\nConversation:/s.exec(user)![1]!) as { id: string; target: string }[]
        return answer({
          operations: [{ event: 'ADD', text: 'Alice lives in Rome' }],
          relations: [{ source: 'alice', relationship: 'lives_in', target: 'Rome' }],
          contradicted: [shown.find((r) => r.target === 'Paris')!.id],
        })()
      },
      answer({ operations: [{ event: 'ADD', text: 'x' }], contradicted: ['r99'] }),
      answer({ operations: [{ event: 'ADD', text: 'x' }], contradicted: ['r99'] }),
    )
    const m = memory(llm, storage)
    expect((await m.add('I live in Paris.', { userId: 'alice' })).relations!.added.map(triple)).toEqual(['Alice -lives_in-> Paris'])
    const moved = await m.add('Alice moved to Rome.', { userId: 'alice' })
    expect(moved.relations!.invalidated.map(triple)).toEqual(['Alice -lives_in-> Paris'])
    await expect(m.add('Something else.', { userId: 'alice' })).rejects.toBeInstanceOf(LLMError)
    expect((await m.search('Where does Alice live?', { userId: 'alice' })).relations!.map(triple)).toEqual(['Alice -lives_in-> Rome'])
    const reopened = memory(new ScriptedLLM(), storage)
    expect((await reopened.getAll({ userId: 'alice' })).relations!.map(triple)).toEqual(['Alice -lives_in-> Rome'])
    expect((await reopened.search('Where does Alice live?', { userId: 'bob' })).relations).toEqual([])
  })
})
