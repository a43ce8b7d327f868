import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { Memory, MemoryStorage, type LLM, type LLMRequest, type Relation } from '../../src/index.ts'
import { startNeo4jServer, type FakeNeo4j } from '../servers/neo4j.ts'
import { startNeptuneServer, type FakeNeptune } from '../servers/neptune-analytics.ts'
import { startNeptuneDatabaseServer, type FakeNeptuneDatabase } from '../servers/neptune-database.ts'
import { HashEmbedder } from '../support/hash-embedder.ts'
import { uniqueCollection } from './support/fixtures.ts'

// Graph memory through the Memory with each remote graph store chosen by provider name (the registry
// loads the adapter): extraction in the one add call, contradiction, search relations, deleting the
// memory a relation came from, deleteAll — against the fake databases.

class ScriptedLLM implements LLM {
  readonly answers: ((req: LLMRequest) => string)[]
  constructor(...answers: ((req: LLMRequest) => string)[]) {
    this.answers = answers
  }
  async complete(request: LLMRequest): Promise<string> {
    const next = this.answers.shift()
    if (!next) throw new Error('ScriptedLLM: no answer scripted')
    return next(request)
  }
}
const answer = (parts: object) => () => JSON.stringify({ operations: [], entities: [], relations: [], contradicted: [], ...parts })
const triple = (r: Relation): string => `${r.source} -${r.relationship}-> ${r.target}`

const AWS = { region: 'us-east-2', accessKeyId: 'AKIDGRAPHMEM', secretAccessKey: 'graph-memory-secret' }
let neo4j: FakeNeo4j
let database: FakeNeptuneDatabase
let analytics: FakeNeptune
beforeAll(async () => {
  neo4j = await startNeo4jServer()
  database = await startNeptuneDatabaseServer({ credentials: { ...AWS, service: 'neptune-db' } })
  analytics = await startNeptuneServer({ credentials: { ...AWS, service: 'neptune-graph' }, graphId: 'g-memgraph01', dimension: 3 })
})
afterAll(async () => {
  await Promise.all([neo4j?.close(), database?.close(), analytics?.close()])
})

const graphStores = () => ({
  neo4j: { provider: 'neo4j' as const, config: { url: neo4j.url, username: 'neo4j', password: 'fake-password', retryBaseDelayMs: 1 } },
  neptune: { provider: 'neptune' as const, config: { endpoint: database.url, ...AWS, retryBaseDelayMs: 1 } },
  'neptune-analytics': {
    provider: 'neptune-analytics' as const,
    config: { endpoint: analytics.url, graphId: 'g-memgraph01', ...AWS, retryBaseDelayMs: 1 },
  },
})

describe.each(['neo4j', 'neptune', 'neptune-analytics'] as const)('graph memory on the %s graph store', (name) => {
  it('learns, contradicts, searches, forgets deleted memories and deletes by scope', async () => {
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
    )
    const memory = new Memory({
      embedder: new HashEmbedder(),
      vectorStore: { provider: 'flat' },
      storage: new MemoryStorage(),
      llm,
      graphStore: graphStores()[name],
      collection: uniqueCollection('mem'),
    })
    try {
      expect((await memory.add('I live in Paris.', { userId: 'alice' })).relations!.added.map(triple)).toEqual(['Alice -lives_in-> Paris'])
      const moved = await memory.add('Alice moved to Rome.', { userId: 'alice' })
      expect(moved.relations!.invalidated.map(triple)).toEqual(['Alice -lives_in-> Paris'])
      const found = await memory.search('Where does Alice live?', { userId: 'alice' })
      expect(found.relations!.map(triple)).toEqual(['Alice -lives_in-> Rome'])
      expect((await memory.search('Where does Alice live?', { userId: 'bob' })).relations).toEqual([])
      await memory.delete(moved.results[0]!.id)
      expect((await memory.getAll({ userId: 'alice' })).relations).toEqual([])
      await memory.deleteAll({ userId: 'alice' })
      expect((await memory.getAll({ userId: 'alice' })).relations).toEqual([])
    } finally {
      await memory.close()
    }
  })
})
