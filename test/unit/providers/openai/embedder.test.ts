/** The `openai` embedder through the real openai client against the OpenAI-compatible test server over HTTP. */
import { EmbeddingError, RemoteError, ValidationError } from '../../../../src/errors.ts'
import { OpenAIEmbedder } from '../../../../src/providers/openai/embedder.ts'
import type { OpenAIEmbedderConfig } from '../../../../src/providers/openai/config.ts'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '../../../harness.ts'
import { openAIError, startOpenAITestServer, type OpenAITestServer } from '../../../servers/openai.ts'
import { cosine, hashEmbed } from '../../../support/hash-embedder.ts'

const KEY = 'sk-test-embedder'
let srv: OpenAITestServer
beforeAll(async () => {
  srv = await startOpenAITestServer({ apiKey: KEY, dimensions: 64 })
})
afterAll(() => srv.close())
beforeEach(() => srv.reset())

const embedder = (config: Partial<OpenAIEmbedderConfig> = {}): OpenAIEmbedder =>
  new OpenAIEmbedder({ apiKey: KEY, baseURL: srv.baseURL, ...config })

// Fast retries for tests that are about how many attempts happen, not how long they wait.
const quickly = { 'retry-after-ms': '5' }

describe('openai embedder: requests and results', () => {
  it('returns one Float32Array per text, equal to what the server computed, in input order', async () => {
    const texts = ['I love green tea', 'my dog is called Rex', 'tea with milk']
    const vectors = await embedder().embed(texts)
    expect(vectors).toHaveLength(3)
    vectors.forEach((v, i) => {
      expect(v).toBeInstanceOf(Float32Array)
      expect(Array.from(v)).toEqual(Array.from(hashEmbed(texts[i]!, 64)))
    })
    expect(cosine(vectors[0]!, vectors[2]!)).toBeGreaterThan(cosine(vectors[0]!, vectors[1]!))
  })

  it('sends model, input, encoding_format and the bearer key the way OpenAI expects', async () => {
    await embedder({ model: 'text-embedding-3-large' }).embed(['hello'])
    const [request] = srv.embeddings.requests
    expect(request!.body).toEqual({ model: 'text-embedding-3-large', input: ['hello'], encoding_format: 'base64' })
    expect(request!.headers.authorization).toBe(`Bearer ${KEY}`)
  })

  it('decodes float responses too (encodingFormat: float)', async () => {
    const [v] = await embedder({ encodingFormat: 'float' }).embed(['hello world'])
    expect((srv.embeddings.requests[0]!.body as { encoding_format: string }).encoding_format).toBe('float')
    expect(Array.from(v!)).toEqual(Array.from(hashEmbed('hello world', 64)))
  })

  it('splits the input into requests of batchSize and keeps the overall order', async () => {
    const texts = Array.from({ length: 7 }, (_, i) => `note number ${i} about topic${i}`)
    const vectors = await embedder({ batchSize: 3 }).embed(texts)
    expect(srv.embeddings.requests.map((r) => (r.body as { input: string[] }).input)).toEqual([
      texts.slice(0, 3),
      texts.slice(3, 6),
      texts.slice(6),
    ])
    vectors.forEach((v, i) => {
      expect(Array.from(v)).toEqual(Array.from(hashEmbed(texts[i]!, 64)))
    })
  })

  it('orders by data[].index, not by position in the response', async () => {
    srv.embeddings.enqueue({ reverseOrder: true })
    const texts = ['alpha apples', 'beta bananas', 'gamma grapes']
    const vectors = await embedder().embed(texts)
    vectors.forEach((v, i) => {
      expect(Array.from(v)).toEqual(Array.from(hashEmbed(texts[i]!, 64)))
    })
  })

  it('returns [] for no texts without a request', async () => {
    expect(await embedder().embed([])).toEqual([])
    expect(srv.requests).toHaveLength(0)
  })

  it('detects dimensions from the first response when the config does not say', async () => {
    const e = embedder()
    expect(e.dimensions).toBeUndefined()
    await e.embed(['hello'])
    expect(e.dimensions).toBe(64)
  })

  it('sends configured dimensions and knows them before any call', async () => {
    const e = embedder({ dimensions: 16 })
    expect(e.dimensions).toBe(16)
    const [v] = await e.embed(['hello'])
    expect(v).toHaveLength(16)
    expect((srv.embeddings.requests[0]!.body as { dimensions: number }).dimensions).toBe(16)
  })

  it("knows OpenAI's published size for its own models on api.openai.com, without a request", () => {
    expect(new OpenAIEmbedder({ apiKey: 'sk-x' }).dimensions).toBe(1536)
    expect(new OpenAIEmbedder({ apiKey: 'sk-x', model: 'text-embedding-3-large' }).dimensions).toBe(3072)
    // A compatible server may use the same name for another model: detected, not assumed.
    expect(new OpenAIEmbedder({ baseURL: srv.baseURL }).dimensions).toBeUndefined()
  })

  it('sends no Authorization header at all when no apiKey is configured (local servers)', async () => {
    const open = await startOpenAITestServer({ dimensions: 8 })
    try {
      const [v] = await new OpenAIEmbedder({ baseURL: open.baseURL }).embed(['hello'])
      expect(v).toHaveLength(8)
      expect(open.requests[0]!.headers.authorization).toBeUndefined()
    } finally {
      await open.close()
    }
  })

  it('ignores OPENAI_* environment variables: a key in the environment never reaches a keyless server', async () => {
    const env = {
      OPENAI_API_KEY: 'sk-from-env',
      OPENAI_ORG_ID: 'org-env',
      OPENAI_PROJECT_ID: 'proj-env',
      OPENAI_BASE_URL: 'http://127.0.0.1:9/v1',
    }
    const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]))
    Object.assign(process.env, env)
    const open = await startOpenAITestServer({ dimensions: 8 })
    try {
      await new OpenAIEmbedder({ baseURL: open.baseURL }).embed(['hello'])
      const { headers } = open.requests[0]!
      expect(headers.authorization).toBeUndefined()
      expect(headers['openai-organization']).toBeUndefined()
      expect(headers['openai-project']).toBeUndefined()
    } finally {
      await open.close()
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k]
        else process.env[k] = v
      }
    }
  })

  it('sends configured extra headers', async () => {
    await embedder({ headers: { 'x-gateway': 'edge' } }).embed(['hello'])
    expect(srv.embeddings.requests[0]!.headers['x-gateway']).toBe('edge')
  })
})

describe('openai embedder: bad input and bad responses', () => {
  it('rejects empty and whitespace-only texts before sending anything', async () => {
    await expect(embedder().embed(['ok', '  \n\t'])).rejects.toThrow(ValidationError)
    await expect(embedder().embed(['ok', '  \n\t'])).rejects.toThrow(/texts\[1\] is empty or whitespace only/)
    await expect(embedder().embed([''])).rejects.toThrow(ValidationError)
    await expect(embedder().embed([42 as unknown as string])).rejects.toThrow(/texts\[0\] is number 42, expected a string/)
    expect(srv.requests).toHaveLength(0)
  })

  it('EmbeddingError for a body that is not JSON', async () => {
    srv.embeddings.enqueue({ status: 200, body: '{"object": "list", "data": [' })
    const err = await embedder()
      .embed(['hello'])
      .catch((e: unknown) => e)
    expect(err).toBeInstanceOf(EmbeddingError)
    expect((err as Error).message).toMatch(/not valid JSON/)
  })

  it('EmbeddingError when data is missing, short, or has bad indices or values', async () => {
    const cases: [unknown, RegExp][] = [
      [{ object: 'list', model: 'm' }, /"data" array/],
      [{ object: 'list', data: [{ index: 0, embedding: [0.1, 0.2] }] }, /1 embeddings for 2 inputs/],
      [
        {
          object: 'list',
          data: [
            { index: 0, embedding: [0.1] },
            { index: 0, embedding: [0.2] },
          ],
        },
        /index 0 appears twice/,
      ],
      [
        {
          object: 'list',
          data: [
            { index: 0, embedding: [0.1] },
            { index: 5, embedding: [0.2] },
          ],
        },
        /data\[1\]\.index is number 5/,
      ],
      [
        {
          object: 'list',
          data: [
            { index: 0, embedding: [0.1] },
            { index: 1, embedding: ['x'] },
          ],
        },
        /not numbers/,
      ],
      [
        {
          object: 'list',
          data: [
            { index: 0, embedding: [0.1] },
            { index: 1, embedding: null },
          ],
        },
        /embedding is null/,
      ],
      [
        {
          object: 'list',
          data: [
            { index: 0, embedding: [0.1] },
            { index: 1, embedding: '%%%' },
          ],
        },
        /not base64/,
      ],
      [
        {
          object: 'list',
          data: [
            { index: 0, embedding: [0.1] },
            { index: 1, embedding: [] },
          ],
        },
        /embedding is empty/,
      ],
      [
        {
          object: 'list',
          data: [
            { index: 0, embedding: [0.1, 0.2] },
            { index: 1, embedding: [0.3] },
          ],
        },
        /different lengths \(2, 1\)/,
      ],
      ['<html>gateway</html>', /got a string/],
    ]
    for (const [body, message] of cases) {
      srv.embeddings.enqueue({
        status: 200,
        body: typeof body === 'string' ? body : body,
        headers: typeof body === 'string' ? { 'content-type': 'text/html' } : {},
      })
      const err = await embedder()
        .embed(['a text', 'another text'])
        .catch((e: unknown) => e)
      expect(err, JSON.stringify(body)).toBeInstanceOf(EmbeddingError)
      expect((err as Error).message).toMatch(message)
    }
  })

  it('EmbeddingError when the server ignores the configured dimensions', async () => {
    srv.embeddings.enqueue({ vectors: [hashEmbed('hello', 64)] })
    await expect(embedder({ dimensions: 32 }).embed(['hello'])).rejects.toThrow(
      /returned 64-dimensional vectors but dimensions is 32 in the config/,
    )
  })

  it('EmbeddingError when a later response has another size than the first', async () => {
    const e = embedder()
    await e.embed(['hello'])
    srv.embeddings.enqueue({ vectors: [new Float32Array(10).fill(0.1)] })
    await expect(e.embed(['again'])).rejects.toThrow(/returned 10-dimensional vectors but earlier vectors had 64/)
    expect(e.dimensions).toBe(64)
  })
})

describe('openai embedder: HTTP failures, retries, timeouts', () => {
  it('waits as long as Retry-After (seconds) says on 429, then succeeds', async () => {
    srv.embeddings.enqueue(
      openAIError(429, 'Rate limit reached for requests', { code: 'rate_limit_exceeded', headers: { 'retry-after': '1' } }),
    )
    const [v] = await embedder().embed(['hello'])
    expect(v).toHaveLength(64)
    const [first, second] = srv.embeddings.requests
    expect(srv.embeddings.requests).toHaveLength(2)
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(950)
  })

  it('waits as long as retry-after-ms says (it wins over Retry-After)', async () => {
    srv.embeddings.enqueue(openAIError(429, 'slow down', { headers: { 'retry-after-ms': '300', 'retry-after': '30' } }))
    await embedder().embed(['hello'])
    const [first, second] = srv.embeddings.requests
    const waited = second!.at - first!.at
    expect(waited).toBeGreaterThanOrEqual(280)
    expect(waited).toBeLessThan(5_000)
  })

  it('honours Retry-After given as an HTTP-date', async () => {
    // HTTP-dates have 1 s resolution: the next full second plus one is 1 to 2 s away.
    const date = new Date(Math.ceil(Date.now() / 1000) * 1000 + 1000).toUTCString()
    srv.embeddings.enqueue(openAIError(503, 'overloaded', { headers: { 'retry-after': date } }))
    await embedder().embed(['hello'])
    const [first, second] = srv.embeddings.requests
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(900)
  })

  it('retries a 500 with exponential backoff when no Retry-After is given, then succeeds', async () => {
    srv.embeddings.enqueue(openAIError(500, 'The server had an error while processing your request.'))
    const [v] = await embedder().embed(['hello'])
    expect(v).toHaveLength(64)
    const [first, second] = srv.embeddings.requests
    // First backoff step: 500 ms minus up to 25% jitter.
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(370)
  })

  it('gives up after maxRetries + 1 attempts with a RemoteError carrying status and the service message', async () => {
    srv.embeddings.handler = () => openAIError(500, 'The server had an error while processing your request.', { headers: quickly })
    const err = await embedder({ maxRetries: 2 })
      .embed(['hello'])
      .catch((e: unknown) => e)
    expect(err).toBeInstanceOf(RemoteError)
    expect(err).toMatchObject({ code: 'REMOTE', status: 500, serviceMessage: 'The server had an error while processing your request.' })
    expect((err as Error).message).toMatch(/HTTP 500.*gave up after 3 attempts/)
    expect(srv.embeddings.requests).toHaveLength(3)
  })

  it('never retries 400, 401, 403, 404 or 422', async () => {
    for (const status of [400, 401, 403, 404, 422]) {
      srv.reset()
      srv.embeddings.enqueue(openAIError(status, `nope ${status}`, { headers: quickly }))
      const err = await embedder()
        .embed(['hello'])
        .catch((e: unknown) => e)
      expect(err).toMatchObject({ status, serviceMessage: `nope ${status}` })
      expect(srv.embeddings.requests, `status ${status}`).toHaveLength(1)
    }
  })

  it('a wrong key: one request, RemoteError 401 with OpenAI’s message', async () => {
    const err = await embedder({ apiKey: 'sk-wrong-key-123456' })
      .embed(['hello'])
      .catch((e: unknown) => e)
    expect(err).toBeInstanceOf(RemoteError)
    expect(err).toMatchObject({ status: 401 })
    expect((err as RemoteError).serviceMessage).toMatch(/^Incorrect API key provided/)
    expect((err as Error).message).toMatch(/check the apiKey/)
    expect(srv.embeddings.requests).toHaveLength(1)
  })

  it('does not retry 401 even when the server says x-should-retry: true', async () => {
    srv.embeddings.enqueue(openAIError(401, 'bad key', { headers: { 'x-should-retry': 'true', ...quickly } }))
    await expect(embedder().embed(['hello'])).rejects.toMatchObject({ status: 401 })
    expect(srv.embeddings.requests).toHaveLength(1)
  })

  it('fails at once with retryAfterMs when Retry-After asks for more than 60 s', async () => {
    srv.embeddings.enqueue(openAIError(429, 'You exceeded your current quota', { headers: { 'retry-after': '3600' } }))
    const err = await embedder()
      .embed(['hello'])
      .catch((e: unknown) => e)
    expect(err).toMatchObject({ status: 429, retryAfterMs: 3_600_000 })
    expect((err as Error).message).toMatch(/asked to wait 3600 s/)
    expect(srv.embeddings.requests).toHaveLength(1)
  })

  it('retries a dropped connection, and reports status 0 when it keeps dropping', async () => {
    srv.embeddings.enqueue({ drop: true })
    expect(await embedder().embed(['hello'])).toHaveLength(1)
    expect(srv.embeddings.requests).toHaveLength(2)

    srv.reset()
    srv.embeddings.handler = () => ({ drop: true })
    const err = await embedder({ maxRetries: 1 })
      .embed(['hello'])
      .catch((e: unknown) => e)
    expect(err).toBeInstanceOf(RemoteError)
    expect(err).toMatchObject({ status: 0 })
    expect((err as Error).message).toMatch(/no response: Connection error: fetch failed/)
    expect(srv.embeddings.requests).toHaveLength(2)
  })

  it('times out a slow response after timeoutMs, and retries timeouts like network errors', async () => {
    srv.embeddings.enqueue({ delayMs: 1_500 }, { delayMs: 1_500 })
    const started = performance.now()
    const err = await embedder({ timeoutMs: 200, maxRetries: 1 })
      .embed(['hello'])
      .catch((e: unknown) => e)
    expect(err).toBeInstanceOf(RemoteError)
    expect(err).toMatchObject({ status: 0 })
    expect((err as Error).message).toMatch(/request timed out after 200 ms/)
    expect(srv.embeddings.requests).toHaveLength(2)
    expect(performance.now() - started).toBeLessThan(2_500)
  })

  it('a slow first attempt that times out is followed by a successful retry', async () => {
    srv.embeddings.enqueue({ delayMs: 1_000 })
    const [v] = await embedder({ timeoutMs: 200 }).embed(['hello'])
    expect(v).toHaveLength(64)
    expect(srv.embeddings.requests).toHaveLength(2)
  })
})
