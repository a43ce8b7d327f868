import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test'
import { env, exports } from 'cloudflare:workers'
import type { MemoryClient as MemoryClientType } from 'mem0ai'
import { inject } from 'vitest'
import worker from '../../workers/index.ts'
import type { Env } from '../../workers/env.ts'
import { afterAll, beforeAll, describe, expect, it } from '../harness.ts'
import { modeEnv, newTenant, type StorageModeName } from './worker-client.ts'

/**
 * mem0's own platform clients — `MemoryClient` of npm `mem0ai` and the memory functions of
 * `@mem0/vercel-ai-provider`, the real packages — against the Worker's mem0 platform routes, with only
 * `host` changed. The clients call `globalThis.fetch`; the test routes requests for the Worker's host
 * into the Worker (its real fetch handler and bindings, in each storage mode), passes loopback requests
 * (the Worker's own calls to the local OpenAI-compatible test server) through, and records and refuses
 * anything else: telemetry is off (MEM0_TELEMETRY=false) and the suite fails if anything tried to leave.
 */
const HOST = 'http://mem0-platform.test'
const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]'])
const outside: string[] = []
const pending: Promise<void>[] = []
let modeOverride: Partial<Env> | undefined
const realFetch = globalThis.fetch

async function routedFetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response> {
  const request = new Request(input, init)
  const url = new URL(request.url)
  if (url.origin === HOST) {
    if (!modeOverride) return exports.default.fetch(request)
    const ctx = createExecutionContext()
    const response = await worker.fetch(request as Parameters<typeof worker.fetch>[0], { ...(env as Env), ...modeOverride }, ctx)
    pending.push(waitOnExecutionContext(ctx))
    return response
  }
  if (LOOPBACK.has(url.hostname)) return realFetch(request)
  outside.push(url.origin)
  throw new Error(`the test refused a request leaving the machine: ${request.method} ${url.origin}`)
}

/**
 * The client as the test drives it: mem0ai's declared return types describe its hosted platform's
 * older shapes (e.g. `add` as Memory[]), so results are read as JSON, as JavaScript callers do; the
 * identity fields the ping fills in are private in its declarations.
 */
type Client = {
  [K in keyof MemoryClientType]: MemoryClientType[K] extends (...args: infer A) => Promise<unknown>
    ? (...args: A) => Promise<any>
    : MemoryClientType[K]
} & { organizationId: string | null; projectId: string | null; initialized: Promise<void> }

let MemoryClient: new (options: { apiKey: string; host: string }) => Client
let vercel: typeof import('@mem0/vercel-ai-provider')

beforeAll(async () => {
  // Read by mem0ai when it is loaded, so set before the dynamic import.
  process.env.MEM0_TELEMETRY = 'false'
  globalThis.fetch = routedFetch as typeof fetch
  MemoryClient = (await import('mem0ai')).MemoryClient as unknown as typeof MemoryClient
  vercel = await import('@mem0/vercel-ai-provider')
})

afterAll(async () => {
  await Promise.all(pending)
  globalThis.fetch = realFetch
  expect(outside, 'requests that tried to leave the machine').toEqual([])
})

/** An event's status, read as a mem0 integration does (the TS client has no method for it). */
async function event(
  key: string,
  id: string,
): Promise<{ status: string; results: { id: string; data: { memory: string }; event: string }[] }> {
  const response = await routedFetch(`${HOST}/v1/event/${id}/`, { headers: { Authorization: `Token ${key}` } })
  expect(response.status).toBe(200)
  return response.json()
}

async function client(prefix: string): Promise<{ client: Client; key: string; tenant: string }> {
  const { key, tenant } = await newTenant(prefix, modeOverride)
  const c = new MemoryClient({ apiKey: key, host: HOST })
  await c.ping()
  return { client: c, key, tenant }
}

const user = (content: string) => ({ role: 'user' as const, content })

const MODES: StorageModeName[] = ['durable-object', 'kv', 'qdrant']

for (const mode of MODES) {
  describe(`mem0ai MemoryClient against the Worker (${mode} mode)`, () => {
    beforeAll(() => {
      modeOverride = mode === 'durable-object' ? undefined : modeEnv(mode)
    })

    it('pings: the key names the tenant as organization; a wrong key is the client’s AuthenticationError', async () => {
      const { client: c, tenant } = await client('ping')
      expect(c.organizationId).toBe(tenant)
      expect(c.projectId).toBe(`t_${tenant}`)
      const wrong = new MemoryClient({ apiKey: 'em_not-a-key', host: HOST })
      await expect(wrong.ping()).rejects.toMatchObject({ name: 'AuthenticationError' })
      await expect(wrong.getAll({ filters: { user_id: 'alex' } })).rejects.toMatchObject({ name: 'AuthenticationError' })
      await wrong.initialized
    })

    it('adds with infer false and with inference (the scripted LLM), then finds them at once', async () => {
      const { client: c, key } = await client('add')
      const plain = await c.add([user('I love sci-fi movies')], { userId: 'alex', infer: false, metadata: { topic: 'movies', rating: 5 } })
      expect(plain.results).toEqual([{ id: expect.any(String), data: { memory: 'I love sci-fi movies' }, event: 'ADD' }])
      expect(plain.eventId).toBeUndefined()

      const inferred = await c.add([user('I am vegetarian'), { role: 'assistant', content: 'Noted.' }], { userId: 'alex' })
      expect(inferred.status).toBe('SUCCEEDED')
      expect(inferred.eventId).toEqual(expect.any(String))
      expect(inferred.results.map((r: { data: { memory: string } }) => r.data.memory)).toEqual(['User said: I am vegetarian'])
      const reported = await event(key, inferred.eventId)
      expect(reported.status).toBe('SUCCEEDED')
      expect(reported.results[0]!.id).toBe(inferred.results[0].id)

      const found = await c.search('vegetarian', { filters: { user_id: 'alex' } })
      expect(found.results[0].memory).toBe('User said: I am vegetarian')
      expect(found.results.every((r: { score: number }) => r.score >= 0 && r.score <= 1)).toBe(true)
      expect(found.results[0].userId).toBe('alex')
    })

    it('searches with AND/OR, metadata conditions and operators, and scopes by app_id alone', async () => {
      const { client: c } = await client('search')
      await c.add([user('Dune is my favourite book')], { userId: 'sam', infer: false, metadata: { topic: 'books', rating: 5 } })
      await c.add([user('Alien is a great film')], { userId: 'sam', infer: false, metadata: { topic: 'movies', rating: 4 } })
      await c.add([user('Pasta for dinner on fridays')], { userId: 'sam', infer: false, metadata: { topic: 'food', rating: 2 } })
      await c.add([user('Alien is a great film')], { userId: 'other', infer: false, metadata: { topic: 'movies', rating: 4 } })
      const texts = (r: { results: { memory: string }[] }) => r.results.map((m) => m.memory).sort()

      expect(
        texts(await c.search('film book dinner', { filters: { AND: [{ user_id: 'sam' }, { metadata: { topic: 'movies' } }] } })),
      ).toEqual(['Alien is a great film'])
      const either = { AND: [{ user_id: 'sam' }, { OR: [{ metadata: { topic: 'movies' } }, { metadata: { topic: 'books' } }] }] }
      expect(texts(await c.search('film book dinner', { filters: either }))).toEqual(['Alien is a great film', 'Dune is my favourite book'])
      expect(texts(await c.search('film book dinner', { filters: { user_id: 'sam', metadata: { rating: { gte: 4 } } } }))).toEqual([
        'Alien is a great film',
        'Dune is my favourite book',
      ])
      expect(
        texts(
          await c.search('film book dinner', { filters: { user_id: 'sam', NOT: [{ metadata: { topic: { in: ['movies', 'books'] } } }] } }),
        ),
      ).toEqual(['Pasta for dinner on fridays'])
      // Top-level entity ids are refused by the client itself (mem0's v3 rule); no scope is a 400 from the Worker.
      await expect(c.search('film', { filters: { metadata: { topic: 'movies' } } })).rejects.toMatchObject({ name: 'ValidationError' })

      await c.add([user('Release notes go out on mondays')], { appId: 'newsroom', infer: false })
      const app = await c.search('release notes', { filters: { app_id: 'newsroom' } })
      expect(app.results.map((m: { memory: string; appId: string; agentId: string | null }) => [m.memory, m.appId, m.agentId])).toEqual([
        ['Release notes go out on mondays', 'newsroom', null],
      ])
    })

    it('lists with pagination (count, next, previous) and reports run ids as session_id', async () => {
      const { client: c } = await client('page')
      for (let i = 1; i <= 5; i++) await c.add([user(`note number ${i}`)], { userId: 'pat', runId: 'r-1', infer: false })
      const first = await c.getAll({ filters: { user_id: 'pat' }, page: 1, pageSize: 2 })
      expect(first.count).toBe(5)
      expect(first.results.map((m: { memory: string }) => m.memory)).toEqual(['note number 5', 'note number 4'])
      expect(first.previous).toBeNull()
      expect(first.next).toContain('page=2')
      expect(first.results[0].sessionId).toBe('r-1')
      const last = await c.getAll({ filters: { AND: [{ user_id: 'pat' }, { run_id: 'r-1' }] }, page: 3, pageSize: 2 })
      expect(last.results.map((m: { memory: string }) => m.memory)).toEqual(['note number 1'])
      expect(last.next).toBeNull()
      expect(last.previous).toContain('page=2')
    })

    it('gets, updates, shows history, deletes one and deletes all of a user', async () => {
      const { client: c } = await client('crud')
      const { results } = await c.add([user('Lives in Lisbon')], { userId: 'kim', infer: false, metadata: { kind: 'home' } })
      const id = results[0].id
      const got = await c.get(id)
      // infer: false keeps the message's role in the metadata, as mem0 does.
      expect([got.memory, got.userId, got.metadata]).toEqual(['Lives in Lisbon', 'kim', { kind: 'home', role: 'user' }])
      const updated = await c.update(id, { text: 'Lives in Porto' })
      expect(updated.memory).toBe('Lives in Porto')
      const history = await c.history(id)
      expect(
        history.map((h: { event: string; oldMemory: string | null; newMemory: string | null }) => [h.event, h.oldMemory, h.newMemory]),
      ).toEqual([
        ['ADD', null, 'Lives in Lisbon'],
        ['UPDATE', 'Lives in Lisbon', 'Lives in Porto'],
      ])
      expect(history[0].memoryId).toBe(id)
      await c.delete(id)
      await expect(c.get(id)).rejects.toMatchObject({ name: 'MemoryNotFoundError' })

      await c.add([user('Likes tea'), user('Likes jazz')], { userId: 'kim', infer: false })
      await c.add([user('Likes tea')], { userId: 'lee', infer: false })
      await c.deleteAll({ userId: 'kim' })
      expect((await c.getAll({ filters: { user_id: 'kim' } })).count).toBe(0)
      expect((await c.getAll({ filters: { user_id: 'lee' } })).count).toBe(1)
    })

    it('lists entities (users) and deletes them (deleteUsers)', async () => {
      const { client: c } = await client('entities')
      await c.add([user('Plays chess')], { userId: 'ana', infer: false })
      await c.add([user('Plays go')], { userId: 'ana', infer: false })
      await c.add([user('Books trains')], { agentId: 'travel', infer: false })
      await c.add([user('Weekly digest')], { appId: 'digest', infer: false })
      const entities = await c.users()
      expect(
        entities.results.map((e: { type: string; name: string; totalMemories: number }) => [e.type, e.name, e.totalMemories]).sort(),
      ).toEqual([
        ['agent', 'travel', 1],
        ['app', 'digest', 1],
        ['user', 'ana', 2],
      ])
      expect(entities.count).toBe(3)
      await c.deleteUsers({ userId: 'ana' })
      expect((await c.users()).results.map((e: { name: string }) => e.name).sort()).toEqual(['digest', 'travel'])
      expect((await c.getAll({ filters: { user_id: 'ana' } })).count).toBe(0)
      await c.deleteUsers()
      expect((await c.users()).results).toEqual([])
      expect((await c.getAll({ filters: { app_id: 'digest' } })).count).toBe(0)
    })

    it('batch-updates and batch-deletes; a batch naming an unknown id changes nothing', async () => {
      const { client: c } = await client('batch')
      const { results } = await c.add([user('one'), user('two'), user('three')], { userId: 'bo', infer: false })
      const ids: string[] = results.map((r: { id: string }) => r.id)
      expect(
        (
          await c.batchUpdate([
            { memoryId: ids[0]!, text: 'ONE' },
            { memoryId: ids[1]!, text: 'TWO' },
          ])
        ).message,
      ).toMatch(/updated 2/)
      expect((await c.get(ids[1]!)).memory).toBe('TWO')
      await expect(
        c.batchUpdate([
          { memoryId: ids[2]!, text: 'THREE' },
          { memoryId: `${ids[2]}-missing`, text: 'x' },
        ]),
      ).rejects.toMatchObject({
        name: 'MemoryNotFoundError',
      })
      expect((await c.get(ids[2]!)).memory).toBe('three')
      await expect(c.batchDelete([ids[0]!, 'no-such-id'])).rejects.toMatchObject({ name: 'MemoryNotFoundError' })
      expect((await c.getAll({ filters: { user_id: 'bo' } })).count).toBe(3)
      expect((await c.batchDelete([ids[0]!, ids[1]!])).message).toMatch(/deleted 2/)
      expect((await c.getAll({ filters: { user_id: 'bo' } })).results.map((m: { memory: string }) => m.memory)).toEqual(['three'])
    })

    it('queues an async_mode add (PENDING) and reports the event done', async () => {
      const { client: c, key } = await client('async')
      const queued = await c.add([user('I run marathons')], { userId: 'eve', asyncMode: true })
      expect(queued.status).toBe('PENDING')
      let status = queued.status
      let done: Awaited<ReturnType<typeof event>> | undefined
      for (let i = 0; i < 100 && status === 'PENDING'; i++) {
        await new Promise((resolve) => setTimeout(resolve, 50))
        done = await event(key, queued.eventId)
        status = done.status
      }
      expect(status).toBe('SUCCEEDED')
      expect(done!.results.map((r) => r.data.memory)).toEqual(['User said: I run marathons'])
      expect((await c.search('marathons', { filters: { user_id: 'eve' } })).results[0].memory).toBe('User said: I run marathons')
    })

    it('keeps tenants apart through the client: same ids, no shared memories, entities or ids', async () => {
      const a = await client('iso-a')
      const b = await client('iso-b')
      const added = await b.client.add([user('B secret')], { userId: 'shared', infer: false })
      await a.client.add([user('A note')], { userId: 'shared', infer: false })
      expect((await a.client.getAll({ filters: { user_id: 'shared' } })).results.map((m: { memory: string }) => m.memory)).toEqual([
        'A note',
      ])
      expect(
        (await a.client.search('secret', { filters: { user_id: 'shared' } })).results.map((m: { memory: string }) => m.memory),
      ).toEqual(['A note'])
      const foreign = added.results[0].id
      await expect(a.client.get(foreign)).rejects.toMatchObject({ name: 'MemoryNotFoundError' })
      await expect(a.client.update(foreign, { text: 'hijacked' })).rejects.toMatchObject({ name: 'MemoryNotFoundError' })
      await expect(a.client.batchDelete([foreign])).rejects.toMatchObject({ name: 'MemoryNotFoundError' })
      await a.client.deleteUsers({ userId: 'shared' })
      expect((await b.client.get(foreign)).memory).toBe('B secret')
      expect((await b.client.users()).results.map((e: { name: string }) => e.name)).toEqual(['shared'])
      expect((await a.client.users()).results).toEqual([])
    })

    it('answers mem0 features it does not serve with a clear 404, not a 500', async () => {
      const { client: c } = await client('unsupported')
      await expect(c.feedback({ memoryId: 'x', feedback: 'POSITIVE' } as never)).rejects.toMatchObject({ name: 'MemoryNotFoundError' })
      await expect(c.createMemoryExport({ schema: {}, filters: { user_id: 'x' } } as never)).rejects.toThrow(/not served by edgemem/)
    })
  })
}

describe('mem0ai MemoryClient under the Worker’s limits', () => {
  beforeAll(() => {
    modeOverride = { RATE_LIMIT_PER_MINUTE: '6', RATE_LIMIT_BURST: '4', MAX_TOP_K: '5', MAX_BODY_BYTES: '2048' }
  })
  afterAll(() => {
    modeOverride = undefined
  })

  it('meets the same limits and rate limits as the REST routes, as the client’s own errors', async () => {
    const { client: c } = await client('limits')
    await expect(c.search('x', { filters: { user_id: 'lim' }, topK: 10 })).rejects.toMatchObject({ name: 'ValidationError' })
    await expect(c.add([user('y'.repeat(4000))], { userId: 'lim', infer: false })).rejects.toMatchObject({
      name: 'MemoryQuotaExceededError',
    })
    await expect(
      (async () => {
        for (let i = 0; i < 10; i++) await c.getAll({ filters: { user_id: 'lim' } })
      })(),
    ).rejects.toMatchObject({ name: 'RateLimitError' })
  })
})

describe('@mem0/vercel-ai-provider memory functions against the Worker', () => {
  beforeAll(() => {
    modeOverride = undefined
  })

  it('adds and retrieves memories with host set to the Worker', async () => {
    const { key } = await newTenant('vercel')
    const config = { user_id: 'vera', mem0ApiKey: key, host: HOST, infer: false }
    await vercel.addMemories([{ role: 'user', content: [{ type: 'text', text: 'I prefer window seats' }] }], config)
    const text = await vercel.retrieveMemories('which seat?', config)
    expect(text).toContain('I prefer window seats')
    const found = await vercel.getMemories('seat', config)
    expect(JSON.stringify(found)).toContain('I prefer window seats')
  })

  it('wraps a model with createMem0: the conversation is stored in the Worker and its memories reach the model', async () => {
    const { key } = await newTenant('vercel-model')
    const mem0 = vercel.createMem0({
      provider: 'openai',
      mem0ApiKey: key,
      apiKey: 'sk-test',
      // The model itself: the scripted OpenAI-compatible test server on loopback.
      config: { baseURL: inject('workerServers').openaiBaseURL },
      mem0Config: { host: HOST, user_id: 'wes', infer: false },
    })
    const model = mem0.chat('test-llm')
    await vercel.addMemories([{ role: 'user', content: [{ type: 'text', text: 'I prefer aisle seats' }] }], {
      user_id: 'wes',
      mem0ApiKey: key,
      host: HOST,
      infer: false,
    })
    // What ai's generateText calls on a model (LanguageModelV3), without depending on the ai package here.
    const result = await model.doGenerate({ prompt: [{ role: 'user', content: [{ type: 'text', text: 'which seats do I prefer?' }] }] })
    const source = result.content.find((part) => part.type === 'source') as
      | { providerMetadata: { mem0: { memoriesText: string } } }
      | undefined
    expect(source?.providerMetadata.mem0.memoriesText).toContain('I prefer aisle seats')
    const stored = await new MemoryClient({ apiKey: key, host: HOST }).getAll({ filters: { user_id: 'wes' } })
    expect(stored.results.map((m: { memory: string }) => m.memory).sort()).toEqual(['I prefer aisle seats', 'which seats do I prefer?'])
  })
})
