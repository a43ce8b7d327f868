import { FormatError, Memory, MemoryStorage, type PortableRecord } from '../../../src/index.ts'
import { fromMem0Oss, fromMem0Platform } from '../../../src/portable/importers/index.ts'
import { afterEach, describe, expect, it } from '../../harness.ts'
import { portableEmbedder } from '../../conformance/portable.ts'

const memories: Memory[] = []
function memory(): Memory {
  const m = new Memory({ embedder: portableEmbedder(), vectorStore: { provider: 'flat' }, storage: new MemoryStorage() })
  memories.push(m)
  return m
}
afterEach(async () => {
  await Promise.all(memories.splice(0).map((m) => m.close()))
})

async function drain(records: AsyncIterable<PortableRecord> | Iterable<PortableRecord>): Promise<PortableRecord[]> {
  const out: PortableRecord[] = []
  for await (const r of records) out.push(r)
  return out
}

/** Two memories as mem0's platform answers GET /v1/memories/ (fields from its OpenAPI document). */
const platformMemories = [
  {
    id: '0b0d0c64-3c8f-4a43-9d1a-6f5c3b1e9a01',
    memory: 'Is vegetarian',
    user_id: 'alex',
    agent_id: null,
    app_id: 'cooking-app',
    metadata: { source: 'chat' },
    categories: ['food', 'health'],
    created_at: '2024-07-20T01:30:00.123456-07:00',
    updated_at: '2024-07-21T10:00:00.000000-07:00',
    expiration_date: '2030-01-01',
    structured_attributes: { year: 2024 },
    immutable: false,
  },
  {
    id: '7f3f1f0e-55b4-4f6c-bb1b-2f0a0c3d4e02',
    memory: 'Prefers morning meetings',
    user_id: 'alex',
    metadata: null,
    categories: null,
    created_at: '2024-07-22T08:00:00Z',
    updated_at: '2024-07-22T08:00:00Z',
  },
]

describe('mem0 platform importer', () => {
  it('maps the memories (app_id and categories into metadata, times to UTC ISO, hashes computed) and imports them', async () => {
    const records = await drain(fromMem0Platform({ count: 2, next: null, previous: null, results: platformMemories }))
    expect(records[0]).toMatchObject({ type: 'edgemem-export', version: 1 })
    expect(records[1]).toEqual({
      type: 'memory',
      id: '0b0d0c64-3c8f-4a43-9d1a-6f5c3b1e9a01',
      memory: 'Is vegetarian',
      hash: expect.stringMatching(/^[0-9a-f]{64}$/),
      userId: 'alex',
      metadata: { source: 'chat', app_id: 'cooking-app', categories: ['food', 'health'] },
      createdAt: '2024-07-20T08:30:00.123Z',
      updatedAt: '2024-07-21T17:00:00.000Z',
      expirationDate: '2030-01-01',
    })
    expect(records[2]).toMatchObject({ metadata: {}, createdAt: '2024-07-22T08:00:00.000Z' })
    expect(records[2]).not.toHaveProperty('updatedAt')
    const m = memory()
    expect(await m.import(records)).toMatchObject({ imported: 2, reembedded: 2 })
    expect((await m.get(platformMemories[0]!.id))?.metadata).toEqual({
      source: 'chat',
      app_id: 'cooking-app',
      categories: ['food', 'health'],
    })
    // The same memories as a bare array, or as an export whose schema is a list of memories.
    expect((await drain(fromMem0Platform(platformMemories))).slice(1)).toEqual(records.slice(1))
    expect((await drain(fromMem0Platform({ memories: platformMemories }))).slice(1)).toEqual(records.slice(1))
  })

  it('names the item of a bad memory; refuses shapes that hold no memories', async () => {
    const bad = [platformMemories[1], { ...platformMemories[0], created_at: 'last week' }]
    await expect(drain(fromMem0Platform({ results: bad }))).rejects.toThrow(/results\[1\]\.created_at/)
    const unscoped = [{ ...platformMemories[1], user_id: null }]
    const err = await drain(fromMem0Platform(unscoped)).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(FormatError)
    expect((err as FormatError).field).toBe('[0]')
    await expect(drain(fromMem0Platform({ profile: { name: 'Alex' } }))).rejects.toThrow(/expected mem0 platform memories/)
  })
})

describe('mem0 OSS importer', () => {
  /** mem0 OSS points as a Qdrant scroll returns them: `data` is the text, metadata flattened into the payload. */
  const points = [
    {
      id: 'a1e5c2d4-0000-4000-8000-000000000001',
      vector: Array.from({ length: 16 }, (_, i) => (i % 3) - 1),
      payload: {
        data: 'Likes hiking',
        hash: '5d41402abc4b2a76b9719d911017c592',
        user_id: 'sam',
        created_at: '2025-03-01T12:00:00.000000-08:00',
        updated_at: '2025-03-02T12:00:00.000000-08:00',
        actor_id: 'sam',
        role: 'user',
        mood: 'happy',
      },
    },
  ]
  const history = [
    {
      id: 'h2',
      memory_id: points[0]!.id,
      old_memory: 'Likes walks',
      new_memory: 'Likes hiking',
      event: 'UPDATE',
      created_at: '2025-03-02T12:00:00.000000-08:00',
      updated_at: null,
      is_deleted: 0,
    },
    {
      id: 'h1',
      memory_id: points[0]!.id,
      old_memory: null,
      new_memory: 'Likes walks',
      event: 'ADD',
      created_at: '2025-03-01T12:00:00.000000-08:00',
      updated_at: null,
      is_deleted: 0,
    },
  ]

  it('maps points and history (oldest first after its memory), keeps mem0 hashes, reuses vectors of the same embedder', async () => {
    const embedder = { provider: 'custom', model: 'hash-16', dimensions: 16 }
    const records = await drain(fromMem0Oss(points, history, { embedder }))
    expect(records.map((r) => r.type)).toEqual(['edgemem-export', 'memory', 'history', 'history'])
    expect(records[1]).toMatchObject({
      id: points[0]!.id,
      memory: 'Likes hiking',
      hash: '5d41402abc4b2a76b9719d911017c592',
      userId: 'sam',
      metadata: { mood: 'happy', actor_id: 'sam', role: 'user' },
      createdAt: '2025-03-01T20:00:00.000Z',
      updatedAt: '2025-03-02T20:00:00.000Z',
    })
    expect(records.slice(2).map((r) => (r as { id: string }).id)).toEqual(['h1', 'h2'])
    const m = memory()
    expect(await m.import(records)).toMatchObject({ imported: 1, reembedded: 0, history: 2 })
    expect((await m.history(points[0]!.id)).map((e) => [e.event, e.previousValue, e.newValue])).toEqual([
      ['ADD', null, 'Likes walks'],
      ['UPDATE', 'Likes walks', 'Likes hiking'],
    ])
    expect(await m.import(records)).toMatchObject({ imported: 0, skipped: 1, history: 0 })
  })

  it('names the point or history row at fault', async () => {
    await expect(drain(fromMem0Oss([{ id: 'x', payload: { data: '', user_id: 'u', created_at: '2025-01-01' } }]))).rejects.toThrow(
      /points\[0\]/,
    )
    await expect(drain(fromMem0Oss(points, [{ ...history[0], event: 'MERGE' }]))).rejects.toThrow(/history\[0\]\.event/)
  })
})
