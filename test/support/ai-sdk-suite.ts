import { generateText, isStepCount, streamText, wrapLanguageModel } from 'ai'
import { MockLanguageModelV3, MockLanguageModelV4, simulateReadableStream } from 'ai/test'
import { memoryMiddleware, memoryTools } from '../../src/ai/index.ts'
import type { MemoryApi } from '../../src/index.ts'
import { afterEach, describe, expect, it } from '../harness.ts'

/**
 * edgemem/ai with the AI SDK's own mock language models (ai/test), over any MemoryApi: run with a local
 * Memory (test/unit/ai/ai-sdk.test.ts) and with RemoteMemory + the Worker in workerd
 * (test/workers/worker-ai-sdk.test.ts). `make` gives a fresh, empty memory without an LLM.
 */

const usage = {
  inputTokens: { total: 10, noCache: 10, cacheRead: undefined, cacheWrite: undefined },
  outputTokens: { total: 5, text: 5, reasoning: undefined },
}
const stop = { unified: 'stop' as const, raw: 'stop' }

function textAnswer(text: string) {
  return { content: [{ type: 'text' as const, text }], finishReason: stop, usage, warnings: [] }
}

function toolCall(toolName: string, input: unknown, id: string) {
  return {
    content: [{ type: 'tool-call' as const, toolCallId: id, toolName, input: JSON.stringify(input) }],
    finishReason: { unified: 'tool-calls' as const, raw: 'tool_calls' },
    usage,
    warnings: [],
  }
}

function textStream(...deltas: string[]) {
  return {
    stream: simulateReadableStream({
      chunks: [
        { type: 'text-start' as const, id: 't1' },
        ...deltas.map((delta) => ({ type: 'text-delta' as const, id: 't1', delta })),
        { type: 'text-end' as const, id: 't1' },
        { type: 'finish' as const, finishReason: stop, usage },
      ],
      chunkDelayInMs: 1,
    }),
  }
}

/** The system messages a model was called with. */
function systemTexts(prompt: readonly { role: string; content: unknown }[]): string[] {
  return prompt.filter((m) => m.role === 'system').map((m) => m.content as string)
}

export function describeAiSdk(name: string, make: () => Promise<MemoryApi>): void {
  describe(`edgemem/ai: ${name}`, () => {
    let opened: MemoryApi[] = []
    const open = async (): Promise<MemoryApi> => {
      const m = await make()
      opened.push(m)
      return m
    }
    afterEach(async () => {
      await Promise.all(opened.map((m) => m.close()))
      opened = []
    })

    describe('memoryMiddleware', () => {
      it('generate: puts the relevant memories into the prompt after the caller’s system message, then stores the exchange', async () => {
        const memory = await open()
        await memory.add('Alice is vegetarian and cooks dinner at home', { userId: 'alice' })
        await memory.add('Bob is vegetarian too', { userId: 'bob' })
        const mock = new MockLanguageModelV4({ doGenerate: textAnswer('How about a lentil curry for dinner?') })
        const model = wrapLanguageModel({ model: mock, middleware: memoryMiddleware(memory, { userId: 'alice', infer: false }) })
        const result = await generateText({
          model,
          system: 'You are a cooking assistant.',
          prompt: 'What should a vegetarian cook for dinner?',
        })
        expect(result.text).toBe('How about a lentil curry for dinner?')
        const systems = systemTexts(mock.doGenerateCalls[0]!.prompt)
        expect(systems[0]).toBe('You are a cooking assistant.')
        expect(systems[1]).toContain('- Alice is vegetarian and cooks dinner at home')
        expect(systems.join('\n')).not.toContain('Bob')
        const stored = (await memory.getAll({ userId: 'alice' })).results.map((m) => [m.metadata.role, m.memory])
        expect(stored).toEqual(
          expect.arrayContaining([
            ['user', 'What should a vegetarian cook for dinner?'],
            ['assistant', 'How about a lentil curry for dinner?'],
          ]),
        )
        expect(stored).toHaveLength(3)
      })

      it('stream: the text reaches the caller as it comes, and the exchange is stored when the stream has finished', async () => {
        const memory = await open()
        const mock = new MockLanguageModelV4({ doStream: textStream('Noted: ', 'you live ', 'in Lyon.') })
        const model = wrapLanguageModel({
          model: mock,
          middleware: memoryMiddleware(memory, { userId: 'u', infer: false, metadata: { source: 'chat' } }),
        })
        const result = streamText({ model, prompt: 'I moved to Lyon last month' })
        const deltas: string[] = []
        for await (const delta of result.textStream) deltas.push(delta)
        expect(deltas.join('')).toBe('Noted: you live in Lyon.')
        expect((await memory.getAll({ userId: 'u' })).results.map((m) => m.memory).sort()).toEqual([
          'I moved to Lyon last month',
          'Noted: you live in Lyon.',
        ])
        expect((await memory.getAll({ userId: 'u', filters: { source: 'chat', role: 'assistant' } })).results).toHaveLength(1)
        // The next call finds it; filters narrow what is retrieved.
        await memory.add('Lyon has two rivers', { userId: 'u', metadata: { source: 'guide' } })
        const next = new MockLanguageModelV4({ doStream: textStream('Lyon, you said.') })
        const again = streamText({
          model: wrapLanguageModel({
            model: next,
            middleware: memoryMiddleware(memory, { userId: 'u', store: false, filters: { source: 'chat' } }),
          }),
          prompt: 'Where did I move to? Lyon?',
        })
        expect(await again.text).toBe('Lyon, you said.')
        const injected = systemTexts(next.doStreamCalls[0]!.prompt).join('\n')
        expect(injected).toContain('I moved to Lyon last month')
        expect(injected).not.toContain('two rivers')
        expect((await memory.getAll({ userId: 'u' })).results).toHaveLength(3)
      })

      it('works with a v3 model, and with retrieve/store turned off it neither searches nor writes', async () => {
        const memory = await open()
        await memory.add('Carol plays chess on Fridays', { userId: 'carol' })
        const mock = new MockLanguageModelV3({ doGenerate: textAnswer('Chess on Friday, then.') as never })
        const quiet = wrapLanguageModel({
          model: mock,
          middleware: memoryMiddleware(memory, { userId: 'carol', retrieve: false, store: false }),
        })
        await generateText({ model: quiet, prompt: 'Do I play chess on Fridays?' })
        expect(systemTexts(mock.doGenerateCalls[0]!.prompt)).toEqual([])
        expect((await memory.getAll({ userId: 'carol' })).results).toHaveLength(1)
        const full = wrapLanguageModel({ model: mock, middleware: memoryMiddleware(memory, { userId: 'carol', infer: false }) })
        await generateText({ model: full, prompt: 'Do I play chess on Fridays?' })
        expect(systemTexts(mock.doGenerateCalls[1]!.prompt).join('\n')).toContain('Carol plays chess on Fridays')
        expect((await memory.getAll({ userId: 'carol' })).results).toHaveLength(3)
      })

      it('a failing memory fails the call by default; with onError the model answers without memories', async () => {
        const memory = await open()
        await memory.close()
        const mock = new MockLanguageModelV4({ doGenerate: textAnswer('Hello!') })
        const strict = wrapLanguageModel({ model: mock, middleware: memoryMiddleware(memory, { userId: 'u' }) })
        await expect(generateText({ model: strict, prompt: 'hi there' })).rejects.toThrow(/closed/)
        const seen: string[] = []
        const lenient = wrapLanguageModel({
          model: mock,
          middleware: memoryMiddleware(memory, { userId: 'u', onError: (_err, stage) => seen.push(stage) }),
        })
        expect((await generateText({ model: lenient, prompt: 'hi there' })).text).toBe('Hello!')
        expect(seen).toEqual(['retrieve', 'store'])
      })
    })

    describe('memoryTools', () => {
      it('an agent adds, searches, corrects and forgets memories through tool calls, within its scope only', async () => {
        const memory = await open()
        const [other] = (await memory.add('Someone else likes jazz', { userId: 'bob' })).results
        const tools = memoryTools(memory, { userId: 'alice', infer: false, metadata: { source: 'agent' } })
        let step = 0
        let addedId = ''
        const mock = new MockLanguageModelV4({
          doGenerate: async (options) => {
            step++
            if (step === 1) return toolCall('add_memory', { text: 'Alice likes jazz piano', metadata: { topic: 'music' } }, 'c1')
            if (step === 2) {
              const result = JSON.stringify(options.prompt.at(-1))
              addedId = /"id":"([^"]+)"/.exec(result)![1]!
              return toolCall('search_memories', { query: 'jazz', filters: { topic: 'music' } }, 'c2')
            }
            if (step === 3) return toolCall('update_memory', { id: addedId, text: 'Alice likes jazz guitar' }, 'c3')
            if (step === 4) return toolCall('delete_memory', { id: other!.id }, 'c4')
            return textAnswer('Done.')
          },
        })
        const result = await generateText({ model: mock, tools, prompt: 'Remember that I like jazz piano', stopWhen: isStepCount(6) })
        expect(result.text).toBe('Done.')
        const outputs = result.steps.flatMap((s) => s.content).filter((c) => c.type === 'tool-result' || c.type === 'tool-error')
        expect(outputs.map((o) => [o.type, o.toolName])).toEqual([
          ['tool-result', 'add_memory'],
          ['tool-result', 'search_memories'],
          ['tool-result', 'update_memory'],
          ['tool-error', 'delete_memory'],
        ])
        const search = outputs[1] as { output: { results: { id: string; memory: string; metadata?: object }[] } }
        expect(search.output.results).toEqual([
          expect.objectContaining({ id: addedId, memory: 'Alice likes jazz piano', metadata: { topic: 'music', source: 'agent' } }),
        ])
        expect(String((outputs[3] as { error: unknown }).error)).toMatch(/no memory with id/)
        expect((await memory.get(addedId))!.memory).toBe('Alice likes jazz guitar')
        expect(await memory.get(other!.id)).not.toBeNull()
        expect((await memory.getAll({ userId: 'alice' })).results.map((m) => m.memory)).toEqual(['Alice likes jazz guitar'])
      })

      it('bad tool input is refused by the schema before the memory is touched', async () => {
        const memory = await open()
        const tools = memoryTools(memory, { userId: 'alice' })
        let step = 0
        const mock = new MockLanguageModelV4({
          doGenerate: async () => (++step === 1 ? toolCall('add_memory', { text: '' }, 'c1') : textAnswer('ok')),
        })
        const result = await generateText({ model: mock, tools, prompt: 'remember nothing', stopWhen: isStepCount(3) })
        const errors = result.steps.flatMap((s) => s.content).filter((c) => c.type === 'tool-error')
        expect(errors).toHaveLength(1)
        expect((await memory.getAll({ userId: 'alice' })).results).toEqual([])
        expect(() => memoryTools(memory, {})).toThrow(/userId, agentId or runId/)
      })
    })
  })
}
