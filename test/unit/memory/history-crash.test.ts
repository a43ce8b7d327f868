import { describe, expect, it } from 'vitest'
import { Memory, MemoryStorage, type HistoryEntry } from '../../../src/index.ts'
import { Crash, CrashingStorage, type Mode } from '../../support/crashing-storage.ts'
import { HashEmbedder } from '../../support/hash-embedder.ts'

/**
 * A process killed between any two storage writes of add, update, delete and deleteAll: after a restart
 * every memory's history ends with its current state (an ADD or UPDATE with its text, or a DELETE for a
 * memory that is gone), every acknowledged change is there, and no history row describes a change that
 * did not land (docs/api.md: "nothing is half-applied", one history entry per change).
 */
const COLLECTION = 'crash'
const memoryOn = (storage: MemoryStorage | CrashingStorage) =>
  new Memory({ embedder: new HashEmbedder(), vectorStore: { provider: 'flat' }, storage, collection: COLLECTION })

interface Acked {
  present: Map<string, string>
  deleted: Set<string>
  /** The change in flight when the process died: it may have landed (fully) or not. */
  inFlight?: { id: string; text: string | null } | { scope: 'u' }
}

/** The script; stops at the first failure (the crash). Returns what was acknowledged. */
async function script(m: Memory): Promise<Acked> {
  const acked: Acked = { present: new Map(), deleted: new Set() }
  try {
    const [a] = (await m.add('plays the cello', { userId: 'u', infer: false })).results
    acked.present.set(a!.id, 'plays the cello')
    const added = (
      await m.add(
        [
          { role: 'user', content: 'lives in Porto' },
          { role: 'user', content: 'likes tea' },
        ],
        { userId: 'u', infer: false },
      )
    ).results
    for (const r of added) acked.present.set(r.id, r.memory)
    acked.inFlight = { id: a!.id, text: 'plays the viola' }
    await m.update(a!.id, 'plays the viola')
    acked.present.set(a!.id, 'plays the viola')
    acked.inFlight = undefined
    await m.update(a!.id, { metadata: { since: 2020 } })
    const b = added[0]!.id
    acked.inFlight = { id: b, text: null }
    await m.delete(b)
    acked.present.delete(b)
    acked.deleted.add(b)
    acked.inFlight = undefined
    await m.add('plays chess', { userId: 'v', infer: false })
    acked.inFlight = { scope: 'u' }
    const { deleted } = await m.deleteAll({ userId: 'u' })
    expect(deleted).toBe(2)
    for (const id of acked.present.keys()) acked.deleted.add(id)
    acked.present.clear()
  } catch (err) {
    if (!(err instanceof Crash) && !(err instanceof Error && err.cause instanceof Crash)) throw err
  }
  return acked
}

async function historyIds(disk: MemoryStorage): Promise<Set<string>> {
  const keys = await disk.list(`${COLLECTION}/history/`)
  return new Set(keys.map((key) => decodeURIComponent(key.slice(`${COLLECTION}/history/`.length).split('/')[0]!)))
}

function lastEvent(entries: HistoryEntry[]): HistoryEntry | undefined {
  return entries.at(-1)
}

for (const mode of ['sequential', 'atomic'] as Mode[]) {
  describe(`Memory killed between any two storage writes (${mode} writes)`, () => {
    it('keeps every memory and its history together, and every acknowledged change', async () => {
      // A clean run counts the writes; then a crash at each of them.
      const clean = new CrashingStorage(new MemoryStorage(), Number.POSITIVE_INFINITY, mode)
      await script(memoryOn(clean))
      const total = clean.writes
      expect(total).toBeGreaterThan(10)
      for (let crashAt = 1; crashAt <= total; crashAt++) {
        const disk = new MemoryStorage()
        const acked = await script(memoryOn(new CrashingStorage(disk, crashAt, mode)))
        const reopened = memoryOn(disk)
        const where = `crash at write ${crashAt} of ${total}`
        const all = [...(await reopened.getAll({ userId: 'u' })).results, ...(await reopened.getAll({ userId: 'v' })).results]
        const present = new Map(all.map((r) => [r.id, r.memory]))
        const inFlight = acked.inFlight
        for (const [id, text] of acked.present) {
          const landed =
            inFlight && ('scope' in inFlight ? !present.has(id) : inFlight.id === id && present.get(id) === (inFlight.text ?? undefined))
          if (!landed) expect(present.get(id), `${where}: acknowledged ${id}`).toBe(text)
        }
        for (const id of acked.deleted) expect(present.has(id), `${where}: acknowledged delete of ${id}`).toBe(false)
        for (const [id, text] of present) {
          const last = lastEvent(await reopened.history(id))
          expect(last?.event === 'ADD' || last?.event === 'UPDATE', `${where}: ${id} present, last history ${last?.event}`).toBe(true)
          expect(last?.newValue, `${where}: ${id}`).toBe(text)
        }
        for (const id of await historyIds(disk)) {
          if (present.has(id)) continue
          expect(lastEvent(await reopened.history(id))?.event, `${where}: ${id} is gone, its history must end with DELETE`).toBe('DELETE')
        }
        expect(await disk.list(`${COLLECTION}/journal/`), `${where}: journal settled`).toEqual([])
        await reopened.close()
      }
    }, 120_000)
  })
}
