import { translateFilters, withDateRange } from '../../workers/platform/filters.ts'
import { describe, expect, it } from '../harness.ts'
import { ADMIN_KEY, newTenant, request, type RequestOptions } from './worker-client.ts'

/**
 * The mem0 platform routes' wire rules that mem0's clients do not exercise themselves (the clients run
 * in worker-mem0-platform.test.ts): refused fields and reserved ids write nothing, a failed inference is
 * a FAILED event, unsupported features are a clear 404, and the routes are in the OpenAPI document.
 */
const LLM_FAILURE_MARKER = 'please-fail-the-llm' // worker-servers.setup.ts: the test LLM fails on it

const token = (key: string, extra: Omit<RequestOptions, 'key' | 'headers'> = {}): RequestOptions => ({
  headers: { Authorization: `Token ${key}` },
  ...extra,
})

async function count(key: string, filters: Record<string, unknown>): Promise<number> {
  const response = await request('POST', '/v3/memories/', token(key, { body: { filters } }))
  expect(response.status, JSON.stringify(response.body)).toBe(200)
  return response.body.count
}

describe('mem0 platform routes: wire rules', () => {
  it('accepts "Token <key>" on every route, refuses the admin key on memory routes', async () => {
    const { key } = await newTenant('token')
    expect((await request('GET', '/memories?user_id=x', token(key))).status).toBe(200)
    expect((await request('GET', '/v1/ping/', token(key))).body).toMatchObject({ status: 'ok' })
    expect((await request('GET', '/v1/ping/', token('em_wrong'))).status).toBe(401)
    expect((await request('GET', '/v1/ping/', {})).status).toBe(401)
    expect((await request('GET', '/v1/ping/', token(ADMIN_KEY))).status).toBe(403)
  })

  it('refuses fields it cannot honour and reserved ids, writing nothing', async () => {
    const { key } = await newTenant('refuse')
    const messages = [{ role: 'user', content: 'hello there' }]
    const refused: [Record<string, unknown>, RegExp][] = [
      [{ messages, user_id: 'u', timestamp: 1700000000 }, /timestamp/],
      [{ messages, user_id: 'u', custom_instructions: 'only food' }, /custom_instructions/],
      [{ messages, user_id: 'u', metadata: { app_id: 'x' } }, /app_id is reserved/],
      [{ messages, agent_id: 'app:x' }, /reserved for app_id/],
      [{ messages, infer: false }, /needs at least one of/],
      [{ messages: [{ role: 'user', content: 'x'.repeat(9000) }], user_id: 'u', infer: false }, /MAX_MESSAGE_CHARS/],
    ]
    for (const [body, message] of refused) {
      const response = await request('POST', '/v3/memories/add/', token(key, { body }))
      expect(response.status, JSON.stringify(body)).toBe(400)
      expect(response.body.error.message).toMatch(message)
    }
    expect(await count(key, { user_id: 'u' })).toBe(0)
    expect(await count(key, { agent_id: '*', user_id: 'u' })).toBe(0)
  })

  it('validates search and list filters: ids inside filters, a required scope, no expired memories', async () => {
    const { key } = await newTenant('filters')
    const search = (body: Record<string, unknown>) => request('POST', '/v3/memories/search/', token(key, { body }))
    expect((await search({ query: 'x', user_id: 'u', filters: { user_id: 'u' } })).body.error.message).toMatch(/inside filters/)
    expect((await search({ query: 'x', filters: { OR: [{ user_id: 'u' }, { user_id: 'v' }] } })).status).toBe(400)
    expect((await search({ query: 'x', filters: { user_id: 'u', metadata: { app_id: 'a' } } })).body.error.message).toMatch(/entity id/)
    expect((await search({ query: 'x', filters: { user_id: 'u', color: { near: 'red' } } })).body.error.code).toBe('FILTER')
    expect((await search({ query: 'x', filters: { user_id: 'u' }, show_expired: true })).status).toBe(400)
    const list = await request('POST', '/v3/memories/?page=0', token(key, { body: { filters: { user_id: 'u' } } }))
    expect(list.status).toBe(400)
  })

  it('reports a failed inference as a FAILED event; an unknown event is a 404', async () => {
    const { key } = await newTenant('failed')
    const added = await request(
      'POST',
      '/v3/memories/add/',
      token(key, { body: { messages: [{ role: 'user', content: `${LLM_FAILURE_MARKER} now` }], user_id: 'u' } }),
    )
    expect(added.status).toBe(200)
    expect(added.body).toMatchObject({
      status: 'FAILED',
      results: [],
      event_id: expect.any(String),
      error: expect.stringMatching(/LLM|fail/i),
    })
    const event = await request('GET', `/v1/event/${added.body.event_id}/`, token(key))
    expect(event.body).toMatchObject({ id: added.body.event_id, status: 'FAILED', event_type: 'ADD' })
    expect(await count(key, { user_id: 'u' })).toBe(0)
    expect((await request('GET', `/v1/event/${crypto.randomUUID()}/`, token(key))).status).toBe(404)
    // Another tenant cannot read the event.
    const other = await newTenant('failed-other')
    expect((await request('GET', `/v1/event/${added.body.event_id}/`, token(other.key))).status).toBe(404)
  })

  it('answers unsupported mem0 features with a 404 naming them (after authentication)', async () => {
    const { key } = await newTenant('unsupported')
    for (const [method, path] of [
      ['GET', '/api/v1/orgs/organizations/o/projects/p/'],
      ['POST', '/api/v1/webhooks/projects/p/'],
      ['POST', '/v1/feedback/'],
      ['GET', '/v2/entities/user/alice/profile/'],
      ['POST', '/v1/exports/'],
      ['POST', '/v1/exports/get/'],
    ] as const) {
      const response = await request(method, path, token(key, method === 'POST' ? { body: {} } : {}))
      expect(response.status, path).toBe(404)
      expect(response.body.error.message, path).toMatch(/not served by edgemem/)
      expect((await request(method, path, {})).status, path).toBe(401)
    }
  })

  it('lists the platform routes in the OpenAPI document, with the Token scheme', async () => {
    const { body } = await request('GET', '/openapi.json')
    for (const path of [
      '/v1/ping',
      '/v3/memories/add',
      '/v3/memories/search',
      '/v3/memories',
      '/v1/memories/{memory_id}',
      '/v1/batch',
      '/v1/event/{event_id}',
    ]) {
      expect(Object.keys(body.paths), path).toContain(path)
    }
    expect(body.components.securitySchemes.mem0Token).toMatchObject({ type: 'apiKey', in: 'header', name: 'Authorization' })
    const page = await request('GET', '/docs')
    expect(page.status).toBe(200)
    expect(page.body).toContain('/v3/memories/search')
  })
})

describe('mem0 filters → edgemem filters', () => {
  it('flattens metadata conditions at any depth and keeps operators, "*" and logic', () => {
    const { filters, scope } = translateFilters({
      AND: [{ user_id: 'u' }, { OR: [{ metadata: { topic: 'a' } }, { metadata: { rating: { gte: 4 } } }] }],
      NOT: [{ metadata: { tag: { icontains: 'X' } } }, { metadata: { gone: '*' } }],
    })
    expect(filters).toEqual({
      AND: [{ user_id: 'u' }, { OR: [{ topic: 'a' }, { rating: { gte: 4 } }] }],
      NOT: { OR: [{ tag: { icontains: 'X' } }, { gone: '*' }] },
    })
    expect(scope).toEqual({ userId: 'u' })
  })

  it('keeps both conditions when a field appears at top level and under metadata', () => {
    expect(translateFilters({ user_id: 'u', topic: 'a', metadata: { topic: { ne: 'b' } } }).filters).toEqual({
      AND: [{ user_id: 'u', topic: 'a' }, { topic: { ne: 'b' } }],
    })
  })

  it('scopes app_id alone to the app, and app_id with other ids to those ids', () => {
    expect(translateFilters({ app_id: 'news' })).toEqual({ filters: { app_id: 'news' }, scope: { agentId: 'app:news' } })
    expect(translateFilters({ AND: [{ agent_id: 'bot' }, { app_id: 'news' }] }).scope).toEqual({ agentId: 'bot' })
    expect(translateFilters({ user_id: '*', run_id: 'r' }).scope).toEqual({ runId: 'r' })
    expect(() => translateFilters({ agent_id: 'app:news' })).toThrow(/reserved/)
    expect(() => translateFilters([{ user_id: 'u' }])).toThrow(/filters must be an object/)
    expect(() => translateFilters({ user_id: 'u', AND: { user_id: 'u' } })).toThrow(/list of filters/)
  })

  it('adds start_date/end_date as a created_at range', () => {
    expect(withDateRange({ user_id: 'u' }, '2026-01-01', undefined)).toEqual({
      AND: [{ user_id: 'u' }, { created_at: { gte: '2026-01-01' } }],
    })
    expect(withDateRange({ user_id: 'u' }, undefined, undefined)).toEqual({ user_id: 'u' })
  })

  it('filters by created_at ranges and start_date/end_date through the route; search returns only `fields`', async () => {
    const { key } = await newTenant('dates')
    const added = await request('POST', '/v3/memories/add/', token(key, { body: { messages: 'dated', user_id: 'd', infer: false } }))
    expect(added.status).toBe(200)
    expect(await count(key, { user_id: 'd', created_at: { gte: '2000-01-01' } })).toBe(1)
    expect(await count(key, { user_id: 'd', created_at: { lt: '2000-01-01' } })).toBe(0)
    const range = (start_date: string, end_date: string) =>
      request('POST', '/v3/memories/', token(key, { body: { filters: { user_id: 'd' }, start_date, end_date } }))
    expect((await range('2000-01-01', '9999-01-01')).body.count).toBe(1)
    expect((await range('9000-01-01', '9999-01-01')).body.count).toBe(0)
    const picked = await request(
      'POST',
      '/v3/memories/search/',
      token(key, { body: { query: 'dated', filters: { user_id: 'd' }, fields: ['memory'] } }),
    )
    expect(picked.body.results).toEqual([{ id: added.body.results[0].id, memory: 'dated' }])
  })
})
