import { MemoryStorage, type Embedder, type MemoryConfig } from '../../src/index.ts'
import { IsolateTenantMemories } from '../../workers/backend/isolate-tenants.ts'
import { HashEmbedder } from '../support/hash-embedder.ts'
import { describe, expect, it } from '../harness.ts'

// The per-isolate cache of tenants' Memories (kv and remote modes): bounded, least recently used
// first, and never closing a Memory that still has calls in flight.

describe('IsolateTenantMemories', () => {
  it('keeps at most `capacity` tenants and reopens an evicted one with its data', async () => {
    const storages = new Map<string, MemoryStorage>()
    const configFor = (tenant: string): MemoryConfig => {
      if (!storages.has(tenant)) storages.set(tenant, new MemoryStorage())
      return {
        embedder: new HashEmbedder({ dimensions: 16 }),
        storage: storages.get(tenant)!,
        vectorStore: { provider: 'flat' },
        collection: `t_${tenant}`,
      }
    }
    const memories = new IsolateTenantMemories(configFor, 2)
    for (const tenant of ['a', 'b', 'c']) await memories.forTenant(tenant).add(`note of ${tenant}`, { userId: 'u', infer: false })
    expect(memories.size).toBe(2)
    // "a" was the least recently used: closed, and opened again from its storage.
    expect((await memories.forTenant('a').getAll({ userId: 'u' })).results.map((r) => r.memory)).toEqual(['note of a'])
    expect(memories.size).toBe(2)
  })

  it('never drops a Memory with a call in flight: a second request for the tenant joins the same Memory', async () => {
    // If a busy Memory were dropped, the next request would open a second Memory over the same data and
    // two writers would race on one scope (each appending to the log position it saw: one write lost).
    let first = true
    let release: () => void = () => undefined
    const gate = new Promise<void>((resolve) => (release = resolve))
    const hash = new HashEmbedder({ dimensions: 16 })
    const slowOnce: Embedder = {
      dimensions: 16,
      embed: async (texts) => {
        if (first) {
          first = false
          await gate
        }
        return hash.embed(texts)
      },
    }
    const storages = new Map<string, MemoryStorage>()
    let slowOpened = 0
    const configFor = (tenant: string): MemoryConfig => {
      if (!storages.has(tenant)) storages.set(tenant, new MemoryStorage())
      if (tenant === 'slow') slowOpened++
      return {
        embedder: tenant === 'slow' ? slowOnce : hash,
        storage: storages.get(tenant)!,
        vectorStore: { provider: 'flat' },
        collection: `t_${tenant}`,
      }
    }
    const memories = new IsolateTenantMemories(configFor, 1)
    const held = memories.forTenant('slow').add('first, held in flight', { userId: 'u', infer: false })
    await new Promise((resolve) => setTimeout(resolve, 20))
    for (const tenant of ['x', 'y']) await memories.forTenant(tenant).add('quick', { userId: 'u', infer: false })
    const second = memories.forTenant('slow').add('second, while the first is in flight', { userId: 'u', infer: false })
    await new Promise((resolve) => setTimeout(resolve, 20))
    expect(slowOpened).toBe(1)
    release()
    await Promise.all([held, second])
    // What storage holds, as a fresh isolate would read it: both writes.
    const fresh = new IsolateTenantMemories(configFor, 1)
    expect((await fresh.forTenant('slow').getAll({ userId: 'u' })).results.map((r) => r.memory).sort()).toEqual([
      'first, held in flight',
      'second, while the first is in flight',
    ])
    // Once idle, it is evicted like any other.
    await memories.forTenant('z').get('none')
    expect(memories.size).toBe(1)
  })
})
