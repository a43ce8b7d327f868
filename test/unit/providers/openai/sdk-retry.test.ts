/**
 * What the openai package's own retry machinery does, measured against the test server. edgemem runs
 * the package with maxRetries 0 and retries itself (src/provider-utils/retry.ts, the policy every HTTP provider shares) because of the
 * differences pinned here; if an upgrade of the package changes them, these tests say so.
 */
import OpenAI from 'openai'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '../../../harness.ts'
import { openAIError, startOpenAITestServer, type OpenAITestServer } from '../../../servers/openai.ts'

let srv: OpenAITestServer
beforeAll(async () => {
  srv = await startOpenAITestServer({ apiKey: 'sk-test' })
})
afterAll(() => srv.close())
beforeEach(() => srv.reset())

const client = (maxRetries: number, apiKey = 'sk-test'): OpenAI =>
  new OpenAI({ apiKey, baseURL: srv.baseURL, maxRetries, organization: null, project: null, logLevel: 'off' })

const embed = (c: OpenAI) => c.embeddings.create({ model: 'text-embedding-3-small', input: ['hello'], encoding_format: 'float' })

describe('openai package retry behaviour (why edgemem retries itself)', () => {
  it('honours Retry-After in seconds on 429 (agrees with edgemem)', async () => {
    srv.embeddings.enqueue(openAIError(429, 'Rate limit reached', { headers: { 'retry-after': '1' } }))
    await embed(client(2))
    const [first, second] = srv.embeddings.requests
    expect(srv.embeddings.requests).toHaveLength(2)
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(950)
  })

  it('does not retry a plain 401 (agrees with edgemem)', async () => {
    await expect(embed(client(3, 'sk-wrong'))).rejects.toMatchObject({ status: 401 })
    expect(srv.embeddings.requests).toHaveLength(1)
  })

  it('DIFFERS: retries a 401 when the server sends x-should-retry: true', async () => {
    srv.embeddings.handler = () => openAIError(401, 'Invalid key', { headers: { 'x-should-retry': 'true', 'retry-after-ms': '5' } })
    await expect(embed(client(2))).rejects.toMatchObject({ status: 401 })
    expect(srv.embeddings.requests).toHaveLength(3)
  })

  it('DIFFERS: retries 409 Conflict', async () => {
    srv.embeddings.enqueue(openAIError(409, 'Conflict', { headers: { 'retry-after-ms': '5' } }))
    await embed(client(1))
    expect(srv.embeddings.requests).toHaveLength(2)
  })

  it('DIFFERS: ignores a Retry-After above 60 s and retries after its short default backoff instead', async () => {
    srv.embeddings.enqueue(openAIError(429, 'Rate limit reached', { headers: { 'retry-after': '120' } }))
    const started = performance.now()
    await embed(client(1))
    expect(srv.embeddings.requests).toHaveLength(2)
    // Default backoff for the first retry is 0.5 s minus up to 25% jitter, nowhere near 120 s.
    expect(performance.now() - started).toBeLessThan(2_000)
  })
})
