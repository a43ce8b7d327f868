import { decodeJsonLines, encodeJsonLines, Memory, MemoryStorage, type PortableRecord } from '../../src/index.ts'
import { afterEach, describe, expect, it } from '../harness.ts'
import { HashEmbedder } from '../support/hash-embedder.ts'

/**
 * The portable format's round trip, run against every store that runs here: memories written through
 * the API (metadata, expiry, updates and deletes with history) are exported from a reference Memory,
 * imported into the Memory under test, exported again: the same lines (bar the header's time), and a
 * second import changes nothing.
 */

export const PORTABLE_DIMENSIONS = 16

/** The embedder of both sides: a hash embedder with a model id, so exported vectors are reused. */
export function portableEmbedder(): HashEmbedder & { model: string } {
  return Object.assign(new HashEmbedder({ dimensions: PORTABLE_DIMENSIONS }), { model: 'hash-16' })
}

async function collect(records: AsyncIterable<PortableRecord>): Promise<string[]> {
  const lines: string[] = []
  for await (const line of encodeJsonLines(records)) lines.push(line)
  return lines
}

/** The lines of an export as comparable content: the header without its time, the rest sorted. */
function content(lines: string[]): string[] {
  const [header, ...rest] = lines
  const { createdAt: _, ...fixed } = JSON.parse(header!) as Record<string, unknown>
  return [JSON.stringify(fixed), ...rest.sort()]
}

async function seed(memory: Memory): Promise<void> {
  await memory.add('Likes green tea', { userId: 'alice', metadata: { topic: 'food', rank: 2, tags: ['a', 'b'] } })
  await memory.add('Works at the bakery', { userId: 'alice', runId: 'r1', expirationDate: '2031-05-04' })
  const { results } = await memory.add('Plays chess on Sundays', { userId: 'alice' })
  await memory.update(results[0]!.id, { text: 'Plays chess on Saturdays', metadata: { hobby: true } })
  const gone = await memory.add('Lives in Paris', { userId: 'bob' })
  await memory.delete(gone.results[0]!.id)
  await memory.add('Prefers short answers', { agentId: 'planner', metadata: { nested: { deep: [1, { x: null }] } } })
  await memory.add('Unicode: café 😀 日本', { userId: 'bob', agentId: 'planner' })
}

export function describePortableRoundTrip(name: string, make: () => Promise<{ memory: Memory; cleanup?: () => Promise<void> }>): void {
  describe(`portable round trip: ${name}`, () => {
    const cleanups: (() => Promise<void>)[] = []
    afterEach(async () => {
      for (const c of cleanups.splice(0).reverse()) await c()
    })
    const source = async () => {
      const m = new Memory({ embedder: portableEmbedder(), vectorStore: { provider: 'flat' }, storage: new MemoryStorage() })
      cleanups.push(() => m.close())
      await seed(m)
      return m
    }
    const target = async () => {
      const { memory, cleanup } = await make()
      cleanups.push(async () => {
        await memory.close()
        await cleanup?.()
      })
      return memory
    }

    it('export → import → export gives the same content, with and without vectors; a second import changes nothing', async () => {
      const from = await source()
      const original = await collect(from.export({ vectors: true }))
      expect(original.length).toBeGreaterThan(7)
      const to = await target()
      const first = await to.import(decodeJsonLines(original))
      expect(first).toMatchObject({ imported: 5, skipped: 0, overwritten: 0, reembedded: 0 })
      expect(first.history).toBe(6)
      expect(content(await collect(to.export({ vectors: true })))).toEqual(content(original))
      expect(content(await collect(to.export()))).toEqual(content(await collect(from.export())))

      const again = await to.import(decodeJsonLines(original))
      expect(again).toMatchObject({ imported: 0, skipped: 5, overwritten: 0, history: 0 })
      expect(content(await collect(to.export({ vectors: true })))).toEqual(content(original))

      // The imported memories are searchable and scoped as before.
      const { results } = await to.search('green tea', { userId: 'alice', topK: 1 })
      expect(results[0]?.memory).toBe('Likes green tea')
      expect((await to.getAll({ userId: 'bob' })).results.map((r) => r.memory)).toEqual(['Unicode: café 😀 日本'])
    })

    it('a scoped export holds only that scope; without vectors the target embeds the texts', async () => {
      const from = await source()
      const lines = await collect(from.export({ userId: 'alice' }))
      const memories = lines.map((l) => JSON.parse(l) as { type: string; userId?: string }).filter((r) => r.type === 'memory')
      expect(memories).toHaveLength(3)
      expect(memories.every((r) => r.userId === 'alice')).toBe(true)
      const to = await target()
      expect(await to.import(decodeJsonLines(lines))).toMatchObject({ imported: 3, reembedded: 3 })
      expect(content(await collect(to.export({ userId: 'alice', vectors: true })))).toEqual(
        content(await collect(from.export({ userId: 'alice', vectors: true }))),
      )
    })
  })
}
