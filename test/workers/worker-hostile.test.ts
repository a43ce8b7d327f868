import { describe, expect, it } from '../harness.ts'
import { FAILED_AUTH_LIMIT } from '../../workers/auth/failed-auth.ts'
import type { Env } from '../../workers/env.ts'
import { newTenant, request } from './worker-client.ts'
import { HANGING_EMBEDDING_MARKER, RATE_LIMITED_EMBEDDING_MARKER, WRONG_SIZE_EMBEDDING_MARKER } from './worker-servers.setup.ts'

// Regressions from the independent attack run (issue 21): input that is not well-formed is a 400
// VALIDATION with a clear message, never a 500, and leaves the tenant's memories as they were.

const LONE = '\ud800'

function nested(depth: number, leaf: unknown, wrap: (inner: unknown, i: number) => unknown): unknown {
  let value = leaf
  for (let i = 0; i < depth; i++) value = wrap(value, i)
  return value
}
const deepFilter = (depth: number) =>
  nested(depth, { topic: 'x' }, (inner, i) => (i % 3 === 0 ? { NOT: inner } : i % 3 === 1 ? { AND: [inner] } : { OR: [inner] }))

describe('hostile input to the REST routes', () => {
  it('a lone UTF-16 surrogate in user_id, agent_id or run_id is a 400 naming the field, on add and search', async () => {
    const { key } = await newTenant('hostile')
    for (const field of ['user_id', 'agent_id', 'run_id']) {
      const add = await request('POST', '/memories', { key, body: { messages: 'x', [field]: LONE, infer: false } })
      expect(add.status).toBe(400)
      expect(add.body.error).toMatchObject({ code: 'VALIDATION', message: expect.stringContaining(`body.${field}`) })
      expect(add.body.error.message).toMatch(/well-formed Unicode/)
      const search = await request('POST', '/search', { key, body: { query: 'x', [field]: LONE } })
      expect(search.status).toBe(400)
      expect(search.body.error.code).toBe('VALIDATION')
    }
    const text = await request('POST', '/memories', { key, body: { messages: `note ${LONE}`, user_id: 'u', infer: false } })
    expect(text.status).toBe(400)
    expect(text.body.error.code).toBe('VALIDATION')
    expect((await request('GET', '/memories?user_id=u', { key })).body.results).toEqual([])
  })

  it('a filter nested 3,000 levels and metadata nested 3,000 levels are 400s; 20 levels of filter still work', async () => {
    const { key } = await newTenant('hostile')
    const stored = await request('POST', '/memories', {
      key,
      body: { messages: 'topic note', user_id: 'u', infer: false, metadata: { topic: 'x' } },
    })
    expect(stored.status).toBe(200)
    const filter = await request('POST', '/search', { key, body: { query: 'note', user_id: 'u', filters: deepFilter(3_000) } })
    expect(filter.status).toBe(400)
    expect(filter.body.error).toMatchObject({
      code: 'VALIDATION',
      message: expect.stringMatching(/^invalid request: body\.filters\.\S+… nests deeper than 100 levels$/),
    })
    const metadata = await request('POST', '/memories', {
      key,
      body: { messages: 'deep', user_id: 'u', infer: false, metadata: nested(3_000, 1, (inner) => ({ inner })) },
    })
    expect(metadata.status).toBe(400)
    expect(metadata.body.error.code).toBe('VALIDATION')
    const deeperThanTheLibraryAllows = await request('POST', '/search', {
      key,
      body: { query: 'note', user_id: 'u', filters: deepFilter(40) },
    })
    expect(deeperThanTheLibraryAllows.status).toBe(400)
    expect(deeperThanTheLibraryAllows.body.error).toMatchObject({ code: 'FILTER', message: expect.stringMatching(/deeper than 32 levels/) })
    const ok = await request('POST', '/search', {
      key,
      body: { query: 'note', user_id: 'u', filters: nested(20, { topic: 'x' }, (inner) => ({ AND: [inner] })) },
    })
    expect(ok.status).toBe(200)
    expect(ok.body.results.map((r: { memory: string }) => r.memory)).toEqual(['topic note'])
  })

  it('metadata with a "__proto__" key is a 400, not silently dropped', async () => {
    const { key } = await newTenant('hostile')
    const response = await request('POST', '/memories', {
      key,
      rawBody: '{"messages":"x","user_id":"u","infer":false,"metadata":{"__proto__":{"admin":true},"ok":1}}',
      headers: { 'Content-Type': 'application/json' },
    })
    expect(response.status).toBe(400)
    expect(response.body.error).toMatchObject({ code: 'VALIDATION', message: expect.stringContaining('body.metadata.__proto__') })
    expect((await request('GET', '/memories?user_id=u', { key })).body.results).toEqual([])
  })

  it('filters on names Object.prototype has match nothing (as every remote store answers)', async () => {
    const { key } = await newTenant('hostile')
    await request('POST', '/memories', { key, body: { messages: 'plain', user_id: 'u', infer: false } })
    for (const name of ['toString', 'constructor', 'valueOf', 'hasOwnProperty']) {
      const found = await request('POST', '/search', { key, body: { query: 'plain', user_id: 'u', filters: { [name]: '*' } } })
      expect(found.status).toBe(200)
      expect(found.body.results).toEqual([])
    }
  })
})

describe('an embedding endpoint that answers another vector size for a moment', () => {
  it('is refused before anything is written, and does not poison the empty collection of a new tenant (kv mode)', async () => {
    const env: Partial<Env> = { STORAGE_MODE: 'kv' }
    const first = await newTenant('dims', env)
    // The deployment's first writes (here or earlier in this file) pin its size: 64.
    const firstWrite = await request('POST', '/memories', { key: first.key, env, body: { messages: 'first', user_id: 'a', infer: false } })
    expect(firstWrite.status, JSON.stringify(firstWrite.body)).toBe(200)
    // A new tenant's first write, while the endpoint answers 512-d: without the pin it would fix the new
    // collection at 512 and fail every later write and search of that tenant.
    const { key } = await newTenant('dims', env)
    // The same model, answering 512-d for this one request.
    const refused = await request('POST', '/memories', {
      key,
      env,
      body: { messages: `during the episode ${WRONG_SIZE_EMBEDDING_MARKER}`, user_id: 'b', infer: false },
    })
    expect(refused.status).toBe(502)
    expect(refused.body.error).toMatchObject({
      code: 'EMBEDDING',
      message: expect.stringMatching(/answered 512-dimensional vectors.*64-dimensional.*nothing was written/),
    })
    const after = await request('POST', '/memories', { key, env, body: { messages: 'after the episode', user_id: 'b', infer: false } })
    expect(after.status, JSON.stringify(after.body)).toBe(200)
    const found = await request('POST', '/search', { key, env, body: { query: 'episode', user_id: 'b' } })
    expect(found.status).toBe(200)
    expect(found.body.results.map((r: { memory: string }) => r.memory)).toEqual(['after the episode'])
  })
})

describe('a slow or rate-limited upstream', () => {
  it('an embedding endpoint answering 429 with Retry-After: 120 is a 503 with Retry-After: 120, not a 502', async () => {
    const env: Partial<Env> = { STORAGE_MODE: 'kv' }
    const { key } = await newTenant('upstream', env)
    const response = await request('POST', '/memories', {
      key,
      env,
      body: { messages: `note ${RATE_LIMITED_EMBEDDING_MARKER}`, user_id: 'u', infer: false },
    })
    expect(response.status).toBe(503)
    expect(response.headers.get('Retry-After')).toBe('120')
    expect(response.body.error.code).toBe('REMOTE')
  })

  it('the same in Durable Object mode: the status and Retry-After cross the object boundary', async () => {
    const { key } = await newTenant('upstream')
    const response = await request('POST', '/memories', {
      key,
      body: { messages: `note ${RATE_LIMITED_EMBEDDING_MARKER}`, user_id: 'u', infer: false },
    })
    expect(response.status).toBe(503)
    expect(response.headers.get('Retry-After')).toBe('120')
  })

  it('a hanging embedding endpoint is a 504 at EMBEDDING_TIMEOUT_MS, and a write to the same user behind it is not held', async () => {
    const env: Partial<Env> = { STORAGE_MODE: 'kv', EMBEDDING_TIMEOUT_MS: '800', UPSTREAM_MAX_RETRIES: '0' }
    const { key } = await newTenant('upstream', env)
    const stored = await request('POST', '/memories', { key, env, body: { messages: 'keep me', user_id: 'u', infer: false } })
    const id: string = stored.body.results[0].id
    const started = Date.now()
    const hanging = request('POST', '/memories', {
      key,
      env,
      body: { messages: `note ${HANGING_EMBEDDING_MARKER}`, user_id: 'u', infer: false },
    })
    const metadataOnly = request('PUT', `/memories/${id}`, { key, env, body: { metadata: { seen: true } } })
    const [slow, quick] = await Promise.all([hanging, metadataOnly])
    expect(slow.status).toBe(504)
    expect(slow.body.error.message).toMatch(/did not answer within 800 ms|no response/)
    expect(quick.status).toBe(200)
    expect(Date.now() - started).toBeLessThan(10_000)
  })
})

describe('invalid API keys', () => {
  it('an address sending invalid keys gets 429 with Retry-After after FAILED_AUTH_LIMIT.burst failures; other addresses are unaffected', async () => {
    const { key } = await newTenant('failed-auth')
    const from = (address: string, k: string) => request('GET', '/memories?user_id=u', { key: k, headers: { 'CF-Connecting-IP': address } })
    const statuses: number[] = []
    for (let i = 0; i < FAILED_AUTH_LIMIT.burst + 2; i++) statuses.push((await from('203.0.113.7', `em_invalid_${i}`)).status)
    expect(statuses.slice(0, FAILED_AUTH_LIMIT.burst)).toEqual(Array(FAILED_AUTH_LIMIT.burst).fill(401))
    const blocked = await from('203.0.113.7', 'em_invalid_again')
    expect(blocked.status).toBe(429)
    expect(blocked.body.error.code).toBe('RATE_LIMITED')
    expect(Number(blocked.headers.get('Retry-After'))).toBeGreaterThan(0)
    expect((await from('198.51.100.4', key)).status).toBe(200)
  })
})
