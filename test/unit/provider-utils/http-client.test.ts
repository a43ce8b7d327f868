/** The shared HTTP client against a real HTTP server on 127.0.0.1 (test/remote/support/fake-http.ts). */
import { RemoteError } from '../../../src/errors.ts'
import { signAwsRequest, sigV4 } from '../../../src/provider-utils/aws-sigv4.ts'
import { HttpClient, type HttpClientOptions, serviceMessageOf } from '../../../src/provider-utils/http-client.ts'
import { DEFAULT_RETRY } from '../../../src/provider-utils/retry.ts'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '../../harness.ts'
import { type FakeHttpServer, type FakeRequest, type FakeResponse, startFakeServer } from '../../remote/support/fake-http.ts'

let handler: (req: FakeRequest) => FakeResponse | Promise<FakeResponse> = () => ({ status: 200, body: { ok: true } })
let server: FakeHttpServer
beforeAll(async () => {
  server = await startFakeServer(
    (req) => handler(req),
    () => undefined,
  )
})
afterAll(() => server.close())
beforeEach(() => {
  server.reset()
  handler = () => ({ status: 200, body: { ok: true } })
})

const client = (options: Partial<HttpClientOptions> = {}): HttpClient =>
  new HttpClient({ service: 'Test Service', baseUrl: `${server.url}/api/`, retry: { ...DEFAULT_RETRY, baseDelayMs: 1 }, ...options })

describe('HttpClient', () => {
  it('sends JSON with the configured and per-request headers, the query, and parses the answer', async () => {
    handler = (req) => ({ status: 200, body: { echo: JSON.parse(req.bodyText), q: req.query.getAll('id') } })
    const answer = await client({ headers: { Authorization: 'Bearer t', 'api-key': 'k' } }).request({
      method: 'POST',
      path: '/items',
      query: { id: ['a', 'b'], skip: undefined },
      body: { x: 1 },
      headers: { 'X-Version': '7' },
    })
    expect(answer).toEqual({ echo: { x: 1 }, q: ['a', 'b'] })
    const [sent] = server.requests
    expect(sent).toMatchObject({ method: 'POST', path: '/api/items', query: '?id=a&id=b' })
    expect(sent!.headers).toMatchObject({ authorization: 'Bearer t', 'api-key': 'k', 'x-version': '7', 'content-type': 'application/json' })
  })

  it('sends a raw body with its content type and reads text or nothing back', async () => {
    handler = (req) => ({ status: 200, body: `got ${req.bodyText.split('\n').length - 1} lines as ${req.headers['content-type']}` })
    const text = await client().request<string>({
      method: 'POST',
      path: '/_bulk',
      rawBody: { contentType: 'application/x-ndjson', data: '{"index":{}}\n{"a":1}\n' },
      responseType: 'text',
    })
    expect(text).toBe('got 2 lines as application/x-ndjson')
    handler = () => ({ status: 204 })
    const response = await client().send({ method: 'DELETE', path: '/items/1', responseType: 'none' })
    expect(response).toMatchObject({ status: 204, body: undefined })
    // A JSON call that gets no JSON fails at once (asking again would not help).
    handler = () => ({ status: 200, body: 'not json' })
    await expect(client().request({ method: 'GET', path: '/x' })).rejects.toThrow(/expected a JSON body, got "not json"/)
    expect(server.requests).toHaveLength(3)
  })

  it('retries 429/5xx and dropped connections, honouring Retry-After', async () => {
    server.injectFault({ kind: 'status', status: 429, body: { error: 'slow down' }, headers: { 'retry-after': '1' } })
    server.injectFault({ kind: 'status', status: 503, body: 'busy' })
    server.injectFault({ kind: 'drop' })
    const started = Date.now()
    expect(await client().request({ method: 'GET', path: '/x' })).toEqual({ ok: true })
    expect(Date.now() - started).toBeGreaterThanOrEqual(990)
    expect(server.requests.map((r) => r.status)).toEqual([429, 503, 0, 200])
  })

  it('does not retry 501 or other 4xx, and keeps the service message and a hint', async () => {
    for (const [status, body, message] of [
      [501, { message: 'not implemented here' }, 'not implemented here'],
      [401, { error: { message: 'bad key', type: 'auth' } }, 'bad key'],
      [404, { status: { error: 'Not found: collection x' } }, 'Not found: collection x'],
      [422, 'plain words', 'plain words'],
    ] as const) {
      server.reset()
      server.injectFault({ kind: 'status', status, body })
      const err = (await client()
        .request({ method: 'GET', path: '/x' })
        .catch((e: unknown) => e)) as RemoteError
      expect(err).toBeInstanceOf(RemoteError)
      expect(err).toMatchObject({ status, serviceMessage: message, service: 'Test Service', code: 'REMOTE' })
      expect(server.requests).toHaveLength(1)
    }
    server.reset()
    server.injectFault({ kind: 'status', status: 403, body: { detail: 'forbidden' } })
    await expect(client().request({ method: 'GET', path: '/x' })).rejects.toThrow(
      'Test Service: HTTP 403: forbidden (check the API key or credentials in the provider config)',
    )
  })

  it('gives up after maxRetries with the last error, and fails at once when Retry-After is too long', async () => {
    server.injectFault({ kind: 'status', status: 500, body: { error: 'boom' } }, 3)
    const retry = { ...DEFAULT_RETRY, baseDelayMs: 1, maxRetries: 2 }
    await expect(client({ retry }).request({ method: 'GET', path: '/x' })).rejects.toThrow(/HTTP 500: boom \(gave up after 3 attempts\)/)
    expect(server.requests).toHaveLength(3)
    server.reset()
    server.injectFault({ kind: 'status', status: 429, body: { error: 'quota' }, headers: { 'retry-after': '120' } })
    await expect(client().request({ method: 'GET', path: '/x' })).rejects.toMatchObject({ status: 429, retryAfterMs: 120_000 })
    expect(server.requests).toHaveLength(1)
  })

  it('times out each attempt, retries timeouts, and keeps query strings (keys) out of messages', async () => {
    server.injectFault({ kind: 'delay', ms: 800 }, 2)
    const err = (await client({ timeoutMs: 150, retry: { ...DEFAULT_RETRY, baseDelayMs: 1, maxRetries: 1 } })
      .request({ method: 'GET', path: '/x', query: { key: 'secret-key' } })
      .catch((e: unknown) => e)) as RemoteError
    expect(err).toMatchObject({ status: 0 })
    expect(err.message).toMatch(/no response: request timed out after 150 ms \(GET http:\/\/127\.0\.0\.1:\d+\/api\/x\)/)
    expect(err.message).not.toMatch(/secret-key/)
    expect(server.requests).toHaveLength(2)
  })

  it('stops when the caller aborts, during a request or the wait before a retry', async () => {
    server.injectFault({ kind: 'delay', ms: 2000 })
    const reason = new Error('caller gave up')
    const controller = new AbortController()
    setTimeout(() => controller.abort(reason), 100)
    await expect(client().request({ method: 'GET', path: '/x', signal: controller.signal })).rejects.toBe(reason)
    server.reset()
    server.injectFault({ kind: 'status', status: 503, body: 'busy', headers: { 'retry-after': '30' } })
    const second = new AbortController()
    setTimeout(() => second.abort(reason), 100)
    await expect(client().request({ method: 'GET', path: '/x', signal: second.signal })).rejects.toBe(reason)
    expect(server.requests).toHaveLength(1)
  })

  it('prepares every attempt anew (a per-attempt token)', async () => {
    server.injectFault({ kind: 'status', status: 503, body: 'busy' }, 2)
    let n = 0
    await client({ prepare: (req) => ({ ...req, headers: { ...req.headers, 'x-attempt-token': `t${++n}` } }) }).request({
      method: 'POST',
      path: '/x',
      body: { a: 1 },
    })
    expect(server.requests.map((r) => r.headers['x-attempt-token'])).toEqual(['t1', 't2', 't3'])
  })

  it('signs every attempt with SigV4 for its own date', async () => {
    const scope = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret', service: 's3vectors', region: 'us-east-1' }
    server.injectFault({ kind: 'status', status: 429, body: { message: 'throttled' }, headers: { 'retry-after': '1' } })
    await client({ prepare: sigV4(scope) }).request({ method: 'POST', path: '/PutVectors', body: { vectors: [] } })
    const [first, second] = server.requests
    expect(first!.headers['x-amz-date']).not.toBe(second!.headers['x-amz-date'])
    for (const sent of [first!, second!]) {
      // The server's check: the same request signed for the date it carries gives the same signature.
      const expected = await signAwsRequest(
        {
          method: sent.method,
          url: `${server.url}${sent.path}${sent.query}`,
          headers: { 'content-type': sent.headers['content-type']! },
          body: sent.body,
          datetime: sent.headers['x-amz-date'],
        },
        scope,
      )
      expect(sent.headers.authorization).toBe(expected.authorization)
    }
  })
})

describe('serviceMessageOf', () => {
  it('finds the message in the usual envelopes, else returns the text', () => {
    expect(serviceMessageOf({ error: 'a' }, '')).toBe('a')
    expect(serviceMessageOf({ error: { message: 'b', code: 1 } }, '')).toBe('b')
    expect(serviceMessageOf({ message: 'c' }, '')).toBe('c')
    expect(serviceMessageOf({ status: { error: 'd' }, time: 0 }, '')).toBe('d')
    expect(serviceMessageOf({ detail: 'e' }, '')).toBe('e')
    expect(serviceMessageOf({ error: [{ message: 'f' }] }, '')).toBe('f')
    expect(serviceMessageOf({ errors: [{ message: 'g' }] }, '')).toBe('g')
    expect(serviceMessageOf({ error: { reason: 'h', type: 'x' } }, '')).toBe('h')
    expect(serviceMessageOf({ other: 1 }, '{"other":1}')).toBe('{"other":1}')
    expect(serviceMessageOf(undefined, 'x'.repeat(600))).toHaveLength(501)
  })
})
