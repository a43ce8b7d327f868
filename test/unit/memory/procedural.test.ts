import { afterEach, describe, expect, it } from '../../harness.ts'
import { ConfigError, LLMError, Memory, MemoryStorage, ValidationError, type LLM, type LLMRequest } from '../../../src/index.ts'
import { HashEmbedder } from '../../support/hash-embedder.ts'

class ScriptedLLM implements LLM {
  readonly requests: LLMRequest[] = []
  private readonly answers: (string | Error)[]
  constructor(answers: (string | Error)[]) {
    this.answers = answers
  }
  async complete(request: LLMRequest): Promise<string> {
    this.requests.push(request)
    const next = this.answers.shift()
    if (next === undefined) throw new Error('no answer scripted')
    if (next instanceof Error) throw next
    return next
  }
}

const RUN = [
  { role: 'system' as const, content: 'You are a browsing agent.' },
  { role: 'user' as const, content: 'Find the cheapest flight from Lisbon to Berlin on 3 March.' },
  { role: 'assistant' as const, content: 'Called search_flights(from=LIS, to=BER, date=2026-03-03): 4 results, cheapest TP512 at 89 EUR.' },
]
const SUMMARY =
  'Task: cheapest LIS-BER flight on 2026-03-03. Progress: done. Steps: 1. search_flights(LIS, BER, 2026-03-03) → TP512 at 89 EUR.'

const open: Memory[] = []
function memory(llm?: LLM): Memory {
  const m = new Memory({
    embedder: new HashEmbedder({ dimensions: 64 }),
    vectorStore: { provider: 'flat' },
    storage: new MemoryStorage(),
    ...(llm ? { llm } : {}),
  })
  open.push(m)
  return m
}
afterEach(async () => {
  await Promise.all(open.splice(0).map((m) => m.close()))
})

describe('procedural memory', () => {
  it('summarises the whole run into one memory typed procedural_memory, searchable and filterable by type', async () => {
    const llm = new ScriptedLLM([SUMMARY])
    const m = memory(llm)
    const { results } = await m.add(RUN, { agentId: 'flights', memoryType: 'procedural', metadata: { source: 'run-7' } })
    expect(results).toEqual([{ id: expect.any(String), memory: SUMMARY, event: 'ADD' }])
    expect(llm.requests).toHaveLength(1)
    const prompt = llm.requests[0]!.messages.map((x) => x.content).join('\n')
    for (const message of RUN) expect(prompt).toContain(message.content)
    expect(prompt).toMatch(/procedural memory/)
    await m.add('Prefers window seats', { agentId: 'flights', infer: false })

    const all = (await m.getAll({ agentId: 'flights' })).results
    expect(all).toHaveLength(2)
    const procedural = all.find((x) => x.memory === SUMMARY)!
    expect(procedural.metadata).toEqual({ source: 'run-7', memory_type: 'procedural_memory' })
    const typed = await m.search('flight Lisbon Berlin', { agentId: 'flights', filters: { memory_type: 'procedural_memory' } })
    expect(typed.results.map((x) => x.memory)).toEqual([SUMMARY])
    const others = await m.getAll({ agentId: 'flights', filters: { memory_type: { ne: 'procedural_memory' } } })
    expect(others.results.map((x) => x.memory)).toEqual(['Prefers window seats'])
  })

  it('needs agentId and an llm, and a failing llm writes nothing', async () => {
    const m = memory(new ScriptedLLM([new Error('boom'), '   ']))
    await expect(m.add(RUN, { userId: 'u', memoryType: 'procedural' })).rejects.toBeInstanceOf(ValidationError)
    await expect(m.add(RUN, { agentId: 'a', memoryType: 'semantic' as 'procedural' })).rejects.toBeInstanceOf(ValidationError)
    await expect(m.add(RUN, { agentId: 'a', memoryType: 'procedural', infer: false })).rejects.toBeInstanceOf(ValidationError)
    await expect(m.add(RUN, { agentId: 'a', memoryType: 'procedural' })).rejects.toBeInstanceOf(LLMError)
    await expect(m.add(RUN, { agentId: 'a', memoryType: 'procedural' })).rejects.toBeInstanceOf(LLMError)
    expect((await m.getAll({ agentId: 'a' })).results).toEqual([])
    await expect(memory().add(RUN, { agentId: 'a', memoryType: 'procedural_memory' })).rejects.toBeInstanceOf(ConfigError)
  })
})
