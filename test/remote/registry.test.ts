import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ConfigError } from '../../src/errors.ts'
import { registerBuiltinProviders } from '../../src/builtins.ts'
import { resolveProvider } from '../../src/registry.ts'
import { startUpstashServer, type FakeUpstash } from '../servers/upstash.ts'

describe('remote vector stores in the provider registry', () => {
  let fake: FakeUpstash
  beforeAll(async () => {
    registerBuiltinProviders()
    fake = await startUpstashServer({ dimension: 2 })
  })
  afterAll(() => fake.close())

  it('validates configs synchronously with ConfigErrors that name the field', () => {
    expect(() => resolveProvider('vectorStore', 'upstash', { url: fake.url }, 'vectorStore')).toThrow(ConfigError)
    expect(() => resolveProvider('vectorStore', 'upstash', { url: fake.url }, 'vectorStore')).toThrow(/vectorStore\.config\.token/)
    expect(() => resolveProvider('vectorStore', 'qdrant', { url: 'http://q', colection: 'x' }, 'vectorStore')).toThrow(/colection/)
    expect(() => resolveProvider('vectorStore', 'pinecone', { host: 'h.pinecone.io' }, 'vectorStore')).toThrow(/apiKey/)
    expect(() => resolveProvider('vectorStore', 'qdrant', { url: 'http://q', timeoutMs: -1 }, 'vectorStore')).toThrow(/timeoutMs/)
  })

  it('creates the adapter on first use, namespaced by the Memory collection', async () => {
    const resolved = resolveProvider('vectorStore', 'upstash', { url: fake.url, token: fake.token }, 'vectorStore')
    const store = await resolved.create({ collection: 'from_memory', storage: undefined })
    expect(store.name).toBe('upstash')
    await store.init({ dimensions: 2 })
    await store.upsert([{ id: 'a', vector: Float32Array.from([1, 0]), payload: {} }])
    expect(fake.namespaces.get('from_memory')?.size).toBe(1)
    for (const name of ['qdrant', 'pinecone']) {
      const config = name === 'qdrant' ? { url: 'http://127.0.0.1:9' } : { host: '127.0.0.1:9', apiKey: 'k' }
      expect((await resolveProvider('vectorStore', name, config, 'vectorStore').create({ collection: 'c', storage: undefined })).name).toBe(
        name,
      )
    }
  })
})
