import { describe, expect, it } from 'vitest'
import { RemoteMemory } from '../../src/client/index.ts'
import { NotFoundError, RemoteError, ValidationError } from '../../src/index.ts'
import { describeMemoryContract } from '../conformance/memory.ts'
import { ADMIN_KEY, newTenant, ORIGIN, remoteMemory, request, workerFetch } from './worker-client.ts'

/**
 * RemoteMemory (edgemem/client) against the Worker in workerd, through the Worker's real fetch handler
 * and bindings (durable-object mode, embeddings from the hash-embedding test server), without an LLM
 * like the in-process Memory of the same contract suite (worker-client.ts `remoteMemory`).
 */
describeMemoryContract('RemoteMemory + the Worker (workerd, durable-object mode)', () => remoteMemory())

describe('RemoteMemory: what only the remote side has', () => {
  it('keeps tenants apart: the same scope ids under another key see and change nothing', async () => {
    const a = await remoteMemory()
    const b = await remoteMemory()
    const [added] = (await a.add('Alice keeps bees', { userId: 'alice' })).results
    expect((await b.search('bees', { userId: 'alice' })).results).toEqual([])
    expect((await b.getAll({ userId: 'alice' })).results).toEqual([])
    expect(await b.get(added!.id)).toBeNull()
    expect(await b.history(added!.id)).toEqual([])
    await expect(b.update(added!.id, 'Bob was here')).rejects.toBeInstanceOf(NotFoundError)
    await expect(b.delete(added!.id)).rejects.toBeInstanceOf(NotFoundError)
    expect(await b.deleteAll({ userId: 'alice' })).toEqual({ deleted: 0 })
    expect((await a.get(added!.id))!.memory).toBe('Alice keeps bees')
  })

  it('a wrong key is a RemoteError 401 with the Worker’s message; the admin key on memory routes is a 403', async () => {
    const wrong = await remoteMemory('em_not-a-key')
    const error = (await wrong.getAll({ userId: 'u' }).catch((e: unknown) => e)) as RemoteError
    expect(error).toBeInstanceOf(RemoteError)
    expect(error.status).toBe(401)
    expect(error.body).toMatchObject({ error: { code: 'UNAUTHORIZED' } })
    const admin = await remoteMemory(ADMIN_KEY)
    await expect(admin.add('x', { userId: 'u' })).rejects.toMatchObject({ code: 'REMOTE', status: 403 })
  })

  it('reset: refused for a tenant key (403), done with the admin key', async () => {
    const { key, tenant } = await newTenant('rm')
    const m = await remoteMemory(key)
    const [added] = (await m.add('to be reset', { userId: 'u' })).results
    await expect(m.reset()).rejects.toMatchObject({ status: 403 })
    expect(await m.get(added!.id)).not.toBeNull()
    // The admin's reset of every tenant, through a RemoteMemory holding the admin key.
    const admin = new RemoteMemory({ url: ORIGIN, apiKey: ADMIN_KEY, fetch: workerFetch() })
    await admin.reset()
    expect(await m.get(added!.id)).toBeNull()
    expect((await m.add('after reset', { userId: 'u' })).results).toHaveLength(1)
    expect(tenant).toBeTruthy()
  })

  it('infer follows the Worker: with its LLM, infer: true runs extraction; without, it is a ValidationError', async () => {
    const { key } = await newTenant('rm')
    const withoutLlm = await remoteMemory(key)
    await expect(withoutLlm.add('I like tea', { userId: 'u', infer: true })).rejects.toBeInstanceOf(ValidationError)
    expect(await withoutLlm.getAll({ userId: 'u' })).toEqual({ results: [] })
  })

  it('GET /memories?filters= (what getAll sends): a JSON filter, 400 for anything else; items carry expiration_date', async () => {
    const { key } = await newTenant('rm')
    await request('POST', '/memories', {
      key,
      body: { messages: 'Trip to Oslo', user_id: 'u', infer: false, metadata: { kind: 'trip' }, expiration_date: '2999-01-01' },
    })
    await request('POST', '/memories', { key, body: { messages: 'Likes tea', user_id: 'u', infer: false } })
    const filtered = await request('GET', `/memories?user_id=u&filters=${encodeURIComponent('{"kind":"trip"}')}`, { key })
    expect(filtered.status).toBe(200)
    expect(filtered.body.results).toEqual([expect.objectContaining({ memory: 'Trip to Oslo', expiration_date: '2999-01-01' })])
    for (const bad of ['not-json', '[1]', '"x"']) {
      const response = await request('GET', `/memories?user_id=u&filters=${encodeURIComponent(bad)}`, { key })
      expect([response.status, response.body.error.code], bad).toEqual([400, 'VALIDATION'])
    }
    const badOperator = await request('GET', `/memories?user_id=u&filters=${encodeURIComponent('{"kind":{"like":"t"}}')}`, { key })
    expect([badOperator.status, badOperator.body.error.code]).toEqual([400, 'FILTER'])
    const scopeInFilter = await request('GET', `/memories?filters=${encodeURIComponent('{"user_id":"u"}')}`, { key })
    expect(scopeInFilter.body.results).toHaveLength(2)
  })

  it('ready() checks the Worker answers; ids travel URL-encoded', async () => {
    const m = await remoteMemory()
    await m.ready()
    expect(await m.get('a/b?c')).toBeNull()
    expect(await m.history('../admin/keys')).toEqual([])
  })
})
