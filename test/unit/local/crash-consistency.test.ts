import { describe, expect, it } from 'vitest'
import { and } from '../../../src/filters/ast.ts'
import type { Payload, VectorRecord } from '../../../src/interfaces/vector-store.ts'
import { LocalVectorStore } from '../../../src/local/local-vector-store.ts'
import type { KeyValueStore } from '../../../src/interfaces/key-value-store.ts'
import { MemoryStorage } from '../../../src/providers/storage/memory.ts'
import { randomVector, seeded } from '../../conformance/vector-store.ts'
import { CrashingStorage } from '../../support/crashing-storage.ts'

const DIMS = 16
type Op = { upsert: VectorRecord[] } | { delete: string[] }

function rec(id: string, user: string, version: number): VectorRecord {
  const random = seeded(id.length * 1000 + id.charCodeAt(id.length - 1) * 10 + version)
  const payload: Payload = { user_id: user, memory: `${id} v${version}`, v: version }
  return { id, vector: randomVector(random, DIMS), payload }
}

/** A workload that exercises multi-part log entries, chunked snapshots and several compactions. */
const workload: Op[] = [
  { upsert: ['a1', 'a2', 'a3', 'a4', 'a5'].map((id) => rec(id, 'alice', 1)) },
  { upsert: ['b1', 'b2', 'b3'].map((id) => rec(id, 'bob', 1)) },
  { delete: ['a2'] },
  { upsert: [rec('a1', 'alice', 2)] },
  { upsert: Array.from({ length: 40 }, (_, i) => rec(`big${i}`, 'alice', 1)) },
  { delete: ['a3', 'b1', 'big7'] },
  { upsert: [rec('a2', 'alice', 3), rec('b2', 'bob', 2)] },
  { upsert: Array.from({ length: 12 }, (_, i) => rec(`c${i}`, 'carol', 1)) },
  { delete: ['big0', 'big1', 'c3'] },
  { upsert: [rec('a5', 'alice', 4), rec('c4', 'carol', 2)] },
]

function applyTo(state: Map<string, Payload>, op: Op): Map<string, Payload> {
  const next = new Map(state)
  if ('upsert' in op) for (const r of op.upsert) next.set(r.id, r.payload)
  else for (const id of op.delete) next.delete(id)
  return next
}

function open(storage: KeyValueStore): LocalVectorStore {
  return new LocalVectorStore({
    name: 'flat',
    storage,
    collection: 'crash',
    chunkBytes: 2048,
    compactAfterEntries: 3,
    compactAfterBytes: 1,
  })
}

async function snapshot(store: LocalVectorStore): Promise<Map<string, Payload>> {
  const out = new Map<string, Payload>()
  let cursor: string | undefined
  do {
    const page = await store.list({ filter: and(), scope: {}, limit: 25, cursor })
    for (const r of page.records) out.set(r.id, r.payload)
    cursor = page.nextCursor
  } while (cursor)
  return out
}

const sorted = (m: Map<string, Payload>): [string, Payload][] => [...m.entries()].sort(([a], [b]) => (a < b ? -1 : 1))

for (const mode of ['sequential', 'atomic', 'conditional'] as const) {
  describe(`crash between any two storage writes (${mode} writes)`, () => {
    it('loses no acknowledged write, applies the interrupted one fully or not at all, and always reloads', async () => {
      let crashAt = 1
      let crashesSeen = 0
      for (;;) {
        const disk = new MemoryStorage()
        const storage = new CrashingStorage(disk, crashAt, mode)
        const store = open(storage)
        await store.init({ dimensions: DIMS })
        let acknowledged = new Map<string, Payload>()
        let inFlight: Map<string, Payload> | undefined
        for (const op of workload) {
          const after = applyTo(acknowledged, op)
          try {
            if ('upsert' in op) await store.upsert(op.upsert)
            else await store.delete(op.delete)
          } catch (err) {
            expect(storage.crashed).toBe(true)
            expect(String(err)).toMatch(/crash|dead/)
            inFlight = after
            break
          }
          acknowledged = after
        }
        if (!storage.crashed) break // the workload finished: every write position was tried
        crashesSeen++

        // A new process opens what reached the disk.
        const reopened = open(disk)
        await reopened.init({ dimensions: DIMS })
        const found = sorted(await snapshot(reopened))
        // Atomicity is per partition (one scope's write batch is one log entry): within each partition
        // the interrupted operation is all there or not at all; acknowledged writes are all there.
        const byUser = new Map<string, 'before' | 'after' | 'both'>()
        const foundMap = new Map(found)
        for (const id of new Set([...acknowledged.keys(), ...inFlight!.keys(), ...foundMap.keys()])) {
          const before = acknowledged.get(id)
          const after = inFlight!.get(id)
          const now = foundMap.get(id)
          const user = String((before ?? after ?? now)!.user_id)
          const matches =
            JSON.stringify(now) === JSON.stringify(before)
              ? JSON.stringify(now) === JSON.stringify(after)
                ? 'both'
                : 'before'
              : JSON.stringify(now) === JSON.stringify(after)
                ? 'after'
                : undefined
          expect(matches, `crash at write ${crashAt}: ${id} is ${JSON.stringify(now)}, neither before nor after`).toBeDefined()
          if (matches === 'both') continue
          const seen = byUser.get(user)
          expect(seen === undefined || seen === matches, `crash at write ${crashAt}: partition of ${user} is half-applied`).toBe(true)
          byUser.set(user, matches!)
        }
        const expected = new Map(found)
        for (const [id, payload] of expected)
          expect((await reopened.get([id]))[0]?.payload, `get ${id} after crash ${crashAt}`).toEqual(payload)
        const hits = await reopened.search({
          vector: randomVector(seeded(crashAt), DIMS),
          topK: 5,
          filter: and(),
          scope: { user_id: 'alice' },
        })
        for (const hit of hits) expect(expected.get(hit.id)).toEqual(hit.payload)

        // The reopened store keeps working, and its writes survive another reload.
        await reopened.upsert([rec('after', 'alice', 9)])
        await reopened.delete(['a1'])
        const again = open(disk)
        await again.init({ dimensions: DIMS })
        const finalState = await snapshot(again)
        expect(finalState.get('after')).toEqual(rec('after', 'alice', 9).payload)
        expect(finalState.has('a1')).toBe(false)
        expect(finalState.size).toBe(expected.size + 1 - (expected.has('a1') ? 1 : 0))
        crashAt++
      }
      expect(crashesSeen).toBeGreaterThan(mode === 'sequential' ? 60 : 20)
    }, 120_000)
  })
}

describe('values never exceed the storage limit', () => {
  it('splits large write batches and snapshots below maxValueBytes', async () => {
    const disk = new MemoryStorage()
    const sizes: number[] = []
    const limited: KeyValueStore = {
      name: 'limited',
      maxValueBytes: 4096,
      get: (k) => disk.get(k),
      list: (p) => disk.list(p),
      delete: (k) => disk.delete(k),
      set: async (k, v) => {
        if (v.byteLength > 4096) throw new Error(`value of ${v.byteLength} bytes exceeds the limit`)
        sizes.push(v.byteLength)
        return disk.set(k, v)
      },
    }
    const store = new LocalVectorStore({ name: 'flat', storage: limited, collection: 'limit', compactAfterEntries: 2 })
    await store.init({ dimensions: 64 })
    const random = seeded(1)
    const records = Array.from({ length: 300 }, (_, i) => ({
      id: `r${i}`,
      vector: randomVector(random, 64),
      payload: { user_id: 'u', memory: 'x'.repeat(50) },
    }))
    await store.upsert(records.slice(0, 150))
    await store.upsert(records.slice(150))
    await store.upsert([records[0]!])
    expect(Math.max(...sizes)).toBeLessThanOrEqual(4096)
    const reopened = new LocalVectorStore({ name: 'flat', storage: limited, collection: 'limit' })
    await reopened.init({ dimensions: 64 })
    const hits = await reopened.search({ vector: records[123]!.vector, topK: 1, filter: and(), scope: { user_id: 'u' } })
    expect(hits[0]!.id).toBe('r123')
    expect((await snapshot(reopened)).size).toBe(300)
  })
})
