import { RemoteMemory } from '../../src/client/index.ts'
import { describe, expect, it } from '../harness.ts'
import { ALL_MODES, modeEnv, newTenant, ORIGIN, request, type RequestOptions, workerFetch } from './worker-client.ts'

const NO_LLM_ENV = { LLM_BASE_URL: undefined, LLM_MODEL: undefined, LLM_API_KEY: undefined }

// GET /export and POST /import (the portable format, docs/format.md) in every storage mode: a tenant's
// memories exported, imported into another tenant, exported again are the same lines; importing twice
// changes nothing; bad input is a 400 naming the line, with nothing written.

const NDJSON = { 'Content-Type': 'application/x-ndjson' }

/** The body of an export as text (the test client parses a one-line body as JSON). */
const textOf = (body: unknown): string => (typeof body === 'string' ? body : `${JSON.stringify(body)}\n`)

/** The lines of an export as comparable content: the header without its time, the rest sorted. */
function content(body: unknown): string[] {
  const [header, ...rest] = textOf(body).trimEnd().split('\n')
  const { createdAt: _, ...fixed } = JSON.parse(header!) as Record<string, unknown>
  return [JSON.stringify(fixed), ...rest.sort()]
}

for (const mode of ALL_MODES) {
  describe(`export and import (${mode} mode)`, () => {
    const env = modeEnv(mode)
    const req = <T = any>(method: string, path: string, options: Omit<RequestOptions, 'env'> = {}) =>
      request<T>(method, path, { ...options, env })

    async function seed(key: string) {
      for (const [content, scope, metadata] of [
        ['Likes green tea', { user_id: 'alice' }, { topic: 'food', tags: ['a', 'b'] }],
        ['Works at the bakery', { user_id: 'alice', run_id: 'r1' }, {}],
        ['Plans trips', { agent_id: 'planner' }, { nested: { x: 1 } }],
      ] as const) {
        const response = await req('POST', '/memories', {
          key,
          body: { messages: [{ role: 'user', content }], ...scope, metadata, infer: false },
        })
        expect(response.status).toBe(200)
      }
      const { body } = await req('GET', '/memories?user_id=alice', { key })
      const chess = body.results.find((r: { memory: string }) => r.memory === 'Likes green tea')
      expect((await req('PUT', `/memories/${chess.id}`, { key, body: { text: 'Likes jasmine tea' } })).status).toBe(200)
    }

    it('round trip: export → import into another tenant → export gives the same lines; a second import changes nothing', async () => {
      const source = await newTenant('exp', env)
      await seed(source.key)
      const exported = await req<string>('GET', '/export?vectors=true', { key: source.key })
      expect(exported.status).toBe(200)
      expect(exported.headers.get('content-type')).toMatch(/^application\/x-ndjson/)
      const text = textOf(exported.body)
      const lines = text.trimEnd().split('\n')
      expect(lines.map((l) => JSON.parse(l).type).filter((t) => t === 'memory')).toHaveLength(3)
      expect(lines.filter((l) => JSON.parse(l).type === 'history')).toHaveLength(4)

      const target = await newTenant('imp', env)
      const imported = await req('POST', '/import', { key: target.key, rawBody: text, headers: NDJSON })
      expect(imported.status).toBe(200)
      expect(imported.body).toMatchObject({ imported: 3, skipped: 0, history: 4, reembedded: 0 })
      const again = await req<string>('GET', '/export?vectors=true', { key: target.key })
      expect(content(again.body)).toEqual(content(text))

      const twice = await req('POST', '/import', { key: target.key, rawBody: text, headers: NDJSON })
      expect(twice.body).toMatchObject({ imported: 0, skipped: 3, history: 0 })
      expect(content((await req<string>('GET', '/export?vectors=true', { key: target.key })).body)).toEqual(content(text))

      // The imported memories are the tenant's, searchable under their scope.
      const found = await req('POST', '/search', { key: target.key, body: { query: 'jasmine tea', user_id: 'alice', top_k: 1 } })
      expect(found.body.results[0].memory).toBe('Likes jasmine tea')
      // A scoped export holds only that scope.
      const scoped = await req<string>('GET', '/export?agent_id=planner', { key: target.key })
      const memories = textOf(scoped.body)
        .trimEnd()
        .split('\n')
        .map((l) => JSON.parse(l))
        .filter((r) => r.type === 'memory')
      expect(memories.map((r) => r.memory)).toEqual(['Plans trips'])
      // Other tenants see nothing of it.
      const stranger = await newTenant('str', env)
      const empty = await req<string>('GET', '/export', { key: stranger.key })
      expect(textOf(empty.body).trimEnd().split('\n')).toHaveLength(1)
    })

    it('refuses bad input with a 400 naming the line, writing nothing; the wrong content type; a bad scope', async () => {
      const { key } = await newTenant('bad', env)
      const header = JSON.stringify({ type: 'edgemem-export', version: 1, createdAt: '2026-12-01T00:00:00.000Z' })
      const good = JSON.stringify({
        type: 'memory',
        id: 'm1',
        memory: 'ok',
        hash: 'h',
        userId: 'u',
        metadata: {},
        createdAt: '2026-11-01T00:00:00.000Z',
      })
      const bad = JSON.stringify({ type: 'memory', id: 'm2', memory: 'x', hash: 'h', metadata: {}, createdAt: '2026-11-01T00:00:00.000Z' })
      const refused = await req('POST', '/import', { key, rawBody: `${header}\n${good}\n${bad}\n`, headers: NDJSON })
      expect(refused.status).toBe(400)
      expect(refused.body.error).toMatchObject({ code: 'VALIDATION', message: expect.stringMatching(/^line 3: /) })
      const listed = await req('GET', '/memories?user_id=u', { key })
      expect(listed.body.results).toEqual([])
      const notJsonl = await req('POST', '/import', { key, rawBody: `${header}\n{oops\n`, headers: NDJSON })
      expect(notJsonl.status).toBe(400)
      expect(notJsonl.body.error.message).toMatch(/^line 2: is not JSON/)
      const wrongType = await req('POST', '/import', { key, body: { records: [] } })
      expect(wrongType.status).toBe(400)
      expect(wrongType.body.error.message).toMatch(/application\/x-ndjson/)
      expect((await req('POST', '/import', { key, rawBody: '', headers: NDJSON })).status).toBe(400)
      const scope = await req('GET', `/export?user_id=${'x'.repeat(300)}`, { key })
      expect(scope.status).toBe(400)
    })

    it('a body larger than MAX_BODY_BYTES is refused with 413', async () => {
      const { key } = await newTenant('big', { ...env, MAX_BODY_BYTES: '2048' })
      const header = JSON.stringify({ type: 'edgemem-export', version: 1, createdAt: '2026-12-01T00:00:00.000Z' })
      const big = `${header}\n${JSON.stringify({ type: 'memory', id: 'm1', memory: 'y'.repeat(4000), hash: 'h', userId: 'u', metadata: {}, createdAt: '2026-11-01T00:00:00.000Z' })}\n`
      const response = await request('POST', '/import', { key, rawBody: big, headers: NDJSON, env: { ...env, MAX_BODY_BYTES: '2048' } })
      expect(response.status).toBe(413)
    })
  })
}

describe('RemoteMemory.export and .import (edgemem/client over the Worker)', () => {
  it('streams an export out and imports it into another tenant in several size-bounded requests', async () => {
    const env = modeEnv('durable-object')
    const fetch = workerFetch({ ...NO_LLM_ENV, ...env })
    const source = new RemoteMemory({ url: ORIGIN, apiKey: (await newTenant('rx', env)).key, fetch, maxRetries: 0 })
    for (let i = 0; i < 12; i++) await source.add(`Remote memory number ${i}`, { userId: 'alice', infer: false })
    const records = []
    for await (const record of source.export({ userId: 'alice', vectors: true })) records.push(record)
    expect(records.filter((r) => r.type === 'memory')).toHaveLength(12)
    const target = new RemoteMemory({ url: ORIGIN, apiKey: (await newTenant('ry', env)).key, fetch, maxRetries: 0 })
    const progress: number[] = []
    const result = await target.import(records, { maxBodyBytes: 2048, onProgress: (p) => progress.push(p.records) })
    expect(result).toMatchObject({ imported: 12, skipped: 0, history: 12, reembedded: 0 })
    expect(progress.length).toBeGreaterThan(2)
    const again = []
    for await (const record of target.export({ userId: 'alice', vectors: true })) again.push(JSON.stringify(record))
    expect(again.slice(1).sort()).toEqual(
      records
        .slice(1)
        .map((r) => JSON.stringify(r))
        .sort(),
    )
    expect(await target.import(records, { maxBodyBytes: 2048 })).toMatchObject({ imported: 0, skipped: 12 })
    // A bad record is refused by the Worker, named by its line in the records given.
    const bad = [records[0], ...records.slice(1, 4), { ...records[1], id: 'other', metadata: { _x: 1 } }]
    await expect(target.import(bad, { maxBodyBytes: 2048 })).rejects.toThrow(new RegExp(`^line ${bad.length}: `))
  })
})
