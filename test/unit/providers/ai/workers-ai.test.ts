import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { ConfigError, EmbeddingError, LLMError, Memory, MemoryStorage, RemoteError } from '../../../../src/index.ts'
import { createWorkersAIEmbedder, createWorkersAILLM } from '../../../../src/providers/workers-ai/workers-ai.ts'
import { type ScriptControl, type ScriptedServer, scriptControl } from '../../../servers/scripted-service.ts'
import { FakeAiBinding, startWorkersAIServer } from '../../../servers/services/workers-ai.ts'

// The workers-ai providers through the Worker `AI` binding (the REST path runs the shared conformance
// suites in conformance.test.ts). The binding fake answers from the same scripted Workers AI service.

let server: ScriptedServer
let script: ScriptControl
beforeAll(async () => {
  server = await startWorkersAIServer({ dimensions: 24 })
  script = scriptControl(server.url)
})
beforeEach(async () => {
  await script.reset()
})
afterAll(async () => {
  await server?.close()
})

describe('workers-ai through the AI binding', () => {
  it('embeds with @cf/baai/bge-small-en-v1.5 by default, 100 texts per run, 384 dimensions checked', async () => {
    const binding = new FakeAiBinding(server.url)
    const embedder = createWorkersAIEmbedder({ binding })
    expect(embedder.dimensions).toBe(384)
    const texts = Array.from({ length: 150 }, (_, i) => `text number ${i}`)
    const vectors = await embedder.embed(texts)
    expect(vectors).toHaveLength(150)
    expect(vectors[0]).toHaveLength(384)
    expect(binding.calls.map((c) => [c.model, (c.inputs.text as string[]).length])).toEqual([
      ['@cf/baai/bge-small-en-v1.5', 100],
      ['@cf/baai/bge-small-en-v1.5', 50],
    ])
    const wrong = createWorkersAIEmbedder({ binding, model: '@cf/baai/bge-base-en-v1.5', dimensions: 384 })
    await expect(wrong.embed(['tea'])).rejects.toBeInstanceOf(EmbeddingError)
  })

  it('generates text; JSON mode asks for json_object and accepts an answer the binding already parsed', async () => {
    const binding = new FakeAiBinding(server.url)
    const llm = createWorkersAILLM({ binding })
    await script.enqueue({ text: 'Lives in Lisbon.' })
    expect(await llm.complete({ messages: [{ role: 'user', content: 'Where?' }] })).toBe('Lives in Lisbon.')
    await script.enqueue({
      raw: { status: 200, body: { result: { response: { facts: ['Lisbon'] } }, success: true, errors: [], messages: [] } },
    })
    const answer = await llm.complete({ messages: [{ role: 'user', content: 'facts as JSON' }], json: true })
    expect(JSON.parse(answer)).toEqual({ facts: ['Lisbon'] })
    expect(binding.calls.at(-1)!.inputs.response_format).toEqual({ type: 'json_object' })
    expect(binding.calls.at(-1)!.model).toBe('@cf/meta/llama-3.3-70b-instruct-fp8-fast')
    await script.enqueue({ text: 'Sure, here it is: {"facts": [' })
    await expect(llm.complete({ messages: [{ role: 'user', content: 'JSON' }], json: true })).rejects.toBeInstanceOf(LLMError)
    await script.enqueue({ text: '["not", "an object"]' })
    await expect(llm.complete({ messages: [{ role: 'user', content: 'JSON' }], json: true })).rejects.toBeInstanceOf(LLMError)
  })

  it('retries capacity errors (3040), never auth errors, and times out a silent binding', async () => {
    const binding = new FakeAiBinding(server.url)
    await script.enqueue({ error: 429 }, { text: 'ok' })
    expect(await createWorkersAILLM({ binding, retryBaseDelayMs: 5 }).complete({ messages: [{ role: 'user', content: 'hi' }] })).toBe('ok')
    expect(binding.calls).toHaveLength(2)

    await script.enqueue({ error: 401 })
    const denied = await createWorkersAILLM({ binding, retryBaseDelayMs: 5 })
      .complete({ messages: [{ role: 'user', content: 'hi' }] })
      .catch((e: unknown) => e)
    expect(denied).toBeInstanceOf(RemoteError)
    expect((denied as RemoteError).status).toBe(401)
    expect((denied as RemoteError).message).toContain('Authentication error')
    expect(binding.calls).toHaveLength(3)

    await script.enqueue({ error: 500 }, { error: 500 }, { error: 500 })
    const failed = await createWorkersAIEmbedder({ binding, maxRetries: 2, retryBaseDelayMs: 5 })
      .embed(['tea'])
      .catch((e: unknown) => e)
    expect(failed).toBeInstanceOf(RemoteError)
    expect(binding.calls).toHaveLength(6)

    const silent = { run: () => new Promise<never>(() => {}) }
    const timedOut = await createWorkersAILLM({ binding: silent, timeoutMs: 50, maxRetries: 0 })
      .complete({ messages: [{ role: 'user', content: 'hi' }] })
      .catch((e: unknown) => e)
    expect(timedOut).toBeInstanceOf(RemoteError)
    expect((timedOut as RemoteError).status).toBe(0)
  })

  it('a Memory with `{ provider: "workers-ai", config: { binding } }` for both embeds and infers with nothing else', async () => {
    // Two fakes: the scripted queue answers every route, so embeddings come from their own.
    const embeddings = await startWorkersAIServer()
    const binding = new FakeAiBinding(server.url)
    const embeddingBinding = new FakeAiBinding(embeddings.url)
    await script.enqueue({ text: JSON.stringify({ operations: [{ event: 'ADD', text: 'Lives in Lisbon' }] }) })
    const memory = new Memory({
      embedder: { provider: 'workers-ai', config: { binding: embeddingBinding } },
      llm: { provider: 'workers-ai', config: { binding } },
      vectorStore: { provider: 'flat' },
      storage: new MemoryStorage(),
    })
    try {
      await memory.add('I moved to Lisbon in May.', { userId: 'u1' })
      expect((await memory.getAll({ userId: 'u1' })).results.map((r) => r.memory)).toEqual(['Lives in Lisbon'])
      expect(new Set(binding.calls.map((c) => c.model))).toEqual(new Set(['@cf/meta/llama-3.3-70b-instruct-fp8-fast']))
      expect(new Set(embeddingBinding.calls.map((c) => c.model))).toEqual(new Set(['@cf/baai/bge-small-en-v1.5']))
    } finally {
      await memory.close()
      await embeddings.close()
    }
  })

  it('config: a binding, or accountId and apiToken', () => {
    expect(() => createWorkersAIEmbedder({})).toThrow(ConfigError)
    expect(() => createWorkersAILLM({ accountId: 'abc' })).toThrow(ConfigError)
    expect(() => createWorkersAILLM({ binding: {} })).toThrow(ConfigError)
    expect(() => createWorkersAIEmbedder({ binding: new FakeAiBinding(server.url), model: 'gpt-4' })).toThrow(ConfigError)
  })
})
