import { describe, expect, it } from '../harness.ts'
import { ADMIN_KEY, ALL_MODES, modeEnv, newTenant, request, type RequestOptions } from './worker-client.ts'

/**
 * The tenant-isolation matrix: in every storage mode, tenants A and B use the very same scope ids and
 * texts. Through every route, A's key must neither see nor change anything of B's: lists, searches
 * (by user, by agent, by filter), ids of B's memories on every id route, scope deletes, dedup, and the
 * admin routes.
 */
for (const mode of ALL_MODES) {
  describe(`tenant isolation (${mode} mode)`, () => {
    const env = modeEnv(mode)
    const as = (key: string, extra: Omit<RequestOptions, 'key' | 'env'> = {}): RequestOptions => ({ key, env, ...extra })

    async function seed(key: string, texts: string[]) {
      const response = await request(
        'POST',
        '/memories',
        as(key, {
          body: {
            messages: texts.map((content) => ({ role: 'user', content })),
            user_id: 'shared-user',
            agent_id: 'shared-agent',
            infer: false,
            metadata: { label: 'x' },
          },
        }),
      )
      expect(response.status, JSON.stringify(response.body)).toBe(200)
      return response.body.results.map((r: { id: string }) => r.id) as string[]
    }

    const memoriesOf = async (key: string, query: string) =>
      (await request('GET', `/memories?${query}`, as(key))).body.results.map((r: { memory: string }) => r.memory).sort()

    it('keeps every route of one tenant away from the other tenant', async () => {
      const a = await newTenant('iso-a', env)
      const b = await newTenant('iso-b', env)
      const bIds = await seed(b.key, ['B secret one', 'B secret two', 'shared text'])
      // Same scope, same text: A's add must not be deduplicated against B's memory.
      const aIds = await seed(a.key, ['A note', 'shared text'])
      expect(aIds).toHaveLength(2)

      // Reads of the shared scope ids see A's memories only.
      expect(await memoriesOf(a.key, 'user_id=shared-user')).toEqual(['A note', 'shared text'])
      expect(await memoriesOf(a.key, 'agent_id=shared-agent')).toEqual(['A note', 'shared text'])
      for (const body of [
        { query: 'B secret', user_id: 'shared-user', top_k: 50 },
        { query: 'B secret', agent_id: 'shared-agent', top_k: 50 },
        { query: 'B secret', filters: { user_id: 'shared-user', label: 'x' }, top_k: 50 },
        {
          query: 'B secret',
          filters: { OR: [{ agent_id: 'shared-agent' }, { user_id: 'shared-user' }] },
          agent_id: 'shared-agent',
          top_k: 50,
        },
      ]) {
        const found = await request('POST', '/search', as(a.key, { body }))
        expect(found.status).toBe(200)
        expect(found.body.results.map((r: { memory: string }) => r.memory).sort()).toEqual(['A note', 'shared text'])
      }

      // Every id route answers 404 for B's ids, and changes nothing.
      for (const id of bIds) {
        const path = `/memories/${encodeURIComponent(id)}`
        expect((await request('GET', path, as(a.key))).status).toBe(404)
        expect((await request('GET', `${path}/history`, as(a.key))).status).toBe(404)
        const update = await request('PUT', path, as(a.key, { body: { text: 'overwritten by A', metadata: { label: 'A' } } }))
        expect(update.status).toBe(404)
        expect((await request('DELETE', path, as(a.key))).status).toBe(404)
      }

      // A deleting the shared scope deletes A's memories only.
      const deleted = await request('DELETE', '/memories?user_id=shared-user', as(a.key))
      expect(deleted.body.deleted).toBe(2)
      const deletedByAgent = await request('DELETE', '/memories?agent_id=shared-agent', as(a.key))
      expect(deletedByAgent.body.deleted).toBe(0)

      // B's memories are all there, untouched, with their history intact.
      expect(await memoriesOf(b.key, 'user_id=shared-user')).toEqual(['B secret one', 'B secret two', 'shared text'])
      for (const id of bIds) {
        const item = await request('GET', `/memories/${encodeURIComponent(id)}`, as(b.key))
        expect(item.status).toBe(200)
        expect(item.body.metadata.label).toBe('x')
        const history = await request('GET', `/memories/${encodeURIComponent(id)}/history`, as(b.key))
        expect(history.body.map((h: { event: string }) => h.event)).toEqual(['ADD'])
      }

      // A tenant key cannot reset or manage keys, for itself or anyone else.
      expect((await request('POST', '/reset', as(a.key))).status).toBe(403)
      expect((await request('POST', `/reset?tenant=${b.tenant}`, as(a.key))).status).toBe(403)
      expect((await request('GET', '/admin/keys', as(a.key))).status).toBe(403)
      expect((await request('POST', '/admin/keys', as(a.key, { body: { tenant: b.tenant } }))).status).toBe(403)
      expect((await request('DELETE', `/admin/keys/${b.id}`, as(a.key))).status).toBe(403)
      // B's key still works.
      expect((await request('GET', '/memories?user_id=shared-user', as(b.key))).status).toBe(200)

      // Resetting A (admin) leaves B alone.
      expect((await request('POST', `/reset?tenant=${a.tenant}`, { key: ADMIN_KEY, env })).status).toBe(200)
      expect(await memoriesOf(b.key, 'agent_id=shared-agent')).toEqual(['B secret one', 'B secret two', 'shared text'])
    })
  })
}
