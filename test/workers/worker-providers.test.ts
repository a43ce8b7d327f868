import { inject } from 'vitest'
import { describe, expect, it } from '../harness.ts'
import { scriptControl } from '../servers/scripted-service.ts'
import { AWS_TEST_CREDENTIALS } from '../support/ai-fixtures.ts'
import { parseSettings } from '../../workers/settings.ts'
import type { Env } from '../../workers/env.ts'
import { newTenant, request } from './worker-client.ts'

// LLM_PROVIDER / EMBEDDING_PROVIDER select any registered provider; *_CONFIG (JSON) carries its settings.
// kv mode: the Memory lives in the isolate, which sees the env overrides (Durable Objects see the bindings).

const urls = inject('aiServices')

describe('the Worker selects its LLM and embedder providers', () => {
  it('adds through anthropic and searches through cohere embeddings', async () => {
    const env: Partial<Env> = {
      STORAGE_MODE: 'kv',
      LLM_PROVIDER: 'anthropic',
      LLM_CONFIG: JSON.stringify({ baseURL: urls.anthropic, apiKey: 'sk-ant-test', model: 'claude-haiku-4-5' }),
      EMBEDDING_PROVIDER: 'cohere',
      EMBEDDING_CONFIG: JSON.stringify({ baseURL: urls.cohere, apiKey: 'cohere-test-key', model: 'embed-v4.0' }),
    }
    const anthropic = scriptControl(urls.anthropic)
    const cohere = scriptControl(urls.cohere)
    await anthropic.reset()
    await cohere.reset()
    await anthropic.enqueue({ text: JSON.stringify({ operations: [{ event: 'ADD', text: 'Drinks green tea every morning' }] }) })
    const { key } = await newTenant('providers', env)
    const added = await request('POST', '/memories', {
      key,
      env,
      body: { messages: [{ role: 'user', content: 'I drink green tea every morning' }], user_id: 'p1' },
    })
    expect(added.status, JSON.stringify(added.body)).toBe(200)
    const found = await request('POST', '/search', { key, env, body: { query: 'green tea', user_id: 'p1' } })
    expect(found.status).toBe(200)
    expect(found.body.results[0].memory).toBe('Drinks green tea every morning')
    const [sent] = await anthropic.requests()
    expect(sent!.headers['x-api-key']).toBe('sk-ant-test')
    expect((await cohere.requests()).length).toBeGreaterThanOrEqual(2)
  })

  it('reranks a search with RERANKER_PROVIDER, and answers 400 to rerank: true without one', async () => {
    const env: Partial<Env> = {
      STORAGE_MODE: 'kv',
      RERANKER_PROVIDER: 'cohere',
      RERANKER_CONFIG: JSON.stringify({ baseURL: urls.cohere, apiKey: 'cohere-test-key' }),
    }
    const cohere = scriptControl(urls.cohere)
    await cohere.reset()
    const { key } = await newTenant('rerank', env)
    const messages = ['tea in the morning', 'tea at night', 'tea with friends'].map((content) => ({ role: 'user', content }))
    expect((await request('POST', '/memories', { key, env, body: { messages, user_id: 'r1', infer: false } })).status).toBe(200)
    await cohere.enqueue({ scores: [0.1, 0.9, 0.5] })
    const found = await request('POST', '/search', { key, env, body: { query: 'tea', user_id: 'r1', rerank: true } })
    expect(found.status, JSON.stringify(found.body)).toBe(200)
    const [sent] = await cohere.requests()
    const documents = (sent!.body as { documents: string[] }).documents
    expect(found.body.results.map((r: { memory: string }) => r.memory)).toEqual([documents[1], documents[2], documents[0]])
    const plain = await newTenant('norerank', { STORAGE_MODE: 'kv' })
    const refused = await request('POST', '/search', {
      key: plain.key,
      env: { STORAGE_MODE: 'kv' },
      body: { query: 'tea', user_id: 'r1', rerank: true },
    })
    expect(refused.status).toBe(400)
  })

  it('takes bedrock with its AWS settings from the JSON config', () => {
    const settings = parseSettings({
      LLM_PROVIDER: 'bedrock',
      LLM_CONFIG: JSON.stringify({ ...AWS_TEST_CREDENTIALS, baseURL: urls.bedrock }),
      EMBEDDING_PROVIDER: 'bedrock',
      EMBEDDING_CONFIG: JSON.stringify({ ...AWS_TEST_CREDENTIALS, model: 'cohere.embed-english-v3' }),
    })
    expect(settings.llm?.other).toEqual({ provider: 'bedrock', config: { ...AWS_TEST_CREDENTIALS, baseURL: urls.bedrock } })
    expect(settings.embedding.other?.config.model).toBe('cohere.embed-english-v3')
  })

  it('rejects an unknown provider or a config that is not a JSON object, naming the variable', () => {
    expect(() => parseSettings({ LLM_PROVIDER: 'nope' })).toThrow(/LLM_PROVIDER.*not a registered llm provider/)
    expect(() => parseSettings({ EMBEDDING_PROVIDER: 'jina', EMBEDDING_CONFIG: '[1]' })).toThrow(/EMBEDDING_CONFIG must be a JSON object/)
  })
})
