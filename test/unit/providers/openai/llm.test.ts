/** The `openai` llm through the real openai client against the OpenAI-compatible test server over HTTP. */
import { LLMError, RemoteError, ValidationError } from '../../../../src/errors.ts'
import type { LLMRequest } from '../../../../src/interfaces/llm.ts'
import type { OpenAILLMConfig } from '../../../../src/providers/openai/config.ts'
import { OpenAILLM } from '../../../../src/providers/openai/llm.ts'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '../../../harness.ts'
import { openAIError, startOpenAITestServer, type ChatCompletionRequest, type OpenAITestServer } from '../../../servers/openai.ts'

const KEY = 'sk-test-llm'
let srv: OpenAITestServer
beforeAll(async () => {
  srv = await startOpenAITestServer({ apiKey: KEY })
})
afterAll(() => srv.close())
beforeEach(() => srv.reset())

const llm = (config: Partial<OpenAILLMConfig> = {}): OpenAILLM => new OpenAILLM({ apiKey: KEY, baseURL: srv.baseURL, ...config })
const ask = (content: string, extra: Partial<LLMRequest> = {}): LLMRequest => ({
  messages: [
    { role: 'system', content: 'Extract facts. Answer in JSON.' },
    { role: 'user', content },
  ],
  ...extra,
})
const sent = (i = 0): ChatCompletionRequest => srv.chat.requests[i]!.body as ChatCompletionRequest

describe('openai llm: requests and answers', () => {
  it('returns the assistant message content', async () => {
    srv.chat.enqueue({ content: '{"facts": ["likes green tea"]}' })
    expect(await llm().complete(ask('I like green tea', { json: true }))).toBe('{"facts": ["likes green tea"]}')
  })

  it('sends model, messages and response_format json_object when JSON is asked for', async () => {
    srv.chat.enqueue({ content: '{}' })
    await llm().complete(ask('hi', { json: true, temperature: 0.2, maxTokens: 300 }))
    expect(sent()).toEqual({
      model: 'gpt-4.1-mini',
      messages: ask('hi').messages,
      temperature: 0.2,
      max_tokens: 300,
      response_format: { type: 'json_object' },
    })
    expect(srv.chat.requests[0]!.headers.authorization).toBe(`Bearer ${KEY}`)
  })

  it('leaves response_format out when JSON is not asked for, or jsonMode is false', async () => {
    srv.chat.enqueue({ content: 'a' }, { content: 'b' })
    await llm().complete(ask('hi'))
    await llm({ jsonMode: false }).complete(ask('hi', { json: true }))
    expect(sent(0).response_format).toBeUndefined()
    expect(sent(1).response_format).toBeUndefined()
  })

  it('config temperature and maxTokens win over the request’s', async () => {
    srv.chat.enqueue({ content: 'a' })
    await llm({ temperature: 1, maxTokens: 50, model: 'qwen2.5' }).complete(ask('hi', { temperature: 0, maxTokens: 999 }))
    expect(sent()).toMatchObject({ model: 'qwen2.5', temperature: 1, max_tokens: 50 })
  })

  it('passes the conversation to a handler that can answer from it', async () => {
    srv.chat.handler = (body) => ({ content: `you said: ${body.messages.at(-1)!.content}` })
    expect(await llm().complete(ask('hello there'))).toBe('you said: hello there')
  })

  it('works without an apiKey against a keyless local server, sending no Authorization header', async () => {
    const local = await startOpenAITestServer()
    try {
      local.chat.enqueue({ content: 'ok' })
      expect(await new OpenAILLM({ baseURL: local.baseURL }).complete(ask('hi'))).toBe('ok')
      expect(local.chat.requests[0]!.headers.authorization).toBeUndefined()
    } finally {
      await local.close()
    }
  })

  it('returns malformed JSON content as is (parsing and repair belong to the Memory pipeline)', async () => {
    srv.chat.enqueue({ content: '{"facts": ["unterminated' })
    expect(await llm().complete(ask('hi', { json: true }))).toBe('{"facts": ["unterminated')
  })

  it('surfaces OpenAI’s 400 for json_object without the word "json" in the messages, unretried', async () => {
    const err = await llm()
      .complete({ messages: [{ role: 'user', content: 'hello' }], json: true })
      .catch((e: unknown) => e)
    expect(err).toBeInstanceOf(RemoteError)
    expect(err).toMatchObject({ status: 400 })
    expect((err as RemoteError).serviceMessage).toMatch(/must contain the word 'json'/)
    expect(srv.chat.requests).toHaveLength(1)
  })
})

describe('openai llm: unusable answers are LLMError', () => {
  it('empty or whitespace content', async () => {
    srv.chat.enqueue({ content: '' }, { content: '  \n' }, { content: null })
    for (let i = 0; i < 3; i++) await expect(llm().complete(ask('hi'))).rejects.toThrow(/empty answer/)
  })

  it('a refusal', async () => {
    srv.chat.enqueue({ content: null, refusal: "I'm sorry, I can't help with that." })
    const err = await llm()
      .complete(ask('hi'))
      .catch((e: unknown) => e)
    expect(err).toBeInstanceOf(LLMError)
    expect((err as Error).message).toMatch(/refused to answer: I'm sorry/)
  })

  it('content withheld by the content filter', async () => {
    srv.chat.enqueue({ content: 'partial', finishReason: 'content_filter' })
    await expect(llm().complete(ask('hi'))).rejects.toThrow(/content filter/)
  })

  it('JSON cut off by the token limit; plain text cut off is returned', async () => {
    srv.chat.enqueue({ content: '{"facts": ["a', finishReason: 'length' }, { content: 'a long story that', finishReason: 'length' })
    await expect(llm().complete(ask('hi', { json: true }))).rejects.toThrow(/cut off by the token limit/)
    expect(await llm().complete(ask('hi'))).toBe('a long story that')
  })

  it('no choices, or a body that is not JSON', async () => {
    srv.chat.enqueue({ status: 200, body: { id: 'x', object: 'chat.completion', choices: [] } }, { status: 200, body: '{"choices": [' })
    await expect(llm().complete(ask('hi'))).rejects.toThrow(LLMError)
    const err = await llm()
      .complete(ask('hi'))
      .catch((e: unknown) => e)
    expect(err).toBeInstanceOf(LLMError)
    expect((err as Error).message).toMatch(/not valid JSON/)
  })

  it('rejects bad requests before sending', async () => {
    await expect(llm().complete({ messages: [] })).rejects.toThrow(ValidationError)
    await expect(llm().complete({ messages: [{ role: 'robot' as 'user', content: 'x' }] })).rejects.toThrow(/messages\[0\]\.role/)
    expect(srv.requests).toHaveLength(0)
  })
})

describe('openai llm: HTTP failures, retries, timeouts, abort', () => {
  it('honours Retry-After on 429 and then answers', async () => {
    srv.chat.enqueue(openAIError(429, 'Rate limit reached', { code: 'rate_limit_exceeded', headers: { 'retry-after': '1' } }), {
      content: 'ok',
    })
    expect(await llm().complete(ask('hi'))).toBe('ok')
    const [first, second] = srv.chat.requests
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(950)
  })

  it('500 forever: RemoteError with status and message after maxRetries + 1 attempts', async () => {
    srv.chat.handler = () => openAIError(502, 'Bad gateway', { headers: { 'retry-after-ms': '5' } })
    const err = await llm({ maxRetries: 3 })
      .complete(ask('hi'))
      .catch((e: unknown) => e)
    expect(err).toBeInstanceOf(RemoteError)
    expect(err).toMatchObject({ status: 502, serviceMessage: 'Bad gateway' })
    expect(srv.chat.requests).toHaveLength(4)
  })

  it('401 is never retried', async () => {
    const err = await llm({ apiKey: 'sk-nope-nope-nope' })
      .complete(ask('hi'))
      .catch((e: unknown) => e)
    expect(err).toMatchObject({ status: 401, code: 'REMOTE' })
    expect(srv.chat.requests).toHaveLength(1)
  })

  it('a slow answer times out (maxRetries 0: exactly one attempt)', async () => {
    srv.chat.enqueue({ delayMs: 1_500, content: 'too late' })
    const started = performance.now()
    const err = await llm({ timeoutMs: 250, maxRetries: 0 })
      .complete(ask('hi'))
      .catch((e: unknown) => e)
    expect(err).toBeInstanceOf(RemoteError)
    expect((err as Error).message).toMatch(/request timed out after 250 ms/)
    expect(performance.now() - started).toBeLessThan(1_400)
    expect(srv.chat.requests).toHaveLength(1)
  })

  it('an abort signal cancels the request in flight with the signal’s reason', async () => {
    srv.chat.enqueue({ delayMs: 1_500, content: 'too late' })
    const controller = new AbortController()
    setTimeout(() => controller.abort(), 100)
    const started = performance.now()
    const err = await llm()
      .complete(ask('hi', { signal: controller.signal }))
      .catch((e: unknown) => e)
    expect(err).toBe(controller.signal.reason)
    expect((err as Error).name).toBe('AbortError')
    expect(performance.now() - started).toBeLessThan(1_400)
    expect(srv.chat.requests).toHaveLength(1)
  })

  it('an abort signal also cuts the wait before a retry short', async () => {
    srv.chat.enqueue(openAIError(429, 'Rate limit reached', { headers: { 'retry-after': '30' } }))
    const controller = new AbortController()
    setTimeout(() => controller.abort(new Error('user left')), 150)
    const started = performance.now()
    await expect(llm().complete(ask('hi', { signal: controller.signal }))).rejects.toThrow('user left')
    expect(performance.now() - started).toBeLessThan(1_000)
    expect(srv.chat.requests).toHaveLength(1)
  })

  it('an already aborted signal sends nothing', async () => {
    await expect(llm().complete(ask('hi', { signal: AbortSignal.abort() }))).rejects.toMatchObject({ name: 'AbortError' })
    expect(srv.requests).toHaveLength(0)
  })
})
