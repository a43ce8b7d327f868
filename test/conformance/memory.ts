import { FilterError, NotFoundError, ValidationError, type Filter, type MemoryApi } from '../../src/index.ts'
import { afterEach, describe, expect, it } from '../harness.ts'

/**
 * The Memory contract (docs/api.md): what every implementation of `MemoryApi` shows through its public
 * methods alone. Run against the in-process `Memory` (test/unit/memory/memory.test.ts, in every runtime
 * of the matrix) and against `RemoteMemory` + the Worker in workerd
 * (test/workers/worker-remote-memory.test.ts), so the two cannot drift.
 *
 * `make` returns a fresh, empty memory without an LLM (so `add` stores verbatim by default), embedding
 * with the hash embedder (texts sharing words are similar). Messages are compared where both word them
 * alike; the local-only suites check the rest (the REST API names fields in snake_case).
 */
export function describeMemoryContract(name: string, make: () => Promise<MemoryApi>): void {
  describe(`Memory contract: ${name}`, () => {
    let opened: MemoryApi[] = []
    const open = async (): Promise<MemoryApi> => {
      const m = await make()
      opened.push(m)
      return m
    }
    afterEach(async () => {
      await Promise.all(opened.map((m) => m.close()))
      opened = []
    })
    /** Distinct createdAt values for consecutive writes (ms resolution) without moving a clock. */
    const tick = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 3))

    describe('add with infer: false', () => {
      it('stores each non-system, non-blank message as one memory, text as given, role and name in metadata', async () => {
        const m = await open()
        const { results } = await m.add(
          [
            { role: 'system', content: 'You are helpful.' },
            { role: 'user', content: 'I love hiking in the Alps.' },
            { role: 'assistant', content: 'The Alps are great for hiking!', name: 'guide' },
            { role: 'user', content: '   ' },
          ],
          { userId: 'alice', metadata: { source: 'chat' } },
        )
        expect(results.map((r) => [r.event, r.memory])).toEqual([
          ['ADD', 'I love hiking in the Alps.'],
          ['ADD', 'The Alps are great for hiking!'],
        ])
        expect(results.every((r) => r.previousMemory === undefined)).toBe(true)
        const item = await m.get(results[1]!.id)
        expect(item).toMatchObject({
          memory: 'The Alps are great for hiking!',
          userId: 'alice',
          metadata: { source: 'chat', role: 'assistant', name: 'guide' },
        })
      })

      it('a plain string is one user message', async () => {
        const m = await open()
        const { results } = await m.add('Remember my locker code is 4411', { agentId: 'gym-bot' })
        expect(results).toHaveLength(1)
        expect(await m.get(results[0]!.id)).toMatchObject({ agentId: 'gym-bot', metadata: { role: 'user' } })
      })

      it('skips content already stored in the same scope (content-hash dedup), but not across scopes', async () => {
        const m = await open()
        await m.add('Likes green tea', { userId: 'alice' })
        const again = await m.add(
          ['Likes green tea', 'Likes green tea'].map((content) => ({ role: 'user', content })),
          { userId: 'alice' },
        )
        expect(again.results).toEqual([])
        expect((await m.add('Likes green tea', { userId: 'bob' })).results).toHaveLength(1)
        expect((await m.getAll({ userId: 'alice' })).results).toHaveLength(1)
      })

      it('rejects a missing scope, bad messages, reserved or malformed metadata and bad dates with ValidationError, writing nothing', async () => {
        const m = await open()
        await expect(m.add('x', {})).rejects.toBeInstanceOf(ValidationError)
        await expect(m.add('x', { userId: '' })).rejects.toThrow(/user_?id/i)
        await expect(m.add([], { userId: 'u' })).rejects.toBeInstanceOf(ValidationError)
        await expect(m.add([{ role: 'user' } as never], { userId: 'u' })).rejects.toBeInstanceOf(ValidationError)
        await expect(m.add('x', { userId: 'u', metadata: { hash: 'mine' } })).rejects.toThrow(/reserved/)
        await expect(m.add('x', { userId: 'u', metadata: { 'bad key': 1 } })).rejects.toThrow(/not allowed/)
        await expect(m.add('x', { userId: 'u', expirationDate: '2026-02-30' })).rejects.toThrow(/YYYY-MM-DD/)
        await expect(m.add('x', { userId: 'u', metadata: { hash: 'mine' } })).rejects.toBeInstanceOf(ValidationError)
        expect((await m.getAll({ userId: 'u' })).results).toEqual([])
      })
    })

    describe('search', () => {
      async function seeded(): Promise<MemoryApi> {
        const m = await open()
        await m.add('Alice is allergic to peanuts', { userId: 'alice', metadata: { topic: 'health', priority: 3 } })
        await m.add('Alice works as a nurse in Lyon', { userId: 'alice', metadata: { topic: 'work', priority: 1 } })
        await m.add('Alice plays the cello on Sundays', { userId: 'alice', agentId: 'music', metadata: { topic: 'hobby', priority: 2 } })
        await m.add('Bob is allergic to peanuts too', { userId: 'bob', metadata: { topic: 'health', priority: 3 } })
        return m
      }

      it('finds the relevant memory first, scores descending, never another scope', async () => {
        const m = await seeded()
        const { results } = await m.search('peanuts allergy', { userId: 'alice' })
        expect(results[0]!.memory).toBe('Alice is allergic to peanuts')
        expect(results.every((r) => r.userId === 'alice' && typeof r.score === 'number')).toBe(true)
        for (let i = 1; i < results.length; i++) expect(results[i - 1]!.score!).toBeGreaterThanOrEqual(results[i]!.score!)
        expect((await m.search('peanuts', { userId: 'bob' })).results.map((r) => r.memory)).toEqual(['Bob is allergic to peanuts too'])
      })

      it('honours topK and threshold', async () => {
        const m = await seeded()
        expect((await m.search('Alice', { userId: 'alice', topK: 2 })).results).toHaveLength(2)
        const all = (await m.search('peanuts', { userId: 'alice' })).results
        const threshold = all[0]!.score! - 1e-6
        expect((await m.search('peanuts', { userId: 'alice', threshold })).results).toHaveLength(1)
        await expect(m.search('x', { userId: 'alice', topK: 0 })).rejects.toBeInstanceOf(ValidationError)
      })

      it('narrows the scope by agent and takes scope ids from filters', async () => {
        const m = await seeded()
        expect((await m.search('Alice', { agentId: 'music' })).results.map((r) => r.memory)).toEqual(['Alice plays the cello on Sundays'])
        expect((await m.search('Alice', { userId: 'alice', agentId: 'music' })).results).toHaveLength(1)
        expect((await m.search('peanuts', { filters: { user_id: 'bob' } })).results).toHaveLength(1)
        await expect(m.search('x', { userId: 'alice', filters: { user_id: 'bob' } })).rejects.toThrow(/conflicts/)
        await expect(m.search('x', {})).rejects.toThrow(/user_?id, agent_?id or run_?id/i)
        await expect(m.search('x', { filters: { topic: 'health' } })).rejects.toBeInstanceOf(ValidationError)
      })

      it('filters by metadata and by dates, with the full operator language', async () => {
        const m = await seeded()
        const topics = async (filters: Filter): Promise<string[]> =>
          (await m.search('Alice', { userId: 'alice', filters })).results.map((r) => r.metadata.topic as string).sort()
        expect(await topics({ topic: 'work' })).toEqual(['work'])
        expect(await topics({ priority: { gte: 2, lt: 3 } })).toEqual(['hobby'])
        expect(await topics({ topic: ['work', 'hobby'] })).toEqual(['hobby', 'work'])
        expect(await topics({ NOT: { topic: 'health' } })).toEqual(['hobby', 'work'])
        expect(await topics({ OR: [{ topic: 'work' }, { priority: 3 }] })).toEqual(['health', 'work'])
        expect(await topics({ created_at: { gte: '2000-01-01T00:00:00Z' } })).toHaveLength(3)
        expect(await topics({ created_at: { lt: '2000-01-01' } })).toEqual([])
        await expect(m.search('x', { userId: 'alice', filters: { topic: { like: 'w%' } } })).rejects.toBeInstanceOf(FilterError)
        await expect(m.search('x', { userId: 'alice', filters: { created_at: { gt: 'yesterday' } } })).rejects.toBeInstanceOf(FilterError)
      })
    })

    describe('get, getAll, update, delete, deleteAll, history', () => {
      it('get returns plain JSON items, null for unknown ids', async () => {
        const m = await open()
        const { results } = await m.add('Prefers window seats', { userId: 'u', runId: 'trip-1', expirationDate: '2999-12-31' })
        const item = await m.get(results[0]!.id)
        expect(JSON.parse(JSON.stringify(item))).toEqual(item)
        expect(item).toMatchObject({
          id: results[0]!.id,
          memory: 'Prefers window seats',
          userId: 'u',
          runId: 'trip-1',
          expirationDate: '2999-12-31',
        })
        expect(item!.hash).toMatch(/^[0-9a-f]{64}$/)
        expect(Date.parse(item!.createdAt)).toBeGreaterThan(0)
        expect(item!.score).toBeUndefined()
        expect(item).not.toHaveProperty('agentId')
        expect(await m.get('00000000-0000-4000-8000-000000000000')).toBeNull()
      })

      it('getAll lists the scope newest first, with topK and filters, and takes the scope from filters', async () => {
        const m = await open()
        for (const [i, text] of ['first', 'second', 'third'].entries()) {
          await m.add(text, { userId: 'u', metadata: { i } })
          await tick()
        }
        await m.add('other user', { userId: 'v' })
        expect((await m.getAll({ userId: 'u' })).results.map((r) => r.memory)).toEqual(['third', 'second', 'first'])
        expect((await m.getAll({ userId: 'u', topK: 1 })).results.map((r) => r.memory)).toEqual(['third'])
        expect((await m.getAll({ userId: 'u', filters: { i: { lte: 1 } } })).results.map((r) => r.memory)).toEqual(['second', 'first'])
        expect((await m.getAll({ filters: { user_id: 'v' } })).results.map((r) => r.memory)).toEqual(['other user'])
        await expect(m.getAll({ userId: 'u', filters: { i: { like: 1 } } })).rejects.toBeInstanceOf(FilterError)
        await expect(m.getAll({})).rejects.toBeInstanceOf(ValidationError)
      })

      it('update re-embeds changed text, merges metadata (null removes), keeps createdAt, records history', async () => {
        const m = await open()
        const [added] = (await m.add('Lives in Paris', { userId: 'u', metadata: { city: 'Paris', verified: false } })).results
        const before = (await m.get(added!.id))!
        await tick()
        const updated = await m.update(added!.id, { text: 'Lives in Berlin since 2025', metadata: { city: 'Berlin', verified: null } })
        expect(updated).toMatchObject({
          id: added!.id,
          memory: 'Lives in Berlin since 2025',
          metadata: { city: 'Berlin', role: 'user' },
          createdAt: before.createdAt,
        })
        expect(updated.metadata).not.toHaveProperty('verified')
        expect(updated.updatedAt > before.updatedAt).toBe(true)
        expect(updated.hash).not.toBe(before.hash)
        expect((await m.search('Berlin', { userId: 'u' })).results[0]!.id).toBe(added!.id)
        const textOnly = await m.update(added!.id, 'Lives in Berlin')
        expect(textOnly.metadata.city).toBe('Berlin')
        expect((await m.history(added!.id)).map((h) => [h.event, h.previousValue, h.newValue])).toEqual([
          ['ADD', null, 'Lives in Paris'],
          ['UPDATE', 'Lives in Paris', 'Lives in Berlin since 2025'],
          ['UPDATE', 'Lives in Berlin since 2025', 'Lives in Berlin'],
        ])
        await expect(m.update('missing', 'x')).rejects.toBeInstanceOf(NotFoundError)
        await expect(m.update(added!.id, {})).rejects.toBeInstanceOf(ValidationError)
        await expect(m.update(added!.id, { metadata: { user_id: 'someone-else' } })).rejects.toThrow(/reserved/)
      })

      it('delete removes the memory everywhere and records history; unknown ids are NotFoundError', async () => {
        const m = await open()
        const [a] = (await m.add('Owns a red bicycle', { userId: 'u' })).results
        await m.delete(a!.id)
        expect(await m.get(a!.id)).toBeNull()
        expect((await m.search('bicycle', { userId: 'u' })).results).toEqual([])
        const history = await m.history(a!.id)
        expect(history.map((h) => h.event)).toEqual(['ADD', 'DELETE'])
        expect(history[1]).toMatchObject({ memoryId: a!.id, previousValue: 'Owns a red bicycle', newValue: null })
        expect(Date.parse(history[1]!.createdAt)).toBeGreaterThan(0)
        await expect(m.delete(a!.id)).rejects.toBeInstanceOf(NotFoundError)
        expect(await m.history('00000000-0000-4000-8000-000000000000')).toEqual([])
      })

      it('deleteAll removes exactly one scope and counts', async () => {
        const m = await open()
        await m.add(
          [
            { role: 'user', content: 'one' },
            { role: 'user', content: 'two' },
          ],
          { userId: 'u', runId: 'r1' },
        )
        await m.add('three', { userId: 'u', runId: 'r2' })
        await m.add('four', { userId: 'w' })
        expect(await m.deleteAll({ userId: 'u', runId: 'r1' })).toEqual({ deleted: 2 })
        expect((await m.getAll({ userId: 'u' })).results.map((r) => r.memory)).toEqual(['three'])
        expect(await m.deleteAll({ userId: 'u' })).toEqual({ deleted: 1 })
        expect((await m.getAll({ userId: 'w' })).results).toHaveLength(1)
        await expect(m.deleteAll({})).rejects.toBeInstanceOf(ValidationError)
      })
    })

    it('an expired memory is hidden from search and getAll, get still finds it, and it does not block adding the text again', async () => {
      const m = await open()
      const [old] = (await m.add('Parking spot 12B', { userId: 'u', expirationDate: '2020-01-01' })).results
      await m.add('Parking rules apply', { userId: 'u' })
      expect((await m.search('parking', { userId: 'u' })).results.map((r) => r.memory)).toEqual(['Parking rules apply'])
      expect((await m.getAll({ userId: 'u' })).results.map((r) => r.memory)).toEqual(['Parking rules apply'])
      expect((await m.get(old!.id))!.expirationDate).toBe('2020-01-01')
      expect((await m.add('Parking spot 12B', { userId: 'u' })).results).toHaveLength(1)
    })

    it('a closed memory refuses further calls', async () => {
      const m = await open()
      await m.add('x', { userId: 'u' })
      await m.close()
      await expect(m.search('x', { userId: 'u' })).rejects.toThrow(/closed/)
    })

    it('concurrent adds to one scope lose nothing', async () => {
      const m = await open()
      await Promise.all(Array.from({ length: 24 }, (_, i) => m.add(`fact number ${i}`, { userId: 'u' })))
      expect((await m.getAll({ userId: 'u' })).results).toHaveLength(24)
    })
  })
}
