import { describe, expect, it } from '../harness.ts'
import { LLM_FAILURE_MARKER } from './worker-servers.setup.ts'
import { ADMIN_KEY, ALL_MODES, modeEnv, newTenant, request, type RequestOptions } from './worker-client.ts'

// Every route of the REST table in every storage mode (durable-object, kv, and the remote stores over
// their fake services), through the Worker's real fetch handler and bindings, with embeddings and the
// LLM from the OpenAI-compatible test server.

const ITEM_KEYS = ['agent_id', 'created_at', 'hash', 'id', 'memory', 'metadata', 'run_id', 'score', 'updated_at', 'user_id']

function expectItemShape(item: Record<string, unknown>): void {
  for (const key of Object.keys(item)) expect(ITEM_KEYS).toContain(key)
  expect(typeof item.id).toBe('string')
  expect(typeof item.memory).toBe('string')
  expect(item.hash).toMatch(/^[0-9a-f]{64}$/)
  expect(typeof item.metadata).toBe('object')
  expect(Date.parse(item.created_at as string)).not.toBeNaN()
  expect(Date.parse(item.updated_at as string)).not.toBeNaN()
}

for (const mode of ALL_MODES) {
  describe(`routes (${mode} mode)`, () => {
    const env = modeEnv(mode)
    const req = <T = any>(method: string, path: string, options: Omit<RequestOptions, 'env'> = {}) =>
      request<T>(method, path, { ...options, env })

    async function addVerbatim(key: string, texts: string[], scope: Record<string, string>, extra: Record<string, unknown> = {}) {
      const response = await req('POST', '/memories', {
        key,
        body: { messages: texts.map((content) => ({ role: 'user', content })), ...scope, infer: false, ...extra },
      })
      expect(response.status).toBe(200)
      return response.body.results as { id: string; memory: string; event: string }[]
    }

    describe('POST /memories', () => {
      it('stores each message verbatim with infer: false, snake_case events', async () => {
        const { key } = await newTenant('t', env)
        const response = await req('POST', '/memories', {
          key,
          body: {
            messages: [
              { role: 'system', content: 'You are helpful.' },
              { role: 'user', content: 'I am vegetarian' },
              { role: 'assistant', content: 'Noted, no meat.', name: 'bot' },
            ],
            user_id: 'alice',
            metadata: { topic: 'food' },
            infer: false,
          },
        })
        expect(response.status).toBe(200)
        expect(response.body.results.map((r: { memory: string; event: string }) => [r.memory, r.event])).toEqual([
          ['I am vegetarian', 'ADD'],
          ['Noted, no meat.', 'ADD'],
        ])
        for (const event of response.body.results) expect(Object.keys(event).sort()).toEqual(['event', 'id', 'memory'])
        const item = await req('GET', `/memories/${response.body.results[1].id}`, { key })
        expect(item.body.metadata).toEqual({ topic: 'food', role: 'assistant', name: 'bot' })
        expect(item.body.user_id).toBe('alice')
      })

      it('accepts one text as messages, and agent_id / run_id scopes', async () => {
        const { key } = await newTenant('t', env)
        const response = await req('POST', '/memories', {
          key,
          body: { messages: 'Prefers window seats', agent_id: 'travel-bot', run_id: 'r1', infer: false },
        })
        expect(response.status).toBe(200)
        const item = await req('GET', `/memories/${response.body.results[0].id}`, { key })
        expect(item.body).toMatchObject({ memory: 'Prefers window seats', agent_id: 'travel-bot', run_id: 'r1' })
        expect(item.body.user_id).toBeUndefined()
      })

      it('runs the LLM pipeline by default when an LLM is configured: ADD, then NONE for known facts, DELETE on request', async () => {
        const { key } = await newTenant('t', env)
        const first = await req('POST', '/memories', {
          key,
          body: { messages: [{ role: 'user', content: 'I live in Lyon' }], user_id: 'bob' },
        })
        expect(first.status).toBe(200)
        expect(first.body.results).toEqual([{ id: expect.any(String), memory: 'User said: I live in Lyon', event: 'ADD' }])
        const again = await req('POST', '/memories', {
          key,
          body: { messages: [{ role: 'user', content: 'I live in Lyon' }], user_id: 'bob' },
        })
        expect(again.body.results).toEqual([])
        const forget = await req('POST', '/memories', {
          key,
          body: { messages: [{ role: 'user', content: 'forget I live in Lyon' }], user_id: 'bob' },
        })
        expect(forget.body.results).toEqual([{ id: first.body.results[0].id, memory: 'User said: I live in Lyon', event: 'DELETE' }])
      })

      it('answers 502 LLM when the LLM fails, and writes nothing', async () => {
        const { key } = await newTenant('t', env)
        const response = await req('POST', '/memories', {
          key,
          body: { messages: [{ role: 'user', content: `hello ${LLM_FAILURE_MARKER}` }], user_id: 'carol' },
        })
        expect(response.status).toBe(502)
        expect(response.body.error.code).toBe('LLM')
        expect((await req('GET', '/memories?user_id=carol', { key })).body.results).toEqual([])
      })

      it('keeps expiration_date and hides expired memories from get_all', async () => {
        const { key } = await newTenant('t', env)
        const [expired] = await addVerbatim(key, ['old news'], { user_id: 'dan' }, { expiration_date: '2001-01-01' })
        await addVerbatim(key, ['fresh news'], { user_id: 'dan' }, { expiration_date: '2999-12-31' })
        const list = await req('GET', '/memories?user_id=dan', { key })
        expect(list.body.results.map((r: { memory: string }) => r.memory)).toEqual(['fresh news'])
        const got = await req('GET', `/memories/${expired!.id}`, { key })
        expect([got.status, got.body.expiration_date]).toEqual([200, '2001-01-01'])
        expect(list.body.results[0].expiration_date).toBe('2999-12-31')
      })

      it('refuses bad input with 400 and the error shape', async () => {
        const { key } = await newTenant('t', env)
        const cases: [unknown, RegExp][] = [
          [{ messages: 'x', infer: false }, /user_id, agent_id or run_id/],
          [{ user_id: 'a' }, /messages/],
          [{ messages: [{ content: 'no role' }], user_id: 'a' }, /messages\.0\.role/],
          [{ messages: 'x', user_id: '' }, /user_id/],
          [{ messages: 'x', user_id: 'a', infer: 'yes' }, /infer/],
          [{ messages: 'x', user_id: 'a', metadata: { memory: 'reserved' }, infer: false }, /reserved/],
          [
            { messages: 'x', user_id: 'a', expiration_date: 'tomorrow', infer: false },
            /expiration_date must be a calendar date as YYYY-MM-DD/,
          ],
          [{ messages: 'x', user_id: 'a', expiration_date: '2026-02-30', infer: false }, /expiration_date must be a calendar date/],
          [{ messages: 'x', user_id: 'a', metadata: [1, 2] }, /metadata/],
        ]
        for (const [body, message] of cases) {
          const response = await req('POST', '/memories', { key, body })
          expect(response.status, JSON.stringify(body)).toBe(400)
          expect(Object.keys(response.body)).toEqual(['error'])
          expect(['VALIDATION', 'FILTER']).toContain(response.body.error.code)
          expect(response.body.error.message).toMatch(message)
        }
      })

      it('refuses malformed JSON and non-JSON bodies with 400', async () => {
        const { key } = await newTenant('t', env)
        const malformed = await req('POST', '/memories', { key, rawBody: '{"messages": ', headers: { 'Content-Type': 'application/json' } })
        expect(malformed.status).toBe(400)
        expect(malformed.body.error.code).toBe('VALIDATION')
        const text = await req('POST', '/memories', { key, rawBody: 'messages=x', headers: { 'Content-Type': 'text/plain' } })
        expect(text.status).toBe(400)
        expect(text.body.error.message).toMatch(/Content-Type: application\/json/)
      })
    })

    describe('GET /memories', () => {
      it('lists a scope newest first, honours top_k, and is scoped', async () => {
        const { key } = await newTenant('t', env)
        for (const text of ['one', 'two', 'three']) await addVerbatim(key, [text], { user_id: 'eve' })
        await addVerbatim(key, ['other user'], { user_id: 'frank' })
        const all = await req('GET', '/memories?user_id=eve', { key })
        expect(all.status).toBe(200)
        expect(all.body.results.map((r: { memory: string }) => r.memory)).toEqual(['three', 'two', 'one'])
        all.body.results.forEach(expectItemShape)
        const top = await req('GET', '/memories?user_id=eve&top_k=2', { key })
        expect(top.body.results).toHaveLength(2)
      })

      it('finds memories of every user of an agent (a read across shards)', async () => {
        const { key } = await newTenant('t', env)
        const users = Array.from({ length: 8 }, (_, i) => `user-${i}`)
        for (const user of users) await addVerbatim(key, [`note of ${user}`], { user_id: user, agent_id: 'helper' })
        await addVerbatim(key, ['agent-only note'], { agent_id: 'helper' })
        await addVerbatim(key, ['other agent'], { user_id: 'user-0', agent_id: 'other' })
        const list = await req('GET', '/memories?agent_id=helper', { key })
        expect(list.body.results.map((r: { memory: string }) => r.memory).sort()).toEqual(
          [...users.map((u) => `note of ${u}`), 'agent-only note'].sort(),
        )
        const found = await req('POST', '/search', { key, body: { query: 'note', agent_id: 'helper', top_k: 20 } })
        expect(found.body.results).toHaveLength(9)
        const scores = found.body.results.map((r: { score: number }) => r.score)
        expect(scores).toEqual([...scores].sort((a, b) => b - a))
      })

      it('needs a scope and a valid top_k', async () => {
        const { key } = await newTenant('t', env)
        expect((await req('GET', '/memories', { key })).status).toBe(400)
        expect((await req('GET', '/memories?user_id=a&top_k=0', { key })).status).toBe(400)
        expect((await req('GET', '/memories?user_id=a&top_k=abc', { key })).status).toBe(400)
      })
    })

    describe('GET /memories/{id}', () => {
      it('returns the item, and 404 with the error shape for unknown ids', async () => {
        const { key } = await newTenant('t', env)
        const [added] = await addVerbatim(key, ['likes tea'], { user_id: 'gina' })
        const item = await req('GET', `/memories/${added!.id}`, { key })
        expect(item.status).toBe(200)
        expectItemShape(item.body)
        expect(item.body).toMatchObject({ id: added!.id, memory: 'likes tea', user_id: 'gina', metadata: { role: 'user' } })
        for (const id of ['0.00000000-0000-4000-8000-000000000000', 'not-an-id', '999.x', encodeURIComponent('1./etc')]) {
          const missing = await req('GET', `/memories/${id}`, { key })
          expect(missing.status, id).toBe(404)
          expect(missing.body.error.code).toBe('NOT_FOUND')
        }
      })
    })

    describe('PUT /memories/{id}', () => {
      it('changes the text (re-embedded, found by the new text) and merges metadata', async () => {
        const { key } = await newTenant('t', env)
        const [added] = await addVerbatim(key, ['likes tea'], { user_id: 'hal' }, { metadata: { mood: 'calm', level: 1 } })
        const updated = await req('PUT', `/memories/${added!.id}`, {
          key,
          body: { text: 'likes espresso coffee', metadata: { level: 2, mood: null } },
        })
        expect(updated.status).toBe(200)
        expectItemShape(updated.body)
        expect(updated.body).toMatchObject({ id: added!.id, memory: 'likes espresso coffee', metadata: { role: 'user', level: 2 } })
        expect(updated.body.metadata.mood).toBeUndefined()
        const found = await req('POST', '/search', { key, body: { query: 'espresso coffee', user_id: 'hal', top_k: 1 } })
        expect(found.body.results[0].id).toBe(added!.id)
      })

      it('404 for an unknown id, 400 for an empty change', async () => {
        const { key } = await newTenant('t', env)
        const [added] = await addVerbatim(key, ['x'], { user_id: 'ian' })
        expect((await req('PUT', '/memories/0.nope', { key, body: { text: 'y' } })).status).toBe(404)
        const empty = await req('PUT', `/memories/${added!.id}`, { key, body: {} })
        expect(empty.status).toBe(400)
        expect((await req('PUT', `/memories/${added!.id}`, { key, body: { text: '' } })).status).toBe(400)
      })
    })

    describe('GET /memories/{id}/history', () => {
      it('lists ADD, UPDATE and DELETE with snake_case fields, also after the delete', async () => {
        const { key } = await newTenant('t', env)
        const [added] = await addVerbatim(key, ['v1'], { user_id: 'jo' })
        await req('PUT', `/memories/${added!.id}`, { key, body: { text: 'v2' } })
        await req('DELETE', `/memories/${added!.id}`, { key })
        const history = await req('GET', `/memories/${added!.id}/history`, { key })
        expect(history.status).toBe(200)
        expect(history.body.map((h: Record<string, unknown>) => [h.event, h.previous_value, h.new_value, h.memory_id])).toEqual([
          ['ADD', null, 'v1', added!.id],
          ['UPDATE', 'v1', 'v2', added!.id],
          ['DELETE', 'v2', null, added!.id],
        ])
        for (const entry of history.body)
          expect(Object.keys(entry).sort()).toEqual(['created_at', 'event', 'id', 'memory_id', 'new_value', 'previous_value'])
        expect((await req('GET', '/memories/0.unknown/history', { key })).status).toBe(404)
      })
    })

    describe('DELETE /memories/{id} and DELETE /memories', () => {
      it('deletes one memory ({message}), then 404', async () => {
        const { key } = await newTenant('t', env)
        const [added] = await addVerbatim(key, ['temporary'], { user_id: 'kim' })
        const deleted = await req('DELETE', `/memories/${added!.id}`, { key })
        expect(deleted.status).toBe(200)
        expect(deleted.body).toEqual({ message: 'Memory deleted successfully' })
        expect((await req('GET', `/memories/${added!.id}`, { key })).status).toBe(404)
        expect((await req('DELETE', `/memories/${added!.id}`, { key })).status).toBe(404)
      })

      it('deletes a scope ({message, deleted}) and leaves other scopes alone; needs a scope', async () => {
        const { key } = await newTenant('t', env)
        await addVerbatim(key, ['a', 'b'], { user_id: 'lee' })
        await addVerbatim(key, ['c'], { user_id: 'max' })
        const deleted = await req('DELETE', '/memories?user_id=lee', { key })
        expect(deleted.status).toBe(200)
        expect(deleted.body).toEqual({ message: 'Memories deleted successfully', deleted: 2 })
        expect((await req('GET', '/memories?user_id=lee', { key })).body.results).toEqual([])
        expect((await req('GET', '/memories?user_id=max', { key })).body.results).toHaveLength(1)
        expect((await req('DELETE', '/memories', { key })).status).toBe(400)
      })

      it('deletes an agent across all its users', async () => {
        const { key } = await newTenant('t', env)
        for (const user of ['u1', 'u2', 'u3', 'u4', 'u5']) await addVerbatim(key, [`x ${user}`], { user_id: user, agent_id: 'bot' })
        await addVerbatim(key, ['kept'], { user_id: 'u1', agent_id: 'other' })
        expect((await req('DELETE', '/memories?agent_id=bot', { key })).body.deleted).toBe(5)
        expect((await req('GET', '/memories?user_id=u1', { key })).body.results.map((r: { memory: string }) => r.memory)).toEqual(['kept'])
      })
    })

    describe('POST /search', () => {
      it('ranks by meaning, applies filters, threshold and top_k, and returns scored items', async () => {
        const { key } = await newTenant('t', env)
        await addVerbatim(key, ['Loves Italian pasta'], { user_id: 'nia' }, { metadata: { topic: 'food', priority: 3 } })
        await addVerbatim(key, ['Plays tennis on Sundays'], { user_id: 'nia' }, { metadata: { topic: 'sport', priority: 1 } })
        await addVerbatim(key, ['Loves pasta too'], { user_id: 'oli' })
        const found = await req('POST', '/search', { key, body: { query: 'pasta', user_id: 'nia' } })
        expect(found.status).toBe(200)
        expect(found.body.results[0].memory).toBe('Loves Italian pasta')
        found.body.results.forEach(expectItemShape)
        expect(typeof found.body.results[0].score).toBe('number')
        expect(found.body.results.every((r: { user_id: string }) => r.user_id === 'nia')).toBe(true)
        const filtered = await req('POST', '/search', { key, body: { query: 'pasta', user_id: 'nia', filters: { topic: 'sport' } } })
        expect(filtered.body.results.map((r: { memory: string }) => r.memory)).toEqual(['Plays tennis on Sundays'])
        const ranged = await req('POST', '/search', { key, body: { query: 'pasta', filters: { user_id: 'nia', priority: { gte: 2 } } } })
        expect(ranged.body.results.map((r: { memory: string }) => r.memory)).toEqual(['Loves Italian pasta'])
        const strict = await req('POST', '/search', { key, body: { query: 'pasta', user_id: 'nia', threshold: 0.99 } })
        expect(strict.body.results).toEqual([])
        expect((await req('POST', '/search', { key, body: { query: 'pasta', user_id: 'nia', top_k: 1 } })).body.results).toHaveLength(1)
      })

      it('refuses a bad filter (FILTER), a missing scope or query (VALIDATION)', async () => {
        const { key } = await newTenant('t', env)
        const badOperator = await req('POST', '/search', { key, body: { query: 'x', user_id: 'a', filters: { topic: { like: 'x' } } } })
        expect(badOperator.status).toBe(400)
        expect(badOperator.body.error.code).toBe('FILTER')
        expect((await req('POST', '/search', { key, body: { query: 'x' } })).body.error.code).toBe('VALIDATION')
        expect((await req('POST', '/search', { key, body: { user_id: 'a' } })).status).toBe(400)
        expect((await req('POST', '/search', { key, body: { query: '', user_id: 'a' } })).status).toBe(400)
        expect((await req('POST', '/search', { key, body: { query: 'x', user_id: 'a', top_k: 1.5 } })).status).toBe(400)
      })
    })

    describe('POST /reset', () => {
      it('resets one tenant with ?tenant, everything without; keys survive', async () => {
        const a = await newTenant('reset-a', env)
        const b = await newTenant('reset-b', env)
        await addVerbatim(a.key, ['a1'], { user_id: 'u' })
        await addVerbatim(b.key, ['b1'], { user_id: 'u' })
        const one = await req('POST', `/reset?tenant=${a.tenant}`, { key: ADMIN_KEY })
        expect(one.status).toBe(200)
        expect(one.body.message).toMatch(a.tenant)
        expect((await req('GET', '/memories?user_id=u', { key: a.key })).body.results).toEqual([])
        expect((await req('GET', '/memories?user_id=u', { key: b.key })).body.results).toHaveLength(1)
        const all = await req('POST', '/reset', { key: ADMIN_KEY })
        expect(all.status).toBe(200)
        expect(all.body).toEqual({ message: 'All memories reset' })
        expect((await req('GET', '/memories?user_id=u', { key: b.key })).body.results).toEqual([])
        // The keys still work, and the tenant writes again.
        await addVerbatim(b.key, ['b2'], { user_id: 'u' })
        expect((await req('GET', '/memories?user_id=u', { key: b.key })).body.results).toHaveLength(1)
        expect((await req('POST', '/reset?tenant=never-heard-of', { key: ADMIN_KEY })).status).toBe(404)
      })
    })
  })
}

describe('meta routes', () => {
  it('GET /health needs no key', async () => {
    const health = await request('GET', '/health')
    expect(health.status).toBe(200)
    expect(health.body).toEqual({ status: 'ok' })
  })

  it('GET /openapi.json describes every route of the REST table', async () => {
    const doc = await request('GET', '/openapi.json')
    expect(doc.status).toBe(200)
    expect(doc.body.openapi).toMatch(/^3\./)
    const operations = Object.entries(doc.body.paths as Record<string, Record<string, unknown>>).flatMap(([path, item]) =>
      Object.keys(item).map((m) => `${m.toUpperCase()} ${path}`),
    )
    for (const op of [
      'POST /memories',
      'GET /memories',
      'GET /memories/{id}',
      'PUT /memories/{id}',
      'GET /memories/{id}/history',
      'DELETE /memories/{id}',
      'DELETE /memories',
      'POST /search',
      'POST /reset',
      'GET /health',
      'POST /admin/keys',
      'GET /admin/keys',
      'DELETE /admin/keys/{id}',
    ]) {
      expect(operations).toContain(op)
    }
    expect(doc.body.paths['/memories'].post.requestBody.content['application/json'].schema).toBeDefined()
    expect(doc.body.components.securitySchemes).toMatchObject({ bearerAuth: { scheme: 'bearer' }, apiKeyHeader: { name: 'X-API-Key' } })
    expect(Object.keys(doc.body.components.schemas)).toEqual(
      expect.arrayContaining(['MemoryItem', 'AddRequest', 'SearchRequest', 'HistoryEntry', 'Error']),
    )
  })

  it('GET /docs renders the reference from the document, self-contained', async () => {
    const docs = await request('GET', '/docs')
    expect(docs.status).toBe(200)
    expect(docs.headers.get('content-type')).toMatch(/text\/html/)
    const html = docs.body as string
    expect(html).toContain('<code>/memories/{id}/history</code>')
    expect(html).toContain('id="schema-MemoryItem"')
    expect(html).toContain('X-API-Key')
    expect(html).not.toMatch(/<script|https?:\/\//)
  })

  it('answers unknown routes with a JSON 404', async () => {
    const missing = await request('GET', '/nope', { key: ADMIN_KEY })
    expect(missing.status).toBe(404)
    expect(missing.body.error.code).toBe('NOT_FOUND')
  })
})
