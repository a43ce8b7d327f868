import { EdgememError, EmbeddingError, RemoteError, ValidationError } from '../../src/errors.ts'
import type { Embedder } from '../../src/interfaces/embedder.ts'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '../harness.ts'
import { cosine, hashEmbed } from '../support/hash-embedder.ts'
import type { ScriptControl } from '../servers/scripted-service.ts'

/**
 * The Embedder interface's conformance suite: every embedder provider passes it against a fake of its
 * service (test/servers/), in Node and workerd. The fakes embed with the hash embedder unless a reply is
 * scripted, so a vector can be checked against the text it belongs to (input order).
 */
export interface EmbedderFixture {
  /** A new embedder against the fake: `batchSize` texts per request (services that embed one text per request ignore it). */
  make(options: { batchSize: number; timeoutMs: number; maxRetries: number }): Embedder
  script: ScriptControl
  /** Vector size the fake answers with. */
  dimensions: number
  /** Texts per request the provider really sends for `batchSize` (Bedrock Titan: always 1). */
  perRequest?(batchSize: number): number
  close?(): Promise<void>
}

const TEXTS = ['I love green tea', 'My dog is called Rex', 'We moved to Lisbon', 'Tea every morning', 'Rex likes the beach']

export function describeEmbedderConformance(name: string, setup: () => Promise<EmbedderFixture>): void {
  describe(`Embedder conformance: ${name}`, () => {
    let fx: EmbedderFixture
    const embedder = (batchSize = 2, timeoutMs = 5_000, maxRetries = 2) => fx.make({ batchSize, timeoutMs, maxRetries })
    beforeAll(async () => {
      fx = await setup()
    })
    beforeEach(async () => {
      await fx.script.reset()
    })
    afterAll(async () => {
      await fx?.close?.()
    })

    it('embeds in batches and returns one vector per text, in input order', async () => {
      const e = embedder(2)
      const vectors = await e.embed(TEXTS)
      expect(vectors).toHaveLength(TEXTS.length)
      vectors.forEach((v, i) => {
        expect(v.length).toBe(fx.dimensions)
        expect(cosine(v, hashEmbed(TEXTS[i]!, fx.dimensions))).toBeGreaterThan(0.999)
      })
      const per = fx.perRequest?.(2) ?? 2
      expect(await fx.script.requests()).toHaveLength(Math.ceil(TEXTS.length / per))
      expect(e.dimensions).toBe(fx.dimensions)
    })

    it('embeds nothing for no texts, and rejects blank or non-string texts before sending', async () => {
      expect(await embedder().embed([])).toEqual([])
      await expect(embedder().embed([''])).rejects.toBeInstanceOf(ValidationError)
      await expect(embedder().embed(['ok', '   '])).rejects.toBeInstanceOf(ValidationError)
      await expect(embedder().embed([42 as unknown as string])).rejects.toBeInstanceOf(ValidationError)
      expect(await fx.script.requests()).toHaveLength(0)
    })

    it('checks dimensions: a vector of another size than before is an EmbeddingError', async () => {
      const e = embedder(1)
      await e.embed(['first'])
      const other = Array.from({ length: fx.dimensions + 3 }, () => 0.1)
      await fx.script.enqueue({ vectors: [other] })
      const error = await e.embed(['second']).catch((err: unknown) => err)
      expect(error).toBeInstanceOf(EmbeddingError)
      expect((error as Error).message).toMatch(/dimension/)
    })

    it('a malformed answer (wrong count, not numbers, not JSON) is a typed error', async () => {
      await fx.script.enqueue(
        { vectors: [] },
        { vectors: [['a', 'b'] as unknown as number[]] },
        { raw: { status: 200, body: '<html>', headers: {} } },
      )
      const e = embedder(1, 5_000, 0)
      await expect(e.embed(['one'])).rejects.toBeInstanceOf(EmbeddingError)
      await expect(e.embed(['one'])).rejects.toBeInstanceOf(EmbeddingError)
      await expect(e.embed(['one'])).rejects.toBeInstanceOf(EdgememError)
    })

    it('honours Retry-After on 429, retries 5xx, never retries an auth failure', async () => {
      await fx.script.enqueue({ error: 429, message: 'slow down', retryAfter: '1' }, { error: 503, message: 'busy' })
      const started = Date.now()
      expect(await embedder(5).embed(['tea'])).toHaveLength(1)
      expect(Date.now() - started).toBeGreaterThanOrEqual(900)
      expect(await fx.script.requests()).toHaveLength(3)

      await fx.script.reset()
      await fx.script.enqueue({ error: 401, message: 'bad key' })
      const error = await embedder()
        .embed(['tea'])
        .catch((err: unknown) => err)
      expect(error).toBeInstanceOf(RemoteError)
      expect([401, 403]).toContain((error as RemoteError).status)
      expect(await fx.script.requests()).toHaveLength(1)
    })

    it('times out a slow answer', async () => {
      await fx.script.enqueue({ delayMs: 1_500 })
      const error = await embedder(2, 200, 0)
        .embed(['tea'])
        .catch((err: unknown) => err)
      expect(error).toBeInstanceOf(RemoteError)
      expect((error as RemoteError).status).toBe(0)
    })
  })
}
