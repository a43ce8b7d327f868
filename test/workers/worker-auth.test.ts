import { env } from 'cloudflare:workers'
import { describe, expect, it } from '../harness.ts'
import { ADMIN_KEY, newTenant, request, uniqueTenant } from './worker-client.ts'

// Authentication (Bearer and X-API-Key), the admin key, key management, and how keys are stored.

const PROTECTED: [string, string, unknown?][] = [
  ['POST', '/memories', { messages: 'x', user_id: 'u', infer: false }],
  ['GET', '/memories?user_id=u'],
  ['GET', '/memories/0.x'],
  ['PUT', '/memories/0.x', { text: 'y' }],
  ['GET', '/memories/0.x/history'],
  ['DELETE', '/memories/0.x'],
  ['DELETE', '/memories?user_id=u'],
  ['POST', '/search', { query: 'x', user_id: 'u' }],
  ['POST', '/reset'],
  ['POST', '/admin/keys', { tenant: 'x' }],
  ['GET', '/admin/keys'],
  ['DELETE', '/admin/keys/0123456789abcdef'],
]

describe('authentication', () => {
  it('answers 401 on every protected route without a key, with a wrong key, or a malformed header', async () => {
    for (const [method, path, body] of PROTECTED) {
      const none = await request(method, path, { body })
      expect(none.status, `${method} ${path}`).toBe(401)
      expect(none.body.error.code).toBe('UNAUTHORIZED')
      expect((await request(method, path, { body, key: 'em_not-a-real-key' })).status).toBe(401)
      expect((await request(method, path, { body, key: 'em_not-a-real-key', keyHeader: 'x-api-key' })).status).toBe(401)
      expect((await request(method, path, { body, headers: { Authorization: `Basic ${btoa('user:pass')}` } })).status).toBe(401)
    }
  })

  it('accepts a tenant key as Bearer (any case) or as X-API-Key', async () => {
    const { key } = await newTenant()
    expect((await request('GET', '/memories?user_id=u', { key })).status).toBe(200)
    expect((await request('GET', '/memories?user_id=u', { key, keyHeader: 'x-api-key' })).status).toBe(200)
    expect((await request('GET', '/memories?user_id=u', { headers: { Authorization: `bearer ${key}` } })).status).toBe(200)
  })

  it('keeps /health, /openapi.json and /docs public', async () => {
    for (const path of ['/health', '/openapi.json', '/docs']) expect((await request('GET', path)).status).toBe(200)
  })

  it('refuses the admin key on memory routes (403) and tenant keys on admin routes (403)', async () => {
    for (const [method, path, body] of PROTECTED.slice(0, 8)) {
      const response = await request(method, path, { body, key: ADMIN_KEY })
      expect(response.status, `${method} ${path}`).toBe(403)
      expect(response.body.error.code).toBe('FORBIDDEN')
    }
    const { key } = await newTenant()
    for (const [method, path, body] of PROTECTED.slice(8))
      expect((await request(method, path, { body, key })).status, `${method} ${path}`).toBe(403)
  })

  it('has no admin at all when ADMIN_KEY is not set', async () => {
    const response = await request('GET', '/admin/keys', { key: ADMIN_KEY, env: { ADMIN_KEY: undefined } })
    expect(response.status).toBe(401)
  })
})

describe('key management', () => {
  it('creates, lists and revokes keys; a revoked key is refused', async () => {
    const tenant = uniqueTenant('keys')
    const created = await request('POST', '/admin/keys', { key: ADMIN_KEY, body: { tenant, name: 'ci' } })
    expect(created.status).toBe(201)
    expect(created.body).toMatchObject({
      tenant,
      name: 'ci',
      id: expect.stringMatching(/^[0-9a-f]{16}$/),
      key: expect.stringMatching(/^em_[A-Za-z0-9_-]{43}$/),
    })
    const second = await request('POST', '/admin/keys', { key: ADMIN_KEY, body: { tenant } })
    expect(second.body.key).not.toBe(created.body.key)

    const listed = await request('GET', `/admin/keys?tenant=${tenant}`, { key: ADMIN_KEY })
    expect(listed.status).toBe(200)
    expect(listed.body.results.map((k: { id: string }) => k.id).sort()).toEqual([created.body.id, second.body.id].sort())
    for (const record of listed.body.results) expect(Object.keys(record).sort()).toEqual(['created_at', 'id', 'name', 'tenant'])
    const everyone = await request('GET', '/admin/keys', { key: ADMIN_KEY })
    expect(everyone.body.results.map((k: { id: string }) => k.id)).toEqual(expect.arrayContaining([created.body.id, second.body.id]))

    // Both keys reach the same tenant's memories.
    await request('POST', '/memories', { key: created.body.key, body: { messages: 'shared by both keys', user_id: 'u', infer: false } })
    expect((await request('GET', '/memories?user_id=u', { key: second.body.key })).body.results).toHaveLength(1)

    const revoked = await request('DELETE', `/admin/keys/${created.body.id}`, { key: ADMIN_KEY })
    expect(revoked.status).toBe(200)
    expect(revoked.body).toEqual({ message: 'API key revoked' })
    expect((await request('GET', '/memories?user_id=u', { key: created.body.key })).status).toBe(401)
    expect((await request('GET', '/memories?user_id=u', { key: second.body.key })).status).toBe(200)
    expect((await request('DELETE', `/admin/keys/${created.body.id}`, { key: ADMIN_KEY })).status).toBe(404)
    expect((await request('DELETE', '/admin/keys/not-hex', { key: ADMIN_KEY })).status).toBe(404)
  })

  it('validates the tenant name', async () => {
    for (const tenant of ['', 'has/slash', 'has space', 'x'.repeat(49), 'dot.ted']) {
      const response = await request('POST', '/admin/keys', { key: ADMIN_KEY, body: { tenant } })
      expect(response.status, tenant).toBe(400)
      expect(response.body.error.code).toBe('VALIDATION')
    }
  })

  it('stores only the SHA-256 of a key, never the key', async () => {
    const { key, id } = await newTenant('hashed')
    const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(key))
    const hash = [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('')
    expect(hash.startsWith(id)).toBe(true)
    const kv = env.EDGEMEM_KV!
    const names = (await kv.list({ prefix: 'auth/' })).keys.map((k) => k.name)
    expect(names).toContain(`auth/keys/${hash}`)
    for (const name of names) {
      expect(name).not.toContain(key)
      expect(await kv.get(name)).not.toContain(key)
    }
  })
})
