// An unreadable 2xx body is a RemoteError (shared HttpClient) or an LLMError (openai package): both typed.
import { EdgememError as EdgememErrorLike } from '../../src/errors.ts'
import { LLMError, Memory, MemoryStorage, RemoteError, ValidationError } from '../../src/index.ts'
import type { LLM } from '../../src/interfaces/llm.ts'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '../harness.ts'
import { HashEmbedder } from '../support/hash-embedder.ts'
import type { Recorded, ScriptControl } from '../servers/scripted-service.ts'

/**
 * The LLM interface's conformance suite: every LLM provider passes it against a fake of its service
 * (test/servers/), in Node and in workerd. The fixture scripts the fake through `script` (plain HTTP, so
 * the suite runs inside workerd too) with service-neutral replies that each fake renders in its own
 * protocol: `{ text }`, `{ error: status, retryAfter }`, `{ delayMs }`, ...
 */
export interface LLMFixture {
  /** A new LLM against the fake, with these transport settings. */
  make(transport: { timeoutMs: number; maxRetries: number }): LLM
  script: ScriptControl
  /** True when the recorded request asks for a JSON answer (a native JSON mode, or the prompt). */
  asksForJson(request: Recorded): boolean
  close?(): Promise<void>
}

const conversation = [
  { role: 'system' as const, content: 'You extract facts.' },
  { role: 'user' as const, content: 'I moved to Lisbon in May.' },
]
// OpenAI's JSON mode requires the word "json" in the messages; the Memory pipeline's prompts say it.
const jsonConversation = [{ role: 'system' as const, content: 'You extract facts as JSON.' }, conversation[1]!]

export function describeLLMConformance(name: string, setup: () => Promise<LLMFixture>): void {
  describe(`LLM conformance: ${name}`, () => {
    let fx: LLMFixture
    const llm = (timeoutMs = 5_000, maxRetries = 2) => fx.make({ timeoutMs, maxRetries })
    beforeAll(async () => {
      fx = await setup()
    })
    beforeEach(async () => {
      await fx.script.reset()
    })
    afterAll(async () => {
      await fx?.close?.()
    })

    it('returns the text answer and sends the whole conversation', async () => {
      await fx.script.enqueue({ text: 'Lives in Lisbon.' })
      expect(await llm().complete({ messages: conversation })).toBe('Lives in Lisbon.')
      const [request] = await fx.script.requests()
      const sent = JSON.stringify(request!.body)
      expect(sent).toContain('You extract facts.')
      expect(sent).toContain('I moved to Lisbon in May.')
      expect(fx.asksForJson(request!)).toBe(false)
    })

    it('asks for JSON output when json is set, and returns the JSON text', async () => {
      await fx.script.enqueue({ text: '{"facts":["Lives in Lisbon"]}' })
      const answer = await llm().complete({ messages: jsonConversation, json: true, temperature: 0 })
      expect(JSON.parse(answer)).toEqual({ facts: ['Lives in Lisbon'] })
      const [request] = await fx.script.requests()
      expect(fx.asksForJson(request!)).toBe(true)
    })

    it('honours Retry-After on 429, then answers', async () => {
      await fx.script.enqueue({ error: 429, message: 'rate limited', retryAfter: '1' }, { text: 'ok' })
      const started = Date.now()
      expect(await llm().complete({ messages: conversation })).toBe('ok')
      expect(Date.now() - started).toBeGreaterThanOrEqual(900)
      expect(await fx.script.requests()).toHaveLength(2)
    })

    it('retries 5xx until maxRetries, then throws RemoteError with the status and the service message', async () => {
      await fx.script.enqueue({ error: 503, message: 'busy one' }, { error: 503, message: 'busy two' }, { text: 'never' })
      const error = await llm(5_000, 1)
        .complete({ messages: conversation })
        .catch((e: unknown) => e)
      expect(error).toBeInstanceOf(RemoteError)
      expect((error as RemoteError).status).toBe(503)
      expect((error as RemoteError).message).toContain('busy two')
      expect(await fx.script.requests()).toHaveLength(2)
    })

    it('never retries an auth failure', async () => {
      await fx.script.enqueue({ error: 401, message: 'bad key' }, { text: 'never' })
      const error = await llm()
        .complete({ messages: conversation })
        .catch((e: unknown) => e)
      expect(error).toBeInstanceOf(RemoteError)
      expect([401, 403]).toContain((error as RemoteError).status)
      expect(await fx.script.requests()).toHaveLength(1)
    })

    it('times out a slow answer (status 0, one attempt with maxRetries 0)', async () => {
      await fx.script.enqueue({ delayMs: 1_500, text: 'late' })
      const error = await llm(200, 0)
        .complete({ messages: conversation })
        .catch((e: unknown) => e)
      expect(error).toBeInstanceOf(RemoteError)
      expect((error as RemoteError).status).toBe(0)
      expect((error as RemoteError).message).toMatch(/timed out/)
    })

    it('an empty answer, an answer cut off in JSON mode, a withheld answer and an unreadable body are LLMError', async () => {
      await fx.script.enqueue(
        { text: '' },
        { text: '{"facts": [', finish: 'length' },
        { text: 'x', finish: 'blocked' },
        { raw: { status: 200, body: '{not json', headers: { 'content-type': 'application/json' } } },
      )
      const model = llm(5_000, 0)
      await expect(model.complete({ messages: conversation })).rejects.toBeInstanceOf(LLMError)
      await expect(model.complete({ messages: jsonConversation, json: true })).rejects.toBeInstanceOf(LLMError)
      await expect(model.complete({ messages: conversation })).rejects.toBeInstanceOf(LLMError)
      await expect(model.complete({ messages: conversation })).rejects.toBeInstanceOf(EdgememErrorLike)
    })

    it('rejects a bad request before sending anything', async () => {
      await expect(llm().complete({ messages: [] })).rejects.toBeInstanceOf(ValidationError)
      await expect(llm().complete({ messages: [{ role: 'tool' as 'user', content: 'x' }] })).rejects.toBeInstanceOf(ValidationError)
      expect(await fx.script.requests()).toHaveLength(0)
    })

    it('malformed output in add(): LLMError and nothing written', async () => {
      await fx.script.enqueue({ text: 'Sure! Here are the facts: Lisbon' }, { text: 'still not JSON' })
      const memory = new Memory({
        embedder: new HashEmbedder({ dimensions: 32 }),
        vectorStore: { provider: 'flat' },
        storage: new MemoryStorage(),
        llm: llm(5_000, 0),
      })
      try {
        await expect(memory.add('I moved to Lisbon in May.', { userId: 'u1' })).rejects.toBeInstanceOf(LLMError)
        expect((await memory.getAll({ userId: 'u1' })).results).toEqual([])
      } finally {
        await memory.close()
      }
    })

    it('stores the facts of a JSON answer through add()', async () => {
      await fx.script.enqueue({ text: JSON.stringify({ operations: [{ event: 'ADD', text: 'Lives in Lisbon' }] }) })
      const memory = new Memory({
        embedder: new HashEmbedder({ dimensions: 32 }),
        vectorStore: { provider: 'flat' },
        storage: new MemoryStorage(),
        llm: llm(),
      })
      try {
        await memory.add('I moved to Lisbon in May.', { userId: 'u1' })
        expect((await memory.getAll({ userId: 'u1' })).results.map((r) => r.memory)).toEqual(['Lives in Lisbon'])
      } finally {
        await memory.close()
      }
    })
  })
}
