// Graph memory through the Memory in every runtime of the matrix: extraction in the one add call,
// contradiction, search relations and persistence over the `local` graph store (the LLM is an in-process
// script; test/pipeline/graph-pipeline.test.ts covers the same over HTTP in Node).
import {
  ConfigError,
  LLMError,
  Memory,
  MemoryStorage,
  ValidationError,
  type LLM,
  type LLMRequest,
  type Relation,
} from '../../../src/index.ts'
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

  it("graph() shows a scope's entities and relations: valid ones, or all, cut to the limit, gone with their memories", async () => {
    const llm = new ScriptedLLM(
      answer({
        operations: [{ event: 'ADD', text: 'Bob works at Acme' }],
        entities: [{ name: 'Bob', type: 'person' }],
        relations: [{ source: 'Bob', relationship: 'works_at', target: 'Acme' }],
      }),
      (req) => {
        const user = req.messages.find((m) => m.role === 'user')!.content
        const shown = JSON.parse(/Stored relations:\n(.*)\n\nConversation:/s.exec(user)![1]!) as { id: string }[]
        return answer({
          operations: [{ event: 'ADD', text: 'Bob works at Initech' }],
          relations: [{ source: 'Bob', relationship: 'works_at', target: 'Initech' }],
          contradicted: [shown[0]!.id],
        })()
      },
      answer({
        operations: [{ event: 'ADD', text: 'Carol knows Dan' }],
        relations: [{ source: 'Carol', relationship: 'knows', target: 'Dan' }],
      }),
    )
    const m = memory(llm)
    await m.add('I work at Acme.', { userId: 'bob' })
    const moved = await m.add('I moved to Initech.', { userId: 'bob' })
    await m.add('Carol knows Dan.', { userId: 'carol' })

    const graph = await m.graph({ userId: 'bob' })
    expect(graph.relations.map(triple)).toEqual(['Bob -works_at-> Initech'])
    expect(graph.entities.map((e) => e.name)).toEqual(['Bob', 'Acme', 'Initech'])
    expect(graph.entities[0]).toMatchObject({ type: 'person', createdAt: expect.any(String) })
    expect(graph).toMatchObject({ totalEntities: 3, totalRelations: 1 })
    const all = await m.graph({ userId: 'bob', includeInvalidated: true, limit: 1 })
    expect(all.relations.map(triple)).toEqual(['Bob -works_at-> Acme'])
    expect(all.relations[0]!.invalidatedAt).not.toBeNull()
    expect(all).toMatchObject({ totalRelations: 2, totalEntities: 3 })
    expect(all.entities).toHaveLength(1)
    // Another scope's graph is not shown; deleting the memory drops what was learnt only from it.
    expect((await m.graph({ userId: 'carol' })).relations.map(triple)).toEqual(['Carol -knows-> Dan'])
    await m.delete(moved.results[0]!.id)
    const after = await m.graph({ userId: 'bob' })
    expect(after.relations).toEqual([])
    expect(after.entities.map((e) => e.name)).toEqual(['Bob', 'Acme'])
    await m.deleteAll({ userId: 'bob' })
    expect(await m.graph({ userId: 'bob' })).toEqual({ entities: [], relations: [], totalEntities: 0, totalRelations: 0 })

    await expect(m.graph({})).rejects.toBeInstanceOf(ValidationError)
    await expect(m.graph({ userId: 'bob', limit: 0 })).rejects.toBeInstanceOf(ValidationError)
    await expect(m.graph({ userId: 'bob', includeInvalidated: 'yes' as unknown as boolean })).rejects.toBeInstanceOf(ValidationError)
    const plain = new Memory({ embedder: new HashEmbedder(), vectorStore: { provider: 'flat' }, storage: new MemoryStorage() })
    memories.push(plain)
    await expect(plain.graph({ userId: 'bob' })).rejects.toBeInstanceOf(ConfigError)
  })
})
