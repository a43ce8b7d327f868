import { afterEach, describe, expect, it } from '../../harness.ts'
import { LLMError, Memory, MemoryStorage, RemoteError, type LLM, type LLMRequest } from '../../../src/index.ts'
import { AnswerProblem, MAX_CHANGES_PER_ANSWER, extractJson, parseOperations } from '../../../src/memory/infer/parse.ts'
import { HashEmbedder } from '../../support/hash-embedder.ts'

/** An LLM that answers from a script and records every request. */
class ScriptedLLM implements LLM {
  readonly requests: LLMRequest[] = []
  readonly answers: (string | Error | ((req: LLMRequest) => string))[]
  constructor(...answers: (string | Error | ((req: LLMRequest) => string))[]) {
    this.answers = answers
  }
  async complete(request: LLMRequest): Promise<string> {
    this.requests.push(request)
    const next = this.answers.shift()
    if (next === undefined) throw new Error('ScriptedLLM: no answer scripted')
    if (next instanceof Error) throw next
    return typeof next === 'function' ? next(request) : next
  }
  /** The stored-memories list the model was shown in the last request. */
  shownMemories(): { id: string; text: string }[] {
    const user = this.requests.at(-1)!.messages.find((m) => m.role === 'user')!.content
    const match = /Stored memories:\n(.*)\n\nConversation:/s.exec(user)!
    return match[1] === '(none yet)' ? [] : (JSON.parse(match[1]!) as { id: string; text: string }[])
  }
}

const ops = (...operations: object[]): string => JSON.stringify({ operations })
const memories: Memory[] = []
function memory(llm: LLM, storage = new MemoryStorage()): Memory {
  const m = new Memory({
    embedder: new HashEmbedder(),
    vectorStore: { provider: 'flat' },
    storage,
    llm,
    customInstructions: 'Only keep food facts.',
  })
  memories.push(m)
  return m
}
afterEach(async () => {
  await Promise.all(memories.splice(0).map((m) => m.close()))
})

describe('add with infer: true (one LLM call)', () => {
  it('extracts facts with one call and stores them; infer defaults to true with an llm', async () => {
    const llm = new ScriptedLLM(ops({ event: 'ADD', text: 'Is vegetarian' }, { event: 'ADD', text: 'Loves Thai curry' }))
    const m = memory(llm)
    const { results } = await m.add(
      [
        { role: 'system', content: 'Be nice.' },
        { role: 'user', content: "I'm vegetarian and I love Thai curry." },
        { role: 'assistant', content: 'Noted!' },
      ],
      { userId: 'alice', metadata: { source: 'onboarding' } },
    )
    expect(llm.requests).toHaveLength(1)
    expect(llm.requests[0]!.json).toBe(true)
    const prompt = llm.requests[0]!.messages.map((m) => m.content).join('\n')
    expect(prompt).toContain("user: I'm vegetarian and I love Thai curry.")
    expect(prompt).not.toContain('Be nice.')
    expect(prompt).toContain('Only keep food facts.')
    expect(prompt).toMatch(/Today's date: \d{4}-\d{2}-\d{2}/)
    expect(results.map((r) => [r.event, r.memory])).toEqual([
      ['ADD', 'Is vegetarian'],
      ['ADD', 'Loves Thai curry'],
    ])
    expect((await m.get(results[0]!.id))!.metadata).toEqual({ source: 'onboarding' })
    expect((await m.history(results[1]!.id)).map((h) => h.event)).toEqual(['ADD'])
  })

  it('shows similar memories of the same scope under short temporary ids and maps UPDATE / DELETE / NONE back', async () => {
    const llm = new ScriptedLLM(
      ops(
        { event: 'ADD', text: 'Lives in Paris' },
        { event: 'ADD', text: 'Has a cat named Miso' },
        { event: 'ADD', text: 'Drinks coffee daily' },
      ),
    )
    const m = memory(llm)
    const seeded = (await m.add('I live in Paris with my cat Miso, and I drink coffee every day', { userId: 'alice' })).results
    await m.add('Bob lives in Paris', { userId: 'bob', infer: false })
    const byText = new Map(seeded.map((r) => [r.memory, r.id]))

    llm.requests.length = 0
    const answer = (req: LLMRequest): string => {
      const shown = new Map<string, string>()
      const match = /Stored memories:\n(.*)\n\nConversation:/s.exec(req.messages[1]!.content)!
      for (const entry of JSON.parse(match[1]!) as { id: string; text: string }[]) shown.set(entry.text, entry.id)
      return ops(
        { event: 'UPDATE', id: shown.get('Lives in Paris'), text: 'Lives in Berlin (moved from Paris)' },
        { event: 'DELETE', id: shown.get('Has a cat named Miso') },
        { event: 'NONE', id: shown.get('Drinks coffee daily') },
        { event: 'ADD', text: 'Works remotely' },
      )
    }
    llm.answers.push(answer)
    const { results } = await m.add('I moved to Berlin, my cat Miso passed away. Still coffee daily, and I work remotely now.', {
      userId: 'alice',
    })
    const shown = llm.shownMemories()
    expect(shown.map((s) => s.text).sort()).toEqual(['Drinks coffee daily', 'Has a cat named Miso', 'Lives in Paris'])
    expect(shown.every((s) => /^\d{1,2}$/.test(s.id))).toBe(true)
    const prompt = llm.requests[0]!.messages.map((x) => x.content).join('\n')
    for (const realId of byText.values()) expect(prompt).not.toContain(realId)
    expect(prompt).not.toContain('Bob lives in Paris')

    expect(results).toEqual(
      expect.arrayContaining([
        { id: expect.any(String), memory: 'Works remotely', event: 'ADD' },
        {
          id: byText.get('Lives in Paris'),
          memory: 'Lives in Berlin (moved from Paris)',
          event: 'UPDATE',
          previousMemory: 'Lives in Paris',
        },
        { id: byText.get('Has a cat named Miso'), memory: 'Has a cat named Miso', event: 'DELETE' },
      ]),
    )
    expect(results).toHaveLength(3)
    expect((await m.get(byText.get('Lives in Paris')!))!.memory).toBe('Lives in Berlin (moved from Paris)')
    expect(await m.get(byText.get('Has a cat named Miso')!)).toBeNull()
    expect((await m.history(byText.get('Lives in Paris')!)).map((h) => [h.event, h.previousValue, h.newValue])).toEqual([
      ['ADD', null, 'Lives in Paris'],
      ['UPDATE', 'Lives in Paris', 'Lives in Berlin (moved from Paris)'],
    ])
    expect((await m.getAll({ userId: 'bob' })).results).toHaveLength(1)
  })

  it('drops an ADD whose text is already stored in the scope, and an UPDATE that changes nothing', async () => {
    const llm = new ScriptedLLM(ops({ event: 'ADD', text: 'Likes jazz' }), (req) => {
      const id = /"id":"(\d+)"/.exec(req.messages[1]!.content)![1]
      return ops({ event: 'ADD', text: 'Likes jazz' }, { event: 'UPDATE', id, text: 'Likes jazz' })
    })
    const m = memory(llm)
    await m.add('I like jazz', { userId: 'u' })
    expect((await m.add('Jazz is my thing', { userId: 'u' })).results).toEqual([])
    expect((await m.getAll({ userId: 'u' })).results).toHaveLength(1)
  })

  it('parses answers wrapped in code fences and prose', async () => {
    const llm = new ScriptedLLM(
      `Sure! Here is the result:\n\`\`\`json\n${ops({ event: 'add', text: 'Allergic to shellfish' })}\n\`\`\`\nLet me know.`,
    )
    const m = memory(llm)
    expect((await m.add('I am allergic to shellfish', { userId: 'u' })).results.map((r) => r.memory)).toEqual(['Allergic to shellfish'])
  })

  it('retries once with the validation problem fed back, then succeeds', async () => {
    const llm = new ScriptedLLM(ops({ event: 'UPDATE', id: '7', text: 'hallucinated' }), ops({ event: 'ADD', text: 'Plays chess' }))
    const m = memory(llm)
    const { results } = await m.add('I play chess', { userId: 'u' })
    expect(results.map((r) => r.memory)).toEqual(['Plays chess'])
    expect(llm.requests).toHaveLength(2)
    const retry = llm.requests[1]!.messages
    expect(retry.at(-2)).toEqual({ role: 'assistant', content: ops({ event: 'UPDATE', id: '7', text: 'hallucinated' }) })
    expect(retry.at(-1)!.content).toMatch(/id "7", which is not in the stored memories list/)
  })

  it('throws LLMError after two unusable answers and writes nothing', async () => {
    const storage = new MemoryStorage()
    const llm = new ScriptedLLM('I cannot help with that.', '{"operations": [{"event": "MERGE"}]}')
    const m = memory(llm, storage)
    const error = await m.add('I play chess', { userId: 'u' }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(LLMError)
    expect((error as LLMError).message).toMatch(/unusable output twice.*MERGE.*nothing was written/)
    expect(llm.requests).toHaveLength(2)
    expect(await storage.list('')).toEqual([])
  })

  it('refuses an answer with more changes than MAX_CHANGES_PER_ANSWER (300 ADDs), writes nothing', async () => {
    const storage = new MemoryStorage()
    const flood = ops(...Array.from({ length: 300 }, (_, i) => ({ event: 'ADD', text: `fact ${i}` })))
    const llm = new ScriptedLLM(flood, flood)
    const m = memory(llm, storage)
    const error = await m.add('I play chess', { userId: 'u' }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(LLMError)
    expect((error as LLMError).message).toMatch(new RegExp(`300 changes in one answer; at most ${MAX_CHANGES_PER_ANSWER}`))
    expect(await storage.list('')).toEqual([])
    // At the limit it is accepted.
    const atLimit = ops(...Array.from({ length: MAX_CHANGES_PER_ANSWER }, (_, i) => ({ event: 'ADD', text: `fact ${i}` })))
    expect((await memory(new ScriptedLLM(atLimit)).add('I play chess', { userId: 'u' })).results).toHaveLength(MAX_CHANGES_PER_ANSWER)
  })

  it('a failing LLM call (after the provider retried) is an LLMError with the cause, nothing written', async () => {
    const storage = new MemoryStorage()
    const m = memory(new ScriptedLLM(new RemoteError('openai', 503, 'overloaded')), storage)
    const error = await m.add('I play chess', { userId: 'u' }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(LLMError)
    expect((error as LLMError).cause).toBeInstanceOf(RemoteError)
    expect(await storage.list('')).toEqual([])
  })

  it('returns no events and calls nothing for a conversation with no content', async () => {
    const llm = new ScriptedLLM()
    const m = memory(llm)
    expect(await m.add([{ role: 'system', content: 'rules' }], { userId: 'u' })).toEqual({ results: [] })
    expect(llm.requests).toHaveLength(0)
  })

  it('infer: false bypasses the llm even when one is configured', async () => {
    const llm = new ScriptedLLM()
    const m = memory(llm)
    expect((await m.add('verbatim note', { userId: 'u', infer: false })).results).toHaveLength(1)
    expect(llm.requests).toHaveLength(0)
  })
})

describe('reading the model answer', () => {
  const known = new Set(['1', '2'])
  it('finds JSON inside fences, prose and bare arrays', () => {
    expect(extractJson('```\n{"a": 1}\n```')).toEqual({ a: 1 })
    expect(extractJson('Result: {"a": "has } brace"} done')).toEqual({ a: 'has } brace' })
    expect(extractJson('noise [1, {"b": 2}] more')).toEqual([1, { b: 2 }])
    expect(() => extractJson('no json here')).toThrow(AnswerProblem)
  })

  it('accepts common variants of the shape', () => {
    expect(parseOperations('[{"op": "add", "memory": "x"}]', known)).toEqual([{ event: 'ADD', text: 'x' }])
    expect(parseOperations('{"memory": [{"event": "UPDATE", "id": 2, "text": "y"}]}', known)).toEqual([
      { event: 'UPDATE', ref: '2', text: 'y' },
    ])
    expect(parseOperations('{"operations": []}', known)).toEqual([])
  })

  it('rejects unknown or repeated ids, missing text, unknown events; ignores unknown NONE ids', () => {
    expect(() => parseOperations(ops({ event: 'DELETE', id: '9' }), known)).toThrow(/not in the stored memories list/)
    expect(() => parseOperations(ops({ event: 'DELETE', id: '1' }, { event: 'UPDATE', id: '1', text: 'z' }), known)).toThrow(/second time/)
    expect(() => parseOperations(ops({ event: 'ADD', text: '  ' }), known)).toThrow(/non-empty "text"/)
    expect(() => parseOperations(ops({ event: 'UPDATE', text: 'no id' }), known)).toThrow(/needs the "id"/)
    expect(() => parseOperations(ops({ event: 'REPLACE' }), known)).toThrow(/use ADD, UPDATE, DELETE or NONE/)
    expect(() => parseOperations('{"facts": "nope"}', known)).toThrow(/"operations" array/)
    expect(parseOperations(ops({ event: 'NONE', id: '42' }), known)).toEqual([])
  })
})
