/** The pure write planning of an add (src/memory/plan.ts): every decision without a store, model or clock. */
import type { StoredRecord } from '../../../src/interfaces/vector-store.ts'
import type { Operation } from '../../../src/memory/infer/parse.ts'
import { buildPayload } from '../../../src/memory/payload.ts'
import {
  memoriesFromMessages,
  planAdditions,
  planInferredWrites,
  resolveOperations,
  revisePayload,
  textsToEmbed,
  type WriteContext,
} from '../../../src/memory/plan.ts'
import { sha256Hex } from '../../../src/util/hash.ts'
import { describe, expect, it } from '../../harness.ts'

const NOW = Date.parse('2026-03-01T12:00:00Z')
const EARLIER = Date.parse('2025-12-24T08:00:00Z')

function context(overrides: Partial<WriteContext> = {}): WriteContext {
  let n = 0
  return {
    scope: { user_id: 'alice' },
    metadata: { source: 'chat' },
    expirationDate: undefined,
    now: NOW,
    newId: () => `id-${++n}`,
    history: true,
    ...overrides,
  }
}

function stored(id: string, text: string, metadata = {}): StoredRecord {
  return {
    id,
    payload: buildPayload({
      text,
      hash: sha256Hex(text),
      scope: { user_id: 'alice', agent_id: 'bot' },
      metadata,
      createdAt: EARLIER,
      updatedAt: EARLIER,
      expirationDate: '2030-01-01',
      thread: { id: 'old-thread', turn: 3 },
    }),
  }
}

const vector = (x: number) => Float32Array.of(x, 1 - x)

describe('memoriesFromMessages (infer: false)', () => {
  it('keeps each text once, at its first turn, with the role and name in metadata unless given', () => {
    const memories = memoriesFromMessages(
      [
        { role: 'user', content: 'Likes tea', name: 'al' },
        { role: 'assistant', content: 'Noted' },
        { role: 'user', content: 'Likes tea' },
      ],
      { topic: 'drinks', role: 'custom' },
    )
    expect(memories).toEqual([
      { text: 'Likes tea', hash: sha256Hex('Likes tea'), metadata: { topic: 'drinks', role: 'custom', name: 'al' }, turn: 0 },
      { text: 'Noted', hash: sha256Hex('Noted'), metadata: { topic: 'drinks', role: 'custom' }, turn: 1 },
    ])
    expect(memoriesFromMessages([{ role: 'assistant', content: 'x' }], {})[0]!.metadata).toEqual({ role: 'assistant' })
  })
})

describe('planAdditions', () => {
  it('creates one memory per text in one new thread, with ids, vectors, history and ADD results', () => {
    const memories = memoriesFromMessages(
      [
        { role: 'user', content: 'a' },
        { role: 'user', content: 'b' },
      ],
      {},
    )
    const { changes, results } = planAdditions(memories, [vector(0.1), vector(0.2)], context({ expirationDate: '2027-01-01' }))
    expect(changes.upserts.map((u) => [u.id, u.payload.memory, u.payload._thread, u.payload._turn])).toEqual([
      ['id-2', 'a', 'id-1', 0],
      ['id-4', 'b', 'id-1', 1],
    ])
    expect(changes.upserts[1]!.vector).toEqual(vector(0.2))
    expect(changes.upserts[0]!.payload).toMatchObject({ user_id: 'alice', created_at: NOW, updated_at: NOW, expiration_date: '2027-01-01' })
    expect(changes.history.map((h) => [h.id, h.memoryId, h.event, h.previousValue, h.newValue])).toEqual([
      ['id-3', 'id-2', 'ADD', null, 'a'],
      ['id-5', 'id-4', 'ADD', null, 'b'],
    ])
    expect(results).toEqual([
      { id: 'id-2', memory: 'a', event: 'ADD' },
      { id: 'id-4', memory: 'b', event: 'ADD' },
    ])
    expect(planAdditions(memories, [vector(0.1), vector(0.2)], context({ history: false })).changes.history).toEqual([])
  })
})

describe('resolveOperations', () => {
  const candidates = new Map([
    ['1', stored('m1', 'Lives in Paris')],
    ['2', stored('m2', 'Has a cat')],
    ['3', stored('m3', 'Is vegetarian')],
  ])

  it('drops repeated adds, no-op updates, adds equal to an update, and NONE', () => {
    const operations: Operation[] = [
      { event: 'ADD', text: 'Plays chess' },
      { event: 'ADD', text: 'Plays chess' },
      { event: 'ADD', text: 'Lives in Berlin' },
      { event: 'UPDATE', ref: '1', text: 'Lives in Berlin' },
      { event: 'UPDATE', ref: '2', text: 'Has a cat' },
      { event: 'DELETE', ref: '3' },
      { event: 'NONE', ref: '2' },
      { event: 'NONE' },
    ]
    const plan = resolveOperations(operations, candidates)
    expect([...plan.adds]).toEqual([[sha256Hex('Plays chess'), 'Plays chess']])
    expect(plan.updates).toEqual([{ record: candidates.get('1'), text: 'Lives in Berlin', hash: sha256Hex('Lives in Berlin') }])
    expect(plan.deletes).toEqual([candidates.get('3')])
    expect(textsToEmbed(plan)).toEqual(['Plays chess', 'Lives in Berlin'])
    expect(resolveOperations([], candidates)).toEqual({ adds: new Map(), updates: [], deletes: [] })
  })

  it('plans the writes: adds, then updates (stored scope, creation, expiry, thread kept; metadata merged), then deletes', () => {
    const plan = resolveOperations(
      [
        { event: 'ADD', text: 'Plays chess' },
        { event: 'UPDATE', ref: '1', text: 'Lives in Berlin' },
        { event: 'DELETE', ref: '3' },
      ],
      new Map([
        ['1', stored('m1', 'Lives in Paris', { source: 'old', mood: 'happy' })],
        ['3', stored('m3', 'Is vegetarian')],
      ]),
    )
    const previous = [stored('m1', 'Lives in Paris'), stored('m3', 'Is vegetarian')]
    const { changes, results } = planInferredWrites(plan, [vector(0.3), vector(0.4)], previous, context())
    expect(results).toEqual([
      { id: 'id-2', memory: 'Plays chess', event: 'ADD' },
      { id: 'm1', memory: 'Lives in Berlin', event: 'UPDATE', previousMemory: 'Lives in Paris' },
      { id: 'm3', memory: 'Is vegetarian', event: 'DELETE' },
    ])
    const [added, updated] = changes.upserts
    expect(added!.payload).toMatchObject({ memory: 'Plays chess', source: 'chat', user_id: 'alice', _thread: 'id-1', _turn: 0 })
    expect(added!.vector).toEqual(vector(0.3))
    expect(updated!.vector).toEqual(vector(0.4))
    expect(updated!.payload).toMatchObject({
      memory: 'Lives in Berlin',
      hash: sha256Hex('Lives in Berlin'),
      user_id: 'alice',
      agent_id: 'bot',
      source: 'chat',
      mood: 'happy',
      created_at: EARLIER,
      updated_at: NOW,
      expiration_date: '2030-01-01',
      _thread: 'old-thread',
      _turn: 3,
    })
    expect(changes.deletes).toEqual(['m3'])
    expect(changes.previous).toBe(previous)
    expect(changes.history.map((h) => [h.memoryId, h.event, h.previousValue, h.newValue])).toEqual([
      ['id-2', 'ADD', null, 'Plays chess'],
      ['m1', 'UPDATE', 'Lives in Paris', 'Lives in Berlin'],
      ['m3', 'DELETE', 'Is vegetarian', null],
    ])
  })
})

describe('revisePayload', () => {
  it('keeps what belongs to the record and takes the new text and metadata', () => {
    const before = stored('m1', 'old', { a: 1 }).payload
    const after = revisePayload(before, { text: 'new', hash: sha256Hex('new'), metadata: { b: 2 }, now: NOW })
    expect(after).toMatchObject({ memory: 'new', b: 2, created_at: EARLIER, updated_at: NOW, agent_id: 'bot', _thread: 'old-thread' })
    expect(after).not.toHaveProperty('a')
  })
})
