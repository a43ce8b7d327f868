import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { LLMError, Memory, MemoryStorage, RemoteError, type MemoryConfig } from '../../src/index.ts'
import { openAIError, startOpenAITestServer, type OpenAITestServer } from '../servers/openai.ts'

/**
 * The whole pipeline over real HTTP: Memory → our openai providers → the official `openai` client →
 * a local server speaking the OpenAI protocol, scripted per test.
 */
let server: OpenAITestServer
const KEY = 'sk-test-pipeline'
beforeAll(async () => {
  server = await startOpenAITestServer({ apiKey: KEY, dimensions: 64 })
})
afterAll(async () => {
  await server.close()
})
afterEach(() => server.reset())

const memories: Memory[] = []
afterEach(async () => {
  await Promise.all(memories.splice(0).map((m) => m.close()))
})

function memory(options: { storage?: MemoryStorage; llm?: Record<string, unknown>; embedder?: Record<string, unknown> } = {}): Memory {
  const connection = { apiKey: KEY, baseURL: server.baseURL, maxRetries: 2, timeoutMs: 2000 }
  const config: MemoryConfig = {
    embedder: { provider: 'openai', config: { ...connection, model: 'test-embed', dimensions: 64, ...options.embedder } },
    llm: { provider: 'openai', config: { ...connection, model: 'test-chat', ...options.llm } },
    vectorStore: { provider: 'flat' },
    storage: options.storage ?? new MemoryStorage(),
  }
  const m = new Memory(config)
  memories.push(m)
  return m
}

const ops = (...operations: object[]): string => JSON.stringify({ operations })

/** The short ids and texts the model was shown in a chat request. */
function shown(body: unknown): Map<string, string> {
  const messages = (body as { messages: { role: string; content: string }[] }).messages
  const user = messages.find((m) => m.role === 'user')!.content
  const list = /Stored memories:\n(.*)\n\nConversation:/s.exec(user)![1]!
  const out = new Map<string, string>()
  if (list !== '(none yet)') for (const e of JSON.parse(list) as { id: string; text: string }[]) out.set(e.text, e.id)
  return out
}

describe('infer pipeline over HTTP through the openai client', () => {
  it('adds extracted facts: one chat call in JSON mode, embeddings batched', async () => {
    const m = memory()
    server.chat.enqueue({ content: ops({ event: 'ADD', text: 'Likes mountain biking' }, { event: 'ADD', text: 'Lives near Grenoble' }) })
    const { results } = await m.add(
      [
        { role: 'user', content: 'I go mountain biking every weekend near Grenoble where I live.' },
        { role: 'assistant', content: 'Sounds fun!' },
      ],
      { userId: 'alice' },
    )
    expect(results.map((r) => r.memory)).toEqual(['Likes mountain biking', 'Lives near Grenoble'])
    expect(server.chat.requests).toHaveLength(1)
    const chat = server.chat.requests[0]!
    expect(chat.headers.authorization).toBe(`Bearer ${KEY}`)
    expect(chat.body).toMatchObject({ model: 'test-chat', response_format: { type: 'json_object' } })
    const embedCalls = server.embeddings.requests.map((r) => (r.body as { input: string[] }).input)
    expect(embedCalls).toEqual([
      ['I go mountain biking every weekend near Grenoble where I live.', 'Sounds fun!'],
      ['Likes mountain biking', 'Lives near Grenoble'],
    ])
    expect((await m.search('biking', { userId: 'alice' })).results[0]!.memory).toBe('Likes mountain biking')
  })

  it('maps UPDATE and DELETE on temporary ids back to the real memories', async () => {
    const m = memory()
    server.chat.enqueue({
      content: ops({ event: 'ADD', text: 'Works at Acme as a designer' }, { event: 'ADD', text: 'Has a dog called Rex' }),
    })
    const first = (await m.add('I design at Acme and have a dog, Rex.', { userId: 'alice' })).results
    server.chat.handler = (body) => {
      const ids = shown(body)
      return {
        content: ops(
          { event: 'UPDATE', id: ids.get('Works at Acme as a designer'), text: 'Works at Globex as a lead designer' },
          { event: 'DELETE', id: ids.get('Has a dog called Rex') },
        ),
      }
    }
    const { results } = await m.add('I moved to Globex as lead designer. Sadly Rex the dog died.', { userId: 'alice' })
    const idOf = (text: string): string => first.find((r) => r.memory === text)!.id
    expect(results).toEqual([
      {
        id: idOf('Works at Acme as a designer'),
        memory: 'Works at Globex as a lead designer',
        event: 'UPDATE',
        previousMemory: 'Works at Acme as a designer',
      },
      { id: idOf('Has a dog called Rex'), memory: 'Has a dog called Rex', event: 'DELETE' },
    ])
    const sent = JSON.stringify(server.chat.requests[1]!.body)
    for (const r of first) expect(sent).not.toContain(r.id)
    expect((await m.getAll({ userId: 'alice' })).results.map((r) => r.memory)).toEqual(['Works at Globex as a lead designer'])
  })

  it('retries malformed JSON once with the problem fed back', async () => {
    const m = memory()
    server.chat.enqueue(
      { content: '{"operations": [{"event": "ADD", "text": "Speaks Portuguese"' },
      { content: ops({ event: 'ADD', text: 'Speaks Portuguese' }) },
    )
    const { results } = await m.add('Falo português fluentemente.', { userId: 'u' })
    expect(results.map((r) => r.memory)).toEqual(['Speaks Portuguese'])
    const retry = (server.chat.requests[1]!.body as { messages: { role: string; content: string }[] }).messages
    expect(retry.at(-1)!.content).toMatch(/could not be used: no JSON object was found/)
  })

  it('throws LLMError and writes nothing when the answer stays unusable', async () => {
    const storage = new MemoryStorage()
    const m = memory({ storage })
    server.chat.enqueue({ content: 'not json at all' }, { content: '```json\n{"operations": "oops"}\n```' })
    await expect(m.add('Something to remember', { userId: 'u' })).rejects.toThrow(LLMError)
    expect(await storage.list('')).toEqual([])
  })

  it('waits as told by a 429 Retry-After, then succeeds', async () => {
    const m = memory()
    server.chat.enqueue(openAIError(429, 'Rate limit reached for test-chat', { type: 'requests', headers: { 'retry-after': '1' } }))
    server.chat.enqueue({ content: ops({ event: 'ADD', text: 'Prefers tea' }) })
    const started = performance.now()
    const { results } = await m.add('I prefer tea.', { userId: 'u' })
    expect(results).toHaveLength(1)
    const [limited, ok] = server.chat.requests
    expect(ok!.at - limited!.at).toBeGreaterThanOrEqual(950)
    expect(performance.now() - started).toBeLessThan(10_000)
  })

  it('retries a 500, and gives up with LLMError (cause RemoteError with status and message) when it persists', async () => {
    const m = memory()
    server.chat.enqueue(openAIError(500, 'The server had an error'), { content: ops({ event: 'ADD', text: 'Owns a kayak' }) })
    expect((await m.add('I own a kayak', { userId: 'u' })).results).toHaveLength(1)
    server.chat.enqueue(...Array.from({ length: 3 }, () => openAIError(500, 'The server had an error')))
    const error = await m.add('I own a canoe too', { userId: 'u' }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(LLMError)
    const cause = (error as LLMError).cause as RemoteError
    expect(cause).toBeInstanceOf(RemoteError)
    expect(cause.status).toBe(500)
    expect(cause.serviceMessage).toContain('The server had an error')
    expect((await m.getAll({ userId: 'u' })).results.map((r) => r.memory)).toEqual(['Owns a kayak'])
  })

  it('times out a slow answer and writes nothing', async () => {
    const storage = new MemoryStorage()
    const m = memory({ storage, llm: { timeoutMs: 300, maxRetries: 0 } })
    server.chat.enqueue({ content: ops({ event: 'ADD', text: 'too late' }), delayMs: 2000 })
    const error = await m.add('Slow day', { userId: 'u' }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(LLMError)
    expect(((error as LLMError).cause as RemoteError).status).toBe(0)
    expect(await storage.list('')).toEqual([])
  })

  it('fails with RemoteError on an embeddings error, writes nothing, and never retries a 401', async () => {
    const storage = new MemoryStorage()
    const m = memory({ storage })
    server.embeddings.enqueue(openAIError(401, 'Incorrect API key provided', { type: 'invalid_request_error', code: 'invalid_api_key' }))
    const error = await m.add('I like plums', { userId: 'u', infer: false }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(RemoteError)
    expect((error as RemoteError).status).toBe(401)
    expect(server.embeddings.requests).toHaveLength(1)
    expect(await storage.list('')).toEqual([])
  })
})
