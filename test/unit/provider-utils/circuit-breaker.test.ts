import { RemoteError } from '../../../src/errors.ts'
import { CircuitBreaker } from '../../../src/provider-utils/circuit-breaker.ts'
import { OpenAIEmbedder } from '../../../src/providers/openai/embedder.ts'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '../../harness.ts'
import { openAIError, startOpenAITestServer, type OpenAITestServer } from '../../servers/openai.ts'

const down = (status = 503) => Promise.reject(new RemoteError('svc', status, 'down'))
const failure = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (e: unknown) => e as RemoteError,
  )

describe('CircuitBreaker', () => {
  it('opens after N consecutive outages, fails fast with 503 and retryAfterMs, lets one trial through after the cooldown', async () => {
    let now = 0
    const breaker = new CircuitBreaker({ failures: 3, cooldownMs: 10_000, now: () => now })
    let calls = 0
    const call = () => {
      calls++
      return down()
    }
    for (let i = 0; i < 3; i++) expect((await failure(breaker.run('svc', call)))?.status).toBe(503)
    expect(calls).toBe(3)
    const fast = await failure(breaker.run('svc', call))
    expect(calls).toBe(3)
    expect(fast).toBeInstanceOf(RemoteError)
    expect(fast?.message).toMatch(/circuit open/)
    expect(fast?.retryAfterMs).toBe(10_000)
    now = 10_001
    // The trial fails: open again at once.
    await failure(breaker.run('svc', call))
    expect(calls).toBe(4)
    await failure(breaker.run('svc', call))
    expect(calls).toBe(4)
    now = 20_002
    expect(await breaker.run('svc', async () => 'up')).toBe('up')
    await failure(breaker.run('svc', call))
    expect(calls).toBe(5)
  })

  it('is neither tripped nor reset by answers that say nothing about availability (4xx, 429)', async () => {
    const breaker = new CircuitBreaker({ failures: 2 })
    await failure(breaker.run('svc', () => down(503)))
    await failure(breaker.run('svc', () => down(401)))
    await failure(breaker.run('svc', () => down(429)))
    await failure(breaker.run('svc', () => down(500)))
    let called = false
    await failure(
      breaker.run('svc', () => {
        called = true
        return down()
      }),
    )
    expect(called).toBe(false)
  })
})

describe('openai embedder with its breaker (real client, test server over HTTP)', () => {
  const KEY = 'sk-breaker'
  let srv: OpenAITestServer
  beforeAll(async () => {
    srv = await startOpenAITestServer({ apiKey: KEY, dimensions: 8 })
  })
  afterAll(() => srv.close())
  beforeEach(() => srv.reset())

  it('a dead endpoint costs its timeout only until the circuit opens; then calls fail without a request', async () => {
    srv.embeddings.handler = () => openAIError(503, 'overloaded')
    const embedder = new OpenAIEmbedder({
      apiKey: KEY,
      baseURL: srv.baseURL,
      maxRetries: 0,
      circuitBreaker: { failures: 3, cooldownMs: 60_000 },
    })
    for (let i = 0; i < 3; i++) expect((await failure(embedder.embed(['x'])))?.status).toBe(503)
    expect(srv.embeddings.requests).toHaveLength(3)
    const fast = await failure(embedder.embed(['x']))
    expect(fast?.message).toMatch(/circuit open/)
    expect(srv.embeddings.requests).toHaveLength(3)
  })

  it('circuitBreaker: false turns it off', async () => {
    srv.embeddings.handler = () => openAIError(503, 'overloaded')
    const embedder = new OpenAIEmbedder({ apiKey: KEY, baseURL: srv.baseURL, maxRetries: 0, circuitBreaker: false })
    for (let i = 0; i < 7; i++) await failure(embedder.embed(['x']))
    expect(srv.embeddings.requests).toHaveLength(7)
  })
})
