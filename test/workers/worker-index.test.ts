import { describe, expect, it } from '../harness.ts'
import { parseSettings } from '../../workers/settings.ts'
import type { Env } from '../../workers/env.ts'
import { newTenant, request } from './worker-client.ts'

// The default local index is hnsw: a scope that grows past 1,000 memories gets an HNSW index
// (hnswlib compiled to WebAssembly, imported as a module, since workerd cannot compile bytes) built
// inside the Durable Object, or inside the isolate in the kv mode. The write that crosses the
// threshold builds it; a failure to load the WebAssembly would fail that request.

const SCOPE_SIZE = 1050
const BATCH = 50

describe('the hnsw index behind the Worker', () => {
  it('is the default local index', () => {
    expect(parseSettings({}).localIndex).toBe('hnsw')
  })

  for (const mode of ['durable-object', 'kv'] as const) {
    it(`builds the index for a scope past 1,000 memories and keeps finding the best match (${mode} mode)`, async () => {
      const env: Partial<Env> = { STORAGE_MODE: mode }
      const { key } = await newTenant('hnsw', env)
      for (let start = 0; start < SCOPE_SIZE; start += BATCH) {
        const messages = Array.from({ length: BATCH }, (_, i) => ({
          role: 'user',
          content: `memory number ${start + i} with token t${start + i}x`,
        }))
        const added = await request('POST', '/memories', { key, env, body: { messages, user_id: 'big', infer: false } })
        expect(added.status, JSON.stringify(added.body)).toBe(200)
      }
      for (const n of [3, 777, 1049]) {
        const found = await request('POST', '/search', { key, env, body: { query: `t${n}x`, user_id: 'big', top_k: 3 } })
        expect(found.status).toBe(200)
        expect(found.body.results[0].memory).toBe(`memory number ${n} with token t${n}x`)
      }
    })
  }
})
