import { env } from 'cloudflare:workers'
import { evictDurableObject } from 'cloudflare:test'
import { describe, expect, it } from '../harness.ts'
import { shardOf } from '../../workers/backend/shard-routing.ts'
import { memoryConfig } from '../../workers/backend/memory-config.ts'
import { parseSettings } from '../../workers/settings.ts'
import { Memory } from '../../src/index.ts'
import { inject } from 'vitest'
import type { Env } from '../../workers/env.ts'
import { newTenant, request } from './worker-client.ts'

// Concurrent writes to one scope lose nothing (durable-object and kv modes), the Durable Object keeps
// everything across eviction, and its identity guards against a changed shard count.

const SHARDS = 4 // DO_SHARDS of vitest.worker.config.ts

for (const mode of ['durable-object', 'kv'] as const) {
  describe(`concurrent writes to one scope (${mode} mode)`, () => {
    const modeEnv: Partial<Env> = { STORAGE_MODE: mode }

    it('lands every one of 40 concurrent adds, with history for each', async () => {
      const { key } = await newTenant('conc', modeEnv)
      const texts = Array.from({ length: 40 }, (_, i) => `concurrent fact number ${i}`)
      const responses = await Promise.all(
        texts.map((content) =>
          request('POST', '/memories', {
            key,
            env: modeEnv,
            body: { messages: [{ role: 'user', content }], user_id: 'same-user', infer: false },
          }),
        ),
      )
      expect(responses.map((r) => r.status)).toEqual(texts.map(() => 200))
      const ids = responses.map((r) => r.body.results[0].id as string)
      expect(new Set(ids).size).toBe(40)
      const list = await request('GET', '/memories?user_id=same-user&top_k=100', { key, env: modeEnv })
      expect(list.body.results.map((r: { memory: string }) => r.memory).sort()).toEqual([...texts].sort())
      const histories = await Promise.all(ids.map((id) => request('GET', `/memories/${id}/history`, { key, env: modeEnv })))
      expect(histories.every((h) => h.body.length === 1 && h.body[0].event === 'ADD')).toBe(true)
    })

    it('keeps the same text once when it is added concurrently (dedup under the scope lock)', async () => {
      const { key } = await newTenant('dedup', modeEnv)
      const responses = await Promise.all(
        Array.from({ length: 10 }, () =>
          request('POST', '/memories', { key, env: modeEnv, body: { messages: 'exactly the same words', user_id: 'u', infer: false } }),
        ),
      )
      expect(responses.flatMap((r) => r.body.results)).toHaveLength(1)
      expect((await request('GET', '/memories?user_id=u', { key, env: modeEnv })).body.results).toHaveLength(1)
    })

    it('interleaves adds, updates and deletes on one scope without losing any', async () => {
      const { key } = await newTenant('mixed', modeEnv)
      const seeded = await request('POST', '/memories', {
        key,
        env: modeEnv,
        body: { messages: Array.from({ length: 10 }, (_, i) => ({ role: 'user', content: `seed ${i}` })), user_id: 'u', infer: false },
      })
      const ids: string[] = seeded.body.results.map((r: { id: string }) => r.id)
      const operations = [
        ...ids.slice(0, 5).map((id, i) => request('PUT', `/memories/${id}`, { key, env: modeEnv, body: { text: `updated ${i}` } })),
        ...ids.slice(5).map((id) => request('DELETE', `/memories/${id}`, { key, env: modeEnv })),
        ...Array.from({ length: 10 }, (_, i) =>
          request('POST', '/memories', { key, env: modeEnv, body: { messages: `added ${i}`, user_id: 'u', infer: false } }),
        ),
      ]
      expect((await Promise.all(operations)).map((r) => r.status)).toEqual(operations.map(() => 200))
      const list = await request('GET', '/memories?user_id=u', { key, env: modeEnv })
      expect(list.body.results.map((r: { memory: string }) => r.memory).sort()).toEqual(
        [...Array.from({ length: 5 }, (_, i) => `updated ${i}`), ...Array.from({ length: 10 }, (_, i) => `added ${i}`)].sort(),
      )
    })
  })
}

describe('Durable Object shards', () => {
  const shardStub = (tenant: string, shard: number) => env.MEMORY_SHARDS!.get(env.MEMORY_SHARDS!.idFromName(`${tenant}/${shard}`))

  it('keeps memories, index and history across an eviction of the object', async () => {
    const { tenant, key } = await newTenant('evict')
    const added = await request('POST', '/memories', {
      key,
      body: {
        messages: [
          { role: 'user', content: 'survives eviction' },
          { role: 'user', content: 'also kept' },
        ],
        user_id: 'u',
        infer: false,
      },
    })
    await request('PUT', `/memories/${added.body.results[0].id}`, { key, body: { text: 'survives eviction, updated' } })
    const shard = shardOf('u:u', SHARDS)
    expect(added.body.results[0].id.startsWith(`${shard}.`)).toBe(true)
    await evictDurableObject(shardStub(tenant, shard))
    const found = await request('POST', '/search', { key, body: { query: 'eviction updated', user_id: 'u', top_k: 1 } })
    expect(found.body.results[0].memory).toBe('survives eviction, updated')
    const history = await request('GET', `/memories/${added.body.results[0].id}/history`, { key })
    expect(history.body.map((h: { event: string }) => h.event)).toEqual(['ADD', 'UPDATE'])
  })

  it('puts a scope in the shard of its outermost id and names the shard in the id', async () => {
    const { key } = await newTenant('placement')
    for (const [scope, scopeKey] of [
      [{ user_id: 'alice', agent_id: 'bot' }, 'u:alice'],
      [{ agent_id: 'bot', run_id: 'r9' }, 'a:bot'],
      [{ run_id: 'r9' }, 'r:r9'],
    ] as const) {
      const added = await request('POST', '/memories', { key, body: { messages: `in ${scopeKey}`, ...scope, infer: false } })
      expect(added.body.results[0].id.split('.')[0]).toBe(String(shardOf(scopeKey, SHARDS)))
    }
  })

  it('refuses to run with a different DO_SHARDS than the data was written with (500 CONFIG)', async () => {
    const { key } = await newTenant('reshard')
    // Two users: one whose shard is the same with 4 and 8 shards, one whose shard moves.
    const users = Array.from({ length: 50 }, (_, i) => `user${i}`)
    const stays = users.find((u) => shardOf(`u:${u}`, 8) === shardOf(`u:${u}`, SHARDS))!
    const moves = users.find((u) => shardOf(`u:${u}`, 8) !== shardOf(`u:${u}`, SHARDS))!
    for (const user of [stays, moves])
      await request('POST', '/memories', { key, body: { messages: 'written with 4 shards', user_id: user, infer: false } })
    // The objects get DO_SHARDS from the Worker's request: pretend the Worker was redeployed with 8.
    const eight: Partial<Env> = { DO_SHARDS: '8' }
    const write = await request('POST', '/memories', {
      key,
      env: eight,
      body: { messages: 'after resharding', user_id: stays, infer: false },
    })
    expect(write.status).toBe(500)
    expect(write.body.error).toMatchObject({ code: 'CONFIG', message: expect.stringContaining('DO_SHARDS') })
    // The moved user's scope would land in an object without data; a read across shards reaches the
    // old objects and refuses too, instead of answering without the stranded memories.
    const read = await request('GET', `/memories?run_id=any`, { key, env: eight })
    expect(read.status).toBe(500)
    expect(read.body.error.message).toContain('DO_SHARDS')
    expect((await request('GET', `/memories?user_id=${moves}`, { key })).body.results).toHaveLength(1)
  })
})

describe('the kv mode caveat, shown', () => {
  it('two isolates writing one scope can lose a write: each appends to the log position it last saw', async () => {
    // Two Memories over the same KV collection are what two isolates of the kv mode are.
    const settings = parseSettings({
      ...(env as Env),
      STORAGE_MODE: 'kv',
      EMBEDDING_BASE_URL: inject('workerServers').openaiBaseURL,
      LLM_BASE_URL: undefined,
    })
    const collection = `t_caveat${Date.now().toString(36)}`
    const config = () => memoryConfig(settings, { kind: 'kv', namespace: env.EDGEMEM_KV!, collection })
    const isolateA = new Memory(config())
    const isolateB = new Memory(config())
    await isolateA.add('first, from isolate A', { userId: 'u', infer: false })
    // B loads the scope now and keeps it in memory, as a warm isolate does.
    expect((await isolateB.getAll({ userId: 'u' })).results).toHaveLength(1)
    await isolateA.add('second, from isolate A', { userId: 'u', infer: false })
    await isolateB.add('third, from isolate B', { userId: 'u', infer: false })
    // A fresh isolate reads what KV holds: B's append took the log position of A's second write.
    const fresh = new Memory(config())
    const kept = (await fresh.getAll({ userId: 'u' })).results.map((r) => r.memory).sort()
    expect(kept).toEqual(['first, from isolate A', 'third, from isolate B'])
    await Promise.all([isolateA.close(), isolateB.close(), fresh.close()])
  })
})
