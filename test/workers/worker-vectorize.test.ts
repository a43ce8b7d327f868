import { describe, expect, inject, it } from 'vitest'
import type { Env } from '../../workers/env.ts'
import { parseSettings } from '../../workers/settings.ts'
import { scriptControl } from '../servers/scripted-service.ts'
import { FakeAiBinding } from '../servers/services/workers-ai.ts'
import { FakeVectorizeIndex } from '../servers/vectorize.ts'
import { newTenant, request } from './worker-client.ts'

// The Worker with nothing outside Cloudflare: STORAGE_MODE "vectorize" over a Vectorize index binding and
// Workers AI through the AI binding (both fakes bound in place of the real ones, which wrangler dev cannot
// emulate offline). The vitest config sets an OpenAI-compatible endpoint for the other suites: unset here.

const urls = inject('aiServices')
const INDEXES = { user_id: 'string', agent_id: 'string', run_id: 'string', _em_h: 'number' } as const

function vectorizeEnv(): { env: Partial<Env>; index: FakeVectorizeIndex; ai: FakeAiBinding } {
  const index = new FakeVectorizeIndex({ dimensions: 384, metadataIndexes: INDEXES, visibilityDelayMs: 30 })
  const ai = new FakeAiBinding(urls['workers-ai'], { embedLocally: true })
  const env = {
    STORAGE_MODE: 'vectorize',
    VECTORIZE: index as unknown as Vectorize,
    AI: ai as unknown as Ai,
    EMBEDDING_BASE_URL: undefined,
    LLM_BASE_URL: undefined,
  } as Partial<Env>
  return { env, index, ai }
}

describe('STORAGE_MODE vectorize with Workers AI', () => {
  it('adds (infer: true through the AI binding), reads its writes at once, searches and deletes', async () => {
    const { env, index, ai } = vectorizeEnv()
    const llm = scriptControl(urls['workers-ai'])
    await llm.reset()
    await llm.enqueue({ text: JSON.stringify({ operations: [{ event: 'ADD', text: 'Drinks green tea every morning' }] }) })
    const { key } = await newTenant('vz', env)
    const added = await request('POST', '/memories', {
      key,
      env,
      body: { messages: [{ role: 'user', content: 'I drink green tea every morning' }], user_id: 'alice' },
    })
    expect(added.status, JSON.stringify(added.body)).toBe(200)
    const id = added.body.results[0].id as string
    // Read-after-write: the Worker answered only once Vectorize showed the write.
    const got = await request('GET', `/memories/${id}`, { key, env })
    expect(got.status).toBe(200)
    expect(got.body.memory).toBe('Drinks green tea every morning')
    const found = await request('POST', '/search', { key, env, body: { query: 'green tea', user_id: 'alice' } })
    expect(found.body.results.map((r: { memory: string }) => r.memory)).toEqual(['Drinks green tea every morning'])
    expect(new Set(ai.calls.map((c) => c.model))).toEqual(
      new Set(['@cf/baai/bge-small-en-v1.5', '@cf/meta/llama-3.3-70b-instruct-fp8-fast']),
    )
    expect(index.calls.some((c) => c.method === 'upsert')).toBe(true)
    expect((await request('DELETE', `/memories/${id}`, { key, env })).status).toBe(200)
    expect((await request('GET', '/memories?user_id=alice', { key, env })).body.results).toEqual([])
  })

  it('keeps tenants apart in one index (a namespace each)', async () => {
    const { env } = vectorizeEnv()
    const a = await newTenant('va', env)
    const b = await newTenant('vb', env)
    const body = { messages: 'Alice keeps bees', user_id: 'alice', infer: false }
    expect((await request('POST', '/memories', { key: a.key, env, body })).status).toBe(200)
    expect((await request('POST', '/search', { key: b.key, env, body: { query: 'bees', user_id: 'alice' } })).body.results).toEqual([])
    expect((await request('POST', '/search', { key: a.key, env, body: { query: 'bees', user_id: 'alice' } })).body.results).toHaveLength(1)
  })

  it('settings: the AI binding is picked when no other embedder or LLM is set; the index binding is required', () => {
    const ai = {} as Ai
    const picked = parseSettings({
      STORAGE_MODE: 'vectorize',
      VECTORIZE: {} as Vectorize,
      AI: ai,
      EMBEDDING_MODEL: 'text-embedding-3-small',
    })
    expect(picked.embedding.workersAI).toEqual({ model: '' })
    expect(picked.llm?.workersAI).toEqual({ model: '' })
    expect(picked.remote).toEqual({ provider: 'vectorize', config: {} })
    const explicit = parseSettings({
      AI: ai,
      EMBEDDING_API_KEY: 'sk',
      LLM_PROVIDER: 'workers-ai',
      LLM_MODEL: '@cf/meta/llama-3.1-8b-instruct',
    })
    expect(explicit.embedding.workersAI).toBeUndefined()
    expect(explicit.llm?.workersAI).toEqual({ model: '@cf/meta/llama-3.1-8b-instruct' })
    expect(() => parseSettings({ STORAGE_MODE: 'vectorize' })).toThrow(/VECTORIZE binding is required/)
    expect(() => parseSettings({ EMBEDDING_PROVIDER: 'workers-ai' })).toThrow(/AI binding/)
    expect(() => parseSettings({ STORAGE_MODE: 'vectorize', VECTORIZE: {} as Vectorize, VECTORIZE_METRIC: 'l2' })).toThrow(
      /VECTORIZE_METRIC/,
    )
    expect(
      parseSettings({
        STORAGE_MODE: 'vectorize',
        VECTORIZE: {} as Vectorize,
        VECTORIZE_INDEXED_FIELDS: 'user_id, agent_id:string,priority:number',
      }).remote,
    ).toEqual({ provider: 'vectorize', config: { indexedFields: { user_id: 'string', agent_id: 'string', priority: 'number' } } })
  })
})
