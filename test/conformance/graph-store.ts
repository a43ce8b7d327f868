// The GraphStore conformance suite: every graph store passes it, in every runtime where it can run.
import { ValidationError } from '../../src/errors.ts'
import type { GraphRelation, GraphScope, GraphStore, GraphWrite } from '../../src/interfaces/graph-store.ts'
import { afterEach, describe, expect, it } from '../harness.ts'

export interface GraphStoreFixture {
  store: GraphStore
  /** Opens the same persisted data again, as a new process would. */
  reopen?: () => Promise<GraphStore>
  cleanup?: () => Promise<void>
}

const ALICE: GraphScope = { user_id: 'alice' }
const BOB: GraphScope = { user_id: 'bob' }
const T0 = '2026-01-01T00:00:00.000Z'
const T1 = '2026-02-01T00:00:00.000Z'

/** A unit vector pointing mostly along axis `axis` (8 dimensions), nudged by `nudge` along the next one. */
function axisVector(axis: number, nudge = 0): Float32Array {
  const v = new Float32Array(8)
  v[axis % 8] = 1
  v[(axis + 1) % 8] = nudge
  return v
}

function write(scope: GraphScope, parts: Partial<GraphWrite>): GraphWrite {
  return { scope, entities: [], relations: [], invalidate: [], ...parts }
}

const triple = (r: Pick<GraphRelation, 'source' | 'relationship' | 'target'>): string => `${r.source} -${r.relationship}-> ${r.target}`

export function describeGraphStoreConformance(label: string, open: () => Promise<GraphStoreFixture>): void {
  describe(`GraphStore conformance: ${label}`, () => {
    let fixture: GraphStoreFixture | undefined
    const opened: GraphStore[] = []
    const start = async (): Promise<GraphStore> => {
      fixture = await open()
      await fixture.store.init?.()
      return fixture.store
    }
    const reopen = async (): Promise<GraphStore | undefined> => {
      if (!fixture?.reopen) return undefined
      const store = await fixture.reopen()
      await store.init?.()
      opened.push(store)
      return store
    }
    afterEach(async () => {
      for (const s of opened.splice(0)) await s.close?.()
      await fixture?.store.close?.()
      await fixture?.cleanup?.()
      fixture = undefined
    })

    it('stores relations with their provenance and reports what was added', async () => {
      const store = await start()
      const result = await store.apply(
        write(ALICE, {
          entities: [{ name: 'Alice', type: 'person', memoryIds: ['m1'] }],
          relations: [{ source: 'Alice', relationship: 'works at', target: 'Acme', memoryIds: ['m1'], validFrom: T0 }],
        }),
      )
      expect(result.entities.map((e) => e.name)).toEqual(['Alice'])
      expect(result.entities[0]!.type).toBe('person')
      expect(result.added.map(triple)).toEqual(['Alice -works_at-> Acme'])
      expect(result.added[0]).toMatchObject({ validFrom: T0, invalidatedAt: null, memoryIds: ['m1'], scope: ALICE })
      const relations = await store.listRelations({ scope: ALICE })
      expect(relations.map(triple)).toEqual(['Alice -works_at-> Acme'])
      expect(relations[0]!.memoryIds).toEqual(['m1'])
      const entities = await store.listEntities({ scope: ALICE })
      expect(entities.map((e) => e.name).sort()).toEqual(['Acme', 'Alice'])
      expect(entities.find((e) => e.name === 'Alice')!.memoryIds).toEqual(['m1'])
    })

    it('resolves names: case, spacing and punctuation variants and near-identical embeddings are one entity', async () => {
      const store = await start()
      await store.apply(write(ALICE, { entities: [{ name: 'Bob Smith', embedding: axisVector(2), memoryIds: ['m1'] }] }))
      const again = await store.apply(
        write(ALICE, {
          entities: [
            { name: 'bob smith', memoryIds: ['m2'] },
            { name: '  BOB_SMITH. ', memoryIds: ['m3'] },
            { name: 'Robert Smith', embedding: axisVector(2, 0.05), memoryIds: ['m4'] },
            { name: 'Carol', embedding: axisVector(5), memoryIds: ['m4'] },
          ],
        }),
      )
      const ids = again.entities.map((e) => e.id)
      expect(new Set(ids.slice(0, 3)).size).toBe(1)
      expect(ids[3]).not.toBe(ids[0])
      const entities = await store.listEntities({ scope: ALICE })
      expect(entities.map((e) => e.name).sort()).toEqual(['Bob Smith', 'Carol'])
      expect(entities.find((e) => e.name === 'Bob Smith')!.memoryIds.sort()).toEqual(['m1', 'm2', 'm3', 'm4'])
      // the same name in another scope is another entity
      const other = await store.apply(write(BOB, { entities: [{ name: 'Bob Smith', memoryIds: ['b1'] }] }))
      expect(other.entities[0]!.id).not.toBe(ids[0])
    })

    it('merges a repeated relation and keeps one edge per triple', async () => {
      const store = await start()
      const fact = { source: 'Alice', relationship: 'likes', target: 'Tea' }
      await store.apply(write(ALICE, { relations: [{ ...fact, memoryIds: ['m1'], validFrom: T0 }] }))
      const second = await store.apply(write(ALICE, { relations: [{ ...fact, source: 'alice', memoryIds: ['m2'], validFrom: T1 }] }))
      expect(second.added).toEqual([])
      const relations = await store.listRelations({ scope: ALICE })
      expect(relations).toHaveLength(1)
      expect(relations[0]!.memoryIds.sort()).toEqual(['m1', 'm2'])
      expect(relations[0]!.validFrom).toBe(T0)
    })

    it('finds the entities a text mentions or a vector resembles, within the scope', async () => {
      const store = await start()
      await store.apply(
        write(ALICE, {
          entities: [
            { name: 'New York', embedding: axisVector(1), memoryIds: ['m1'] },
            { name: 'Paris', embedding: axisVector(3), memoryIds: ['m2'] },
            { name: 'York', embedding: axisVector(6), memoryIds: ['m3'] },
          ],
        }),
      )
      await store.apply(write(BOB, { entities: [{ name: 'Paris', embedding: axisVector(3), memoryIds: ['b1'] }] }))
      const byText = await store.findEntities({ scope: ALICE, text: 'What did I do in new york, last May?', limit: 10 })
      expect(byText.map((e) => e.name).sort()).toEqual(['New York', 'York'])
      expect(byText.every((e) => e.score === 1)).toBe(true)
      const byVector = await store.findEntities({ scope: ALICE, vector: axisVector(3, 0.1), minSimilarity: 0.9, limit: 10 })
      expect(byVector.map((e) => e.name)).toEqual(['Paris'])
      expect(byVector[0]!.scope).toEqual(ALICE)
      expect(byVector[0]!.score).toBeGreaterThan(0.9)
      expect(await store.findEntities({ scope: ALICE, text: 'nothing relevant', limit: 10 })).toEqual([])
      expect((await store.findEntities({ scope: ALICE, text: 'york', limit: 1 })).length).toBe(1)
    })

    it('returns the neighbourhood up to two hops, nearest first, and no further', async () => {
      const store = await start()
      const chain = [
        ['A', 'knows', 'B'],
        ['B', 'knows', 'C'],
        ['C', 'knows', 'D'],
        ['X', 'knows', 'A'],
      ]
      await store.apply(
        write(ALICE, {
          relations: chain.map(([source, relationship, target], i) => ({
            source: source!,
            relationship: relationship!,
            target: target!,
            memoryIds: [`m${i}`],
            validFrom: T0,
          })),
        }),
      )
      const [a] = await store.findEntities({ scope: ALICE, text: 'a', limit: 1 })
      const one = await store.neighbourhood({ scope: ALICE, entityIds: [a!.id], hops: 1, limit: 50 })
      expect(one.map(triple).sort()).toEqual(['A -knows-> B', 'X -knows-> A'])
      expect(one.every((r) => r.hops === 1 && r.fromEntityId === a!.id)).toBe(true)
      const two = await store.neighbourhood({ scope: ALICE, entityIds: [a!.id], hops: 2, limit: 50 })
      expect(two.map(triple).sort()).toEqual(['A -knows-> B', 'B -knows-> C', 'X -knows-> A'])
      expect(two.find((r) => r.source === 'B')!.hops).toBe(2)
      expect(two.at(-1)!.hops).toBe(2)
      expect(await store.neighbourhood({ scope: ALICE, entityIds: [a!.id], hops: 2, limit: 1 })).toHaveLength(1)
      expect(await store.neighbourhood({ scope: BOB, entityIds: [a!.id], hops: 2, limit: 50 })).toEqual([])
      await expect(store.neighbourhood({ scope: ALICE, entityIds: [a!.id], hops: 3, limit: 5 })).rejects.toBeInstanceOf(ValidationError)
    })

    it('invalidates contradicted relations, keeping them as history', async () => {
      const store = await start()
      const first = await store.apply(
        write(ALICE, { relations: [{ source: 'Alice', relationship: 'lives_in', target: 'Paris', memoryIds: ['m1'], validFrom: T0 }] }),
      )
      const old = first.added[0]!
      const second = await store.apply(
        write(ALICE, {
          relations: [{ source: 'Alice', relationship: 'lives_in', target: 'Berlin', memoryIds: ['m2'], validFrom: T1 }],
          invalidate: [{ id: old.id, at: T1 }],
        }),
      )
      expect(second.invalidated.map(triple)).toEqual(['Alice -lives_in-> Paris'])
      expect(second.invalidated[0]!.invalidatedAt).toBe(T1)
      expect((await store.listRelations({ scope: ALICE })).map(triple)).toEqual(['Alice -lives_in-> Berlin'])
      const all = await store.listRelations({ scope: ALICE, includeInvalidated: true })
      expect(all.map((r) => [triple(r), r.invalidatedAt])).toEqual([
        ['Alice -lives_in-> Paris', T1],
        ['Alice -lives_in-> Berlin', null],
      ])
      const [alice] = await store.findEntities({ scope: ALICE, text: 'alice', limit: 1 })
      expect((await store.neighbourhood({ scope: ALICE, entityIds: [alice!.id], hops: 1, limit: 10 })).map(triple)).toEqual([
        'Alice -lives_in-> Berlin',
      ])
      // learning the old fact again creates a new valid relation beside the invalidated one
      const back = await store.apply(
        write(ALICE, { relations: [{ source: 'Alice', relationship: 'lives_in', target: 'Paris', memoryIds: ['m3'], validFrom: T1 }] }),
      )
      expect(back.added).toHaveLength(1)
      expect(back.added[0]!.id).not.toBe(old.id)
    })

    it('rejects bad input with typed errors and writes nothing', async () => {
      const store = await start()
      await store.apply(write(ALICE, { relations: [{ source: 'A', relationship: 'r', target: 'B', memoryIds: ['m1'], validFrom: T0 }] }))
      const before = await store.listRelations({ scope: ALICE, includeInvalidated: true })
      const bad: GraphWrite[] = [
        write(ALICE, {
          relations: [{ source: 'C', relationship: 'r', target: 'D', memoryIds: ['m2'], validFrom: T0 }],
          invalidate: [{ id: 'no-such-relation', at: T1 }],
        }),
        write(ALICE, { relations: [{ source: 'C', relationship: 'r', target: ' ', memoryIds: ['m2'], validFrom: T0 }] }),
        write(ALICE, { relations: [{ source: 'C', relationship: 'r', target: 'D', memoryIds: ['m2'], validFrom: 'yesterday' }] }),
        write(ALICE, { entities: [{ name: 'E', memoryIds: 'm2' as unknown as string[] }] }),
        write({}, { entities: [{ name: 'E', memoryIds: ['m2'] }] }),
      ]
      for (const w of bad) await expect(store.apply(w)).rejects.toBeInstanceOf(ValidationError)
      // another scope's relation cannot be invalidated
      await expect(store.apply(write(BOB, { invalidate: [{ id: before[0]!.id, at: T1 }] }))).rejects.toBeInstanceOf(ValidationError)
      expect(await store.listRelations({ scope: ALICE, includeInvalidated: true })).toEqual(before)
      expect((await store.listEntities({ scope: ALICE })).map((e) => e.name).sort()).toEqual(['A', 'B'])
    })

    it('forgets deleted memories: drops relations only they supported, keeps the rest', async () => {
      const store = await start()
      await store.apply(
        write(ALICE, {
          entities: [{ name: 'Loner', memoryIds: ['m1'] }],
          relations: [
            { source: 'Alice', relationship: 'likes', target: 'Tea', memoryIds: ['m1'], validFrom: T0 },
            { source: 'Alice', relationship: 'owns', target: 'Cat', memoryIds: ['m1', 'm2'], validFrom: T0 },
          ],
        }),
      )
      await store.forgetMemories(ALICE, ['m1'])
      const relations = await store.listRelations({ scope: ALICE })
      expect(relations.map(triple)).toEqual(['Alice -owns-> Cat'])
      expect(relations[0]!.memoryIds).toEqual(['m2'])
      expect((await store.listEntities({ scope: ALICE })).map((e) => e.name).sort()).toEqual(['Alice', 'Cat'])
      await store.forgetMemories(ALICE, ['m2'])
      expect(await store.listRelations({ scope: ALICE, includeInvalidated: true })).toEqual([])
      expect(await store.listEntities({ scope: ALICE })).toEqual([])
    })

    it('keeps scopes apart and deletes by scope', async () => {
      const store = await start()
      const rel = (s: string, t: string, m: string) => ({ source: s, relationship: 'knows', target: t, memoryIds: [m], validFrom: T0 })
      await store.apply(write(ALICE, { relations: [rel('Alice', 'Bob', 'a1')] }))
      await store.apply(write({ user_id: 'alice', agent_id: 'planner' }, { relations: [rel('Alice', 'Dana', 'a2')] }))
      await store.apply(write(BOB, { relations: [rel('Bob', 'Eve', 'b1')] }))
      await store.apply(write({ agent_id: 'planner' }, { relations: [rel('Planner', 'Tool', 'p1')] }))
      expect((await store.listRelations({ scope: ALICE })).map(triple).sort()).toEqual(['Alice -knows-> Bob', 'Alice -knows-> Dana'])
      expect((await store.listRelations({ scope: { user_id: 'alice', agent_id: 'planner' } })).map(triple)).toEqual(['Alice -knows-> Dana'])
      expect((await store.listRelations({ scope: { agent_id: 'planner' } })).map(triple).sort()).toEqual([
        'Alice -knows-> Dana',
        'Planner -knows-> Tool',
      ])
      expect((await store.findEntities({ scope: BOB, text: 'alice and dana', limit: 10 })).length).toBe(0)
      expect(await store.deleteScope({ user_id: 'alice', agent_id: 'planner' })).toBeGreaterThan(0)
      expect((await store.listRelations({ scope: ALICE })).map(triple)).toEqual(['Alice -knows-> Bob'])
      await store.deleteScope(ALICE)
      expect(await store.listRelations({ scope: ALICE })).toEqual([])
      expect(await store.listEntities({ scope: ALICE })).toEqual([])
      expect((await store.listRelations({ scope: BOB })).map(triple)).toEqual(['Bob -knows-> Eve'])
      await expect(store.deleteScope({})).rejects.toBeInstanceOf(ValidationError)
      await store.reset()
      expect(await store.listRelations({ scope: BOB })).toEqual([])
      expect(await store.listRelations({ scope: { agent_id: 'planner' } })).toEqual([])
    })

    it('undoes a write completely', async () => {
      const store = await start()
      const first = await store.apply(
        write(ALICE, { relations: [{ source: 'Alice', relationship: 'lives_in', target: 'Paris', memoryIds: ['m1'], validFrom: T0 }] }),
      )
      const before = await store.listRelations({ scope: ALICE, includeInvalidated: true })
      const entitiesBefore = await store.listEntities({ scope: ALICE })
      const second = await store.apply(
        write(ALICE, {
          entities: [{ name: 'Alice', memoryIds: ['m2'] }],
          relations: [{ source: 'Alice', relationship: 'lives_in', target: 'Rome', memoryIds: ['m2'], validFrom: T1 }],
          invalidate: [{ id: first.added[0]!.id, at: T1 }],
        }),
      )
      await second.undo()
      expect(await store.listRelations({ scope: ALICE, includeInvalidated: true })).toEqual(before)
      const sortByName = <T extends { name: string }>(xs: T[]) => [...xs].sort((a, b) => a.name.localeCompare(b.name))
      expect(sortByName(await store.listEntities({ scope: ALICE }))).toEqual(sortByName(entitiesBefore))
      const again = await reopen()
      if (again) expect(await again.listRelations({ scope: ALICE, includeInvalidated: true })).toEqual(before)
    })

    it('persists: a reopened store sees every acknowledged write, after many writes too', async () => {
      const store = await start()
      for (let i = 0; i < 150; i++) {
        await store.apply(
          write(i % 2 === 0 ? ALICE : BOB, {
            entities: [{ name: `Thing ${i}`, embedding: axisVector(i), memoryIds: [`m${i}`] }],
            relations: [{ source: `Person ${i % 7}`, relationship: 'has', target: `Thing ${i}`, memoryIds: [`m${i}`], validFrom: T0 }],
            invalidate: [],
          }),
        )
      }
      const alice = await store.listRelations({ scope: ALICE })
      await store.forgetMemories(ALICE, ['m0'])
      const again = await reopen()
      if (!again) return
      expect(await again.listRelations({ scope: ALICE })).toEqual(alice.filter((r) => !r.memoryIds.includes('m0')))
      expect((await again.listRelations({ scope: BOB })).length).toBe(75)
      const [thing] = await again.findEntities({ scope: BOB, vector: axisVector(3), minSimilarity: 0.99, limit: 1 })
      expect(thing!.embedding?.length).toBe(8)
      // and it keeps writing where the first left off
      await again.apply(
        write(ALICE, { relations: [{ source: 'Alice', relationship: 'has', target: 'More', memoryIds: ['x'], validFrom: T1 }] }),
      )
      expect((await again.listRelations({ scope: ALICE })).length).toBe(alice.length)
    })
  })
}
