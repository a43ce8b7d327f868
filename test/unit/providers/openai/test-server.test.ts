/** The OpenAI-compatible test server speaks the protocol faithfully (checked with plain fetch, no SDK). */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '../../../harness.ts'
import { openAIError, startOpenAITestServer, type OpenAITestServer } from '../../../servers/openai.ts'
import { hashEmbed } from '../../../support/hash-embedder.ts'

const KEY = 'sk-test-server-0123456789'
let srv: OpenAITestServer
beforeAll(async () => {
  srv = await startOpenAITestServer({ apiKey: KEY, dimensions: 12 })
})
afterAll(() => srv.close())
beforeEach(() => srv.reset())

async function post(path: string, body: unknown, key: string | null = KEY): Promise<{ status: number; headers: Headers; json: any }> {
  const response = await fetch(`${srv.baseURL}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(key === null ? {} : { authorization: `Bearer ${key}` }) },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  })
  const text = await response.text()
  let json: unknown = text
  try {
    json = JSON.parse(text)
  } catch {
    // left as text
  }
  return { status: response.status, headers: response.headers, json }
}

const errorShape = {
  error: {
    message: expect.any(String),
    type: expect.any(String),
    param: expect.toSatisfy((p: unknown) => p === null || typeof p === 'string'),
    code: expect.toSatisfy((c: unknown) => c === null || typeof c === 'string'),
  },
}

describe('openai test server: embeddings', () => {
  it('answers with an OpenAI embeddings list of hash vectors', async () => {
    const { status, headers, json } = await post('/embeddings', {
      model: 'text-embedding-3-small',
      input: ['a cat', 'a dog'],
      encoding_format: 'float',
    })
    expect(status).toBe(200)
    expect(headers.get('content-type')).toMatch(/application\/json/)
    expect(headers.get('x-request-id')).toMatch(/^req_/)
    expect(json).toEqual({
      object: 'list',
      data: [
        { object: 'embedding', index: 0, embedding: Array.from(hashEmbed('a cat', 12)) },
        { object: 'embedding', index: 1, embedding: Array.from(hashEmbed('a dog', 12)) },
      ],
      model: 'text-embedding-3-small',
      usage: { prompt_tokens: expect.any(Number), total_tokens: expect.any(Number) },
    })
  })

  it('accepts a single string input, honours dimensions, and defaults to float without encoding_format', async () => {
    const { json } = await post('/embeddings', { model: 'm', input: 'one', dimensions: 5 })
    expect(json.data).toHaveLength(1)
    expect(json.data[0].embedding).toHaveLength(5)
  })

  it('encodes base64 as little-endian float32', async () => {
    const { json } = await post('/embeddings', { model: 'm', input: ['hello'], encoding_format: 'base64' })
    const bytes = Uint8Array.from(atob(json.data[0].embedding), (c) => c.charCodeAt(0))
    expect(Array.from(new Float32Array(bytes.buffer))).toEqual(Array.from(hashEmbed('hello', 12)))
  })

  it('rejects what OpenAI rejects, with its error envelope', async () => {
    for (const body of [
      { model: 'm', input: '' },
      { model: 'm', input: [] },
      { model: 'm', input: ['ok', ''] },
      { model: 'm', input: [1] },
      { input: ['x'] },
      { model: 'text-embedding-ada-002', input: 'x', dimensions: 8 },
      { model: 'm', input: 'x', encoding_format: 'hex' },
    ]) {
      const { status, json } = await post('/embeddings', body)
      expect(status, JSON.stringify(body)).toBe(400)
      expect(json).toEqual(errorShape)
      expect(json.error.type).toBe('invalid_request_error')
    }
    const { status, json } = await post('/embeddings', '{"model": ')
    expect(status).toBe(400)
    expect(json.error.message).toMatch(/could not parse the JSON body/)
  })

  it('401 without a key or with a wrong one, as OpenAI words it', async () => {
    const missing = await post('/embeddings', { model: 'm', input: 'x' }, null)
    expect(missing.status).toBe(401)
    expect(missing.json.error.message).toMatch(/You didn't provide an API key/)
    const wrong = await post('/embeddings', { model: 'm', input: 'x' }, 'sk-wrong-0000000000')
    expect(wrong.status).toBe(401)
    expect(wrong.json).toEqual({
      error: {
        message: expect.stringMatching(/^Incorrect API key provided: sk-\*+0000\./),
        type: 'invalid_request_error',
        param: null,
        code: 'invalid_api_key',
      },
    })
  })

  it('404 for an unknown route, and logs every request', async () => {
    const { status, json } = await post('/nope', {})
    expect(status).toBe(404)
    expect(json.error.message).toBe('Invalid URL (POST /v1/nope)')
    expect(srv.requests.map((r) => [r.endpoint, r.path])).toEqual([['other', '/v1/nope']])
  })

  it('plays scripted replies in order, then the default; a handler overrides the default', async () => {
    srv.embeddings.enqueue(
      openAIError(503, 'busy', { headers: { 'retry-after': '1' } }),
      {
        vectors: [
          [1, 0],
          [0, 1],
        ],
      },
      { reverseOrder: true },
    )
    expect(srv.embeddings.pending).toBe(3)
    const first = await post('/embeddings', { model: 'm', input: ['a', 'b'] })
    expect([first.status, first.headers.get('retry-after'), first.json.error.message]).toEqual([503, '1', 'busy'])
    expect((await post('/embeddings', { model: 'm', input: ['a', 'b'] })).json.data.map((d: any) => d.embedding)).toEqual([
      [1, 0],
      [0, 1],
    ])
    expect((await post('/embeddings', { model: 'm', input: ['a', 'b'] })).json.data.map((d: any) => d.index)).toEqual([1, 0])
    expect((await post('/embeddings', { model: 'm', input: ['a'] })).json.data[0].embedding).toEqual(Array.from(hashEmbed('a', 12)))
    srv.embeddings.handler = () => ({ status: 200, body: 'not json' })
    expect((await post('/embeddings', { model: 'm', input: ['a'] })).json).toBe('not json')
    expect(srv.embeddings.requests).toHaveLength(5)
    expect(srv.embeddings.requests[0]!.body).toEqual({ model: 'm', input: ['a', 'b'] })
    expect(srv.embeddings.requests[0]!.headers.authorization).toBe(`Bearer ${KEY}`)
  })

  it('drops a connection and delays an answer', async () => {
    srv.embeddings.enqueue({ drop: true }, { delayMs: 300 })
    await expect(post('/embeddings', { model: 'm', input: 'x' })).rejects.toThrow(/fetch failed/)
    const started = performance.now()
    expect((await post('/embeddings', { model: 'm', input: 'x' })).status).toBe(200)
    expect(performance.now() - started).toBeGreaterThanOrEqual(290)
  })
})

describe('openai test server: chat completions', () => {
  const messages = [{ role: 'user', content: 'Reply in JSON please' }]

  it('answers with a full chat.completion envelope', async () => {
    srv.chat.enqueue({ content: '{"ok": true}' })
    const { status, json } = await post('/chat/completions', { model: 'gpt-4.1-mini', messages, response_format: { type: 'json_object' } })
    expect(status).toBe(200)
    expect(json).toEqual({
      id: expect.stringMatching(/^chatcmpl-/),
      object: 'chat.completion',
      created: expect.any(Number),
      model: 'gpt-4.1-mini',
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content: '{"ok": true}', refusal: null, annotations: [] },
          logprobs: null,
          finish_reason: 'stop',
        },
      ],
      usage: { prompt_tokens: expect.any(Number), completion_tokens: expect.any(Number), total_tokens: expect.any(Number) },
      system_fingerprint: expect.any(String),
    })
    expect(json.usage.total_tokens).toBe(json.usage.prompt_tokens + json.usage.completion_tokens)
  })

  it('refusals and finish reasons', async () => {
    srv.chat.enqueue({ content: null, refusal: 'No.' }, { content: 'abc', finishReason: 'length' })
    const refused = await post('/chat/completions', { model: 'm', messages })
    expect(refused.json.choices[0].message).toMatchObject({ content: null, refusal: 'No.' })
    expect((await post('/chat/completions', { model: 'm', messages })).json.choices[0].finish_reason).toBe('length')
  })

  it('requires the word json for json_object, as OpenAI does', async () => {
    const { status, json } = await post('/chat/completions', {
      model: 'm',
      messages: [{ role: 'user', content: 'hi' }],
      response_format: { type: 'json_object' },
    })
    expect(status).toBe(400)
    expect(json.error.message).toMatch(/must contain the word 'json'/)
    expect(srv.chat.pending).toBe(0)
  })

  it('rejects malformed requests', async () => {
    for (const body of [
      { messages },
      { model: 'm' },
      { model: 'm', messages: [] },
      { model: 'm', messages: [{ role: 'robot', content: 'x' }] },
      { model: 'm', messages: [{ role: 'user', content: 5 }] },
      { model: 'm', messages, temperature: 3 },
    ]) {
      const { status, json } = await post('/chat/completions', body)
      expect(status, JSON.stringify(body)).toBe(400)
      expect(json).toEqual(errorShape)
    }
  })

  it('without a script or handler: a clear 400 the client will not retry', async () => {
    const { status, json } = await post('/chat/completions', { model: 'm', messages })
    expect(status).toBe(400)
    expect(json.error.code).toBe('test_server_unscripted')
  })

  it('the handler sees the parsed request; a failing handler answers 500 with its error', async () => {
    srv.chat.handler = (body, request) => ({ content: `${body.model} ${request.headers['content-type']}` })
    expect((await post('/chat/completions', { model: 'm', messages })).json.choices[0].message.content).toBe('m application/json')
    srv.chat.handler = () => {
      throw new Error('handler bug')
    }
    const failed = await post('/chat/completions', { model: 'm', messages })
    expect(failed.status).toBe(500)
    expect(failed.json.error.message).toMatch(/handler bug/)
  })

  it('reset() restores the initial handler from the options', async () => {
    const own = await startOpenAITestServer({ chat: () => ({ content: 'default' }) })
    try {
      own.chat.handler = () => ({ content: 'changed' })
      own.reset()
      const response = await fetch(`${own.baseURL}/chat/completions`, { method: 'POST', body: JSON.stringify({ model: 'm', messages }) })
      expect(((await response.json()) as any).choices[0].message.content).toBe('default')
    } finally {
      await own.close()
    }
  })

  it('close() ends pending delayed replies and open connections promptly', async () => {
    const own = await startOpenAITestServer()
    own.chat.enqueue({ delayMs: 10_000, content: 'never' })
    const pending = fetch(`${own.baseURL}/chat/completions`, { method: 'POST', body: JSON.stringify({ model: 'm', messages }) }).catch(
      (e: unknown) => e,
    )
    await new Promise((r) => setTimeout(r, 50))
    const started = performance.now()
    await own.close()
    expect(await pending).toBeInstanceOf(Error)
    expect(performance.now() - started).toBeLessThan(1_000)
  })
})
