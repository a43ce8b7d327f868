import { describe, expect, it } from '../harness.ts'
import { TokenBucket } from '../../workers/limits/token-bucket.ts'
import { DEFAULT_LIMITS, parseSettings } from '../../workers/settings.ts'
import type { Env } from '../../workers/env.ts'
import { newTenant, request, type RequestOptions } from './worker-client.ts'

// Limits (body size, messages, text length, top_k, rate), CORS, and settings validation.

describe('request limits', () => {
  it('refuses a body over MAX_BODY_BYTES with 413, by Content-Length and when streamed without one', async () => {
    const env: Partial<Env> = { MAX_BODY_BYTES: '2048' }
    const { key } = await newTenant('t', env)
    const small = await request('POST', '/memories', { key, env, body: { messages: 'fits', user_id: 'u', infer: false } })
    expect(small.status).toBe(200)
    const big = await request('POST', '/memories', { key, env, body: { messages: 'x'.repeat(3000), user_id: 'u', infer: false } })
    expect(big.status).toBe(413)
    expect(big.body.error).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', message: expect.stringContaining('2048') })
    const bytes = new TextEncoder().encode(JSON.stringify({ messages: 'y'.repeat(3000), user_id: 'u', infer: false }))
    const stream = new ReadableStream({
      start(controller) {
        for (let i = 0; i < bytes.length; i += 500) controller.enqueue(bytes.subarray(i, i + 500))
        controller.close()
      },
    })
    const streamed = await request('POST', '/memories', { key, env, rawBody: stream, headers: { 'Content-Type': 'application/json' } })
    expect(streamed.status).toBe(413)
    expect((await request('GET', '/memories?user_id=u', { key, env })).body.results.map((r: { memory: string }) => r.memory)).toEqual([
      'fits',
    ])
  })

  it('caps the number of messages and their length (MAX_MESSAGES, MAX_MESSAGE_CHARS), also for query and text', async () => {
    const env: Partial<Env> = { MAX_MESSAGES: '3', MAX_MESSAGE_CHARS: '40' }
    const { key } = await newTenant('t', env)
    const as = (extra: Omit<RequestOptions, 'key' | 'env'>): RequestOptions => ({ key, env, ...extra })
    const four = await request(
      'POST',
      '/memories',
      as({ body: { messages: ['a', 'b', 'c', 'd'].map((content) => ({ role: 'user', content })), user_id: 'u', infer: false } }),
    )
    expect(four.status).toBe(400)
    expect(four.body.error.message).toMatch(/at most 3 \(MAX_MESSAGES\)/)
    const long = await request(
      'POST',
      '/memories',
      as({
        body: {
          messages: [
            { role: 'user', content: 'ok' },
            { role: 'user', content: 'z'.repeat(41) },
          ],
          user_id: 'u',
          infer: false,
        },
      }),
    )
    expect(long.status).toBe(400)
    expect(long.body.error.message).toMatch(/messages\[1\]\.content has 41 characters; .* at most 40 \(MAX_MESSAGE_CHARS\)/)
    const three = await request(
      'POST',
      '/memories',
      as({ body: { messages: ['a', 'b', 'c'].map((content) => ({ role: 'user', content })), user_id: 'u', infer: false } }),
    )
    expect(three.status).toBe(200)
    expect((await request('POST', '/search', as({ body: { query: 'q'.repeat(41), user_id: 'u' } }))).status).toBe(400)
    expect((await request('PUT', `/memories/${three.body.results[0].id}`, as({ body: { text: 't'.repeat(41) } }))).status).toBe(400)
  })

  it('caps top_k at MAX_TOP_K and uses the cap as the default when it is lower', async () => {
    const env: Partial<Env> = { MAX_TOP_K: '3' }
    const { key } = await newTenant('t', env)
    await request('POST', '/memories', {
      key,
      env,
      body: { messages: ['a1', 'a2', 'a3', 'a4', 'a5'].map((content) => ({ role: 'user', content })), user_id: 'u', infer: false },
    })
    const over = await request('POST', '/search', { key, env, body: { query: 'a', user_id: 'u', top_k: 4 } })
    expect(over.status).toBe(400)
    expect(over.body.error.message).toMatch(/MAX_TOP_K/)
    expect((await request('GET', '/memories?user_id=u&top_k=4', { key, env })).status).toBe(400)
    expect((await request('GET', '/memories?user_id=u', { key, env })).body.results).toHaveLength(3)
  })
})

describe('rate limiting', () => {
  for (const [where, binding] of [
    ['a Durable Object per key', {}],
    ['the isolate (no RATE_LIMITER binding)', { RATE_LIMITER: undefined }],
  ] as const) {
    it(`answers 429 with Retry-After once a key's burst is spent, per key (${where})`, async () => {
      const env: Partial<Env> = { RATE_LIMIT_PER_MINUTE: '6', RATE_LIMIT_BURST: '3', ...binding }
      const a = await newTenant('rl', env)
      const b = await newTenant('rl', env)
      const statuses: number[] = []
      for (let i = 0; i < 3; i++) statuses.push((await request('GET', '/memories?user_id=u', { key: a.key, env })).status)
      expect(statuses).toEqual([200, 200, 200])
      const limited = await request('GET', '/memories?user_id=u', { key: a.key, env })
      expect(limited.status).toBe(429)
      expect(limited.body.error.code).toBe('RATE_LIMITED')
      // 6 per minute: one token every 10 s.
      const retryAfter = Number(limited.headers.get('Retry-After'))
      expect(retryAfter).toBeGreaterThanOrEqual(1)
      expect(retryAfter).toBeLessThanOrEqual(10)
      // Another key has its own bucket.
      expect((await request('GET', '/memories?user_id=u', { key: b.key, env })).status).toBe(200)
      // Public routes are not limited.
      expect((await request('GET', '/health', { env })).status).toBe(200)
    })
  }

  it('refills the bucket over time (token bucket arithmetic)', () => {
    const limit = { perMinute: 60, burst: 2 }
    const bucket = new TokenBucket(limit, 0)
    expect(bucket.take(limit, 0)).toMatchObject({ allowed: true, remaining: 1 })
    expect(bucket.take(limit, 0)).toMatchObject({ allowed: true, remaining: 0 })
    expect(bucket.take(limit, 0)).toEqual({ allowed: false, retryAfterSeconds: 1, remaining: 0 })
    expect(bucket.take(limit, 400)).toMatchObject({ allowed: false, retryAfterSeconds: 1 })
    expect(bucket.take(limit, 1000)).toMatchObject({ allowed: true })
    // A long pause refills up to the burst, not beyond.
    expect(bucket.take(limit, 3_600_000)).toMatchObject({ allowed: true, remaining: 1 })
    // A clock going backwards adds nothing.
    expect(bucket.take(limit, 0)).toMatchObject({ allowed: true, remaining: 0 })
    expect(bucket.take(limit, 0).allowed).toBe(false)
    const slow = { perMinute: 1, burst: 1 }
    const once = new TokenBucket(slow, 0)
    once.take(slow, 0)
    expect(once.take(slow, 0).retryAfterSeconds).toBe(60)
  })
})

describe('CORS', () => {
  it('sends no CORS headers unless CORS_ORIGINS is set', async () => {
    const response = await request('GET', '/health', { headers: { Origin: 'https://app.example.com' }, env: { CORS_ORIGINS: '' } })
    expect(response.headers.get('Access-Control-Allow-Origin')).toBeNull()
  })

  it('answers preflights before authentication and marks responses, errors included, for allowed origins', async () => {
    const env: Partial<Env> = { CORS_ORIGINS: 'https://app.example.com, https://admin.example.com' }
    const preflight = await request('OPTIONS', '/memories', {
      env,
      headers: {
        Origin: 'https://app.example.com',
        'Access-Control-Request-Method': 'POST',
        'Access-Control-Request-Headers': 'x-api-key, content-type',
      },
    })
    expect(preflight.status).toBe(204)
    expect(preflight.headers.get('Access-Control-Allow-Origin')).toBe('https://app.example.com')
    expect(preflight.headers.get('Access-Control-Allow-Headers')?.toLowerCase()).toContain('x-api-key')
    expect(preflight.headers.get('Access-Control-Allow-Methods')).toContain('DELETE')
    const unauthorized = await request('GET', '/memories?user_id=u', { env, headers: { Origin: 'https://admin.example.com' } })
    expect(unauthorized.status).toBe(401)
    expect(unauthorized.headers.get('Access-Control-Allow-Origin')).toBe('https://admin.example.com')
    const other = await request('GET', '/health', { env, headers: { Origin: 'https://evil.example.net' } })
    expect(other.headers.get('Access-Control-Allow-Origin')).toBeNull()
    const any = await request('GET', '/health', { env: { CORS_ORIGINS: '*' }, headers: { Origin: 'https://anyone.example.org' } })
    expect(any.headers.get('Access-Control-Allow-Origin')).toBe('*')
  })
})

describe('settings', () => {
  it('has the documented defaults', () => {
    const settings = parseSettings({})
    expect(settings.mode).toBe('durable-object')
    expect(settings.shards).toBe(16)
    expect(settings.limits).toEqual(DEFAULT_LIMITS)
    expect(settings.llm).toBeUndefined()
    expect(parseSettings({ LLM_MODEL: 'gpt-4.1-mini' }).llm).toBeUndefined()
    expect(parseSettings({ LLM_API_KEY: 'sk-x' }).llm).toEqual({ model: 'gpt-4.1-mini', apiKey: 'sk-x' })
    expect(settings.corsOrigins).toBeUndefined()
  })

  it('answers 500 CONFIG naming the variable when a setting is wrong', async () => {
    for (const [env, name] of [
      [{ STORAGE_MODE: 'mongodb' }, 'STORAGE_MODE'],
      [{ DO_SHARDS: '0' }, 'DO_SHARDS'],
      [{ MAX_TOP_K: 'many' }, 'MAX_TOP_K'],
      [{ CORS_ORIGINS: 'app.example.com' }, 'CORS_ORIGINS'],
      [{ STORAGE_MODE: 'upstash' }, 'UPSTASH_VECTOR_REST_URL'],
      [{ LOCAL_INDEX: 'annoy' }, 'LOCAL_INDEX'],
      [{ STORAGE_MODE: 'pgvector' }, 'DATABASE_URL'],
    ] as [Partial<Env>, string][]) {
      const response = await request('GET', '/health', { env })
      expect(response.status, name).toBe(500)
      expect(response.body.error.code).toBe('CONFIG')
      expect(response.body.error.message).toContain(name)
    }
  })

  it('answers 500 CONFIG for a bad embedder setting and 400 for infer: true without an LLM', async () => {
    const env: Partial<Env> = { EMBEDDING_BASE_URL: 'not a url', STORAGE_MODE: 'kv' }
    const { key } = await newTenant('t', env)
    const bad = await request('POST', '/memories', { key, env, body: { messages: 'x', user_id: 'u', infer: false } })
    expect(bad.status).toBe(500)
    expect(bad.body.error).toMatchObject({ code: 'CONFIG', message: expect.stringContaining('embedder.config.baseURL') })
    const noLlm: Partial<Env> = { LLM_BASE_URL: undefined }
    const refused = await request('POST', '/memories', { key, env: noLlm, body: { messages: 'x', user_id: 'u', infer: true } })
    expect(refused.status).toBe(400)
    expect(refused.body.error.message).toMatch(/infer: false/)
    // Without an LLM, infer defaults to false.
    const verbatim = await request('POST', '/memories', { key, env: noLlm, body: { messages: 'stored as is', user_id: 'u' } })
    expect(verbatim.body.results).toEqual([{ id: expect.any(String), memory: 'stored as is', event: 'ADD' }])
  })
})
