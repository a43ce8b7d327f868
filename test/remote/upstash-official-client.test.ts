import { Index } from '@upstash/vector/cloudflare'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startUpstashServer, type FakeUpstash } from '../servers/upstash.ts'

/**
 * The official client (`@upstash/vector`, its edge-safe entry) against our local Upstash server: if
 * the fake speaks the protocol as the real service does, every call of the official client works and
 * means what Upstash documents. (The adapter itself uses its own fetch code; see docs/adapters/upstash.md.)
 */
let fake: FakeUpstash
let index: Index<Record<string, unknown>>

beforeAll(async () => {
  fake = await startUpstashServer({ dimension: 3, similarity: 'COSINE' })
  index = new Index({ url: fake.url, token: fake.token })
})
afterAll(async () => {
  await fake.close()
})

describe('the official @upstash/vector client against the local Upstash server', () => {
  it('upserts, queries with a filter and scores cosine as (1 + cos) / 2', async () => {
    expect(
      await index.upsert([
        { id: 'a', vector: [1, 0, 0], metadata: { user_id: 'alice', n: 1 } },
        { id: 'b', vector: [0, 1, 0], metadata: { user_id: 'alice', n: 2 } },
        { id: 'c', vector: [1, 1, 0], metadata: { user_id: 'bob', n: 3 } },
      ]),
    ).toBe('Success')
    const results = await index.query({ vector: [1, 0, 0], topK: 3, includeMetadata: true, filter: "user_id = 'alice'" })
    expect(results.map((r) => r.id)).toEqual(['a', 'b'])
    expect(results[0]!.score).toBeCloseTo(1, 6)
    expect(results[1]!.score).toBeCloseTo(0.5, 6)
    expect(results[0]!.metadata).toEqual({ user_id: 'alice', n: 1 })
    const ranged = await index.query({ vector: [1, 0, 0], topK: 3, filter: 'n >= 2 AND n < 3' })
    expect(ranged.map((r) => r.id)).toEqual(['b'])
  })

  it('fetches in request order with null for missing ids, includes vectors on request', async () => {
    const fetched = await index.fetch(['c', 'missing', 'a'], { includeVectors: true, includeMetadata: true })
    expect(fetched.map((r) => r?.id ?? null)).toEqual(['c', null, 'a'])
    expect(fetched[2]!.vector).toEqual([1, 0, 0])
  })

  it('updates metadata with PATCH (merge) and pages with range until the cursor is empty', async () => {
    expect(await index.update({ id: 'a', metadata: { tag: 'x' }, metadataUpdateMode: 'PATCH' })).toEqual({ updated: 1 })
    expect((await index.fetch(['a'], { includeMetadata: true }))[0]!.metadata).toEqual({ user_id: 'alice', n: 1, tag: 'x' })
    const seen: string[] = []
    let cursor: string | number = '0'
    do {
      const page: { nextCursor: string | number; vectors: { id: string | number }[] } = await index.range({ cursor, limit: 2 })
      seen.push(...page.vectors.map((v) => String(v.id)))
      cursor = page.nextCursor
    } while (cursor !== '' && cursor !== 0 && cursor !== '0')
    expect(seen.sort()).toEqual(['a', 'b', 'c'])
  })

  it('keeps namespaces apart, reports info, deletes and resets', async () => {
    const ns = index.namespace('tenant-1')
    await ns.upsert({ id: 'a', vector: [0, 0, 1], metadata: { user_id: 'zed' } })
    expect((await ns.fetch(['a'], { includeMetadata: true }))[0]!.metadata).toEqual({ user_id: 'zed' })
    expect((await index.fetch(['a'], { includeMetadata: true }))[0]!.metadata).toMatchObject({ user_id: 'alice' })
    const info = await index.info()
    expect(info.dimension).toBe(3)
    expect(info.similarityFunction).toBe('COSINE')
    expect(info.namespaces['tenant-1']?.vectorCount).toBe(1)
    expect(await index.delete(['b', 'missing'])).toEqual({ deleted: 1 })
    await ns.reset()
    expect(await ns.fetch(['a'])).toEqual([null])
    expect((await index.fetch(['c']))[0]?.id).toBe('c')
  })

  it('rejects a wrong dimension with the service error', async () => {
    await expect(index.upsert({ id: 'bad', vector: [1, 0] })).rejects.toThrow(/dimension/i)
  })
})
