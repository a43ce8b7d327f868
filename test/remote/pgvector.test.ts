import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createPgvectorVectorStore } from '../../adapters/pgvector.ts'
import { ConfigError, DimensionMismatchError, RemoteError } from '../../src/errors.ts'
import { type FilterNode, MATCH_ALL } from '../../src/filters/ast.ts'
import type { Payload } from '../../src/interfaces/vector-store.ts'
import { cosine, describeVectorStoreConformance, randomVector, seeded } from '../conformance/vector-store.ts'
import { startPgliteServer, type PgliteServer } from '../servers/pglite.ts'
import { makeAdapter, uniqueCollection, type ServerUrls } from './support/fixtures.ts'

// The shared vector-store conformance suite against a real Postgres (PGlite + pgvector over loopback).

const DIMENSIONS = 8
let pg: PgliteServer
const urls = (): ServerUrls => ({
  upstash: { url: '', token: '' },
  qdrant: { url: '', apiKey: '' },
  pinecone: { url: '', apiKey: '' },
  pgvector: { connectionString: pg.connectionString },
})

beforeAll(async () => {
  pg = await startPgliteServer()
}, 120_000)
afterAll(async () => {
  await pg?.close()
})

describeVectorStoreConformance(
  'pgvector',
  async () => {
    const collection = uniqueCollection('c')
    return {
      store: makeAdapter('pgvector', urls(), collection),
      reopen: async () => makeAdapter('pgvector', urls(), collection),
    }
  },
  { dimensions: DIMENSIONS },
)

const HOSTILE = [
  "x'); DROP TABLE edgemem_memories; --",
  '"; DELETE FROM edgemem_memories; --',
  '$1',
  "\\' OR 1=1 --",
  "' OR payload IS NOT NULL OR '",
  '{"a":1}',
  'null',
  '\u0000-free? no: \u2028 and emoji 😀',
]

describe('pgvector: SQL is never built from user input', () => {
  it('hostile metadata keys, values, ids and filters are stored, matched and deleted as data', async () => {
    const store = makeAdapter('pgvector', urls(), uniqueCollection("c'); DROP TABLE x; --"))
    const other = makeAdapter('pgvector', urls(), uniqueCollection('bystander'))
    try {
      await store.init({ dimensions: DIMENSIONS })
      await other.upsert([{ id: 'keep', vector: randomVector(seeded(9), DIMENSIONS), payload: { user_id: 'u' } }])
      const records = HOSTILE.filter((s) => !s.includes('\u0000')).map((s, i) => ({
        id: s,
        vector: randomVector(seeded(i + 1), DIMENSIONS),
        payload: { user_id: 'u', [s]: s, tag: [s, 'plain'], n: i } as Payload,
      }))
      await store.upsert(records)
      for (const record of records) {
        const key = record.id
        for (const filter of [
          { op: 'eq', field: key, value: key },
          { op: 'contains', field: 'tag', value: key },
          { op: 'in', field: key, values: [key, "' OR '1'='1"] },
          { op: 'gte', field: key, value: key },
          { op: 'exists', field: key },
        ] as FilterNode[]) {
          const page = await store.list({ filter, scope: {}, limit: 100 })
          expect(page.records.map((r) => r.id)).toEqual([key])
          const hits = await store.search({ vector: record.vector, topK: 5, filter, scope: {} })
          expect(hits.map((r) => r.id)).toEqual([key])
        }
        const negated = await store.list({ filter: { op: 'ne', field: key, value: key }, scope: {}, limit: 100 })
        expect(negated.records.map((r) => r.id).sort()).toEqual(
          records
            .map((r) => r.id)
            .filter((id) => id !== key)
            .sort(),
        )
      }
      expect((await store.get(records.map((r) => r.id))).map((r) => r?.payload)).toEqual(records.map((r) => r.payload))
      await store.delete([records[0]!.id])
      expect(await store.get([records[0]!.id])).toEqual([null])
      // The table, and the other collection's rows in it, are still there.
      expect((await other.get(['keep']))[0]?.id).toBe('keep')
      await store.reset()
      expect((await store.list({ filter: MATCH_ALL, scope: {}, limit: 100 })).records).toEqual([])
      expect((await other.get(['keep']))[0]?.id).toBe('keep')
    } finally {
      await store.close?.()
      await other.close?.()
    }
  }, 60_000)
})

describe('pgvector: metrics and table checks', () => {
  const unit = (v: Float32Array) => {
    const n = Math.hypot(...v)
    return v.map((x) => x / n)
  }
  for (const metric of ['cosine', 'inner_product', 'l2'] as const) {
    it(`${metric}: unit vectors score their cosine similarity, best first`, async () => {
      const store = createPgvectorVectorStore(
        { connectionString: pg.connectionString, table: `m_${metric}`, metric, maxConnections: 1 },
        { collection: 'm' },
      )
      try {
        const random = seeded(21)
        const records = Array.from({ length: 15 }, (_, i) => ({ id: `u${i}`, vector: unit(randomVector(random, 6)), payload: { i } }))
        await store.init({ dimensions: 6 })
        await store.upsert(records)
        const query = unit(randomVector(random, 6))
        const results = await store.search({ vector: query, topK: 15, filter: MATCH_ALL, scope: {} })
        const expected = records.map((r) => ({ id: r.id, score: cosine(r.vector, query) })).sort((a, b) => b.score - a.score)
        expect(results.map((r) => r.id)).toEqual(expected.map((r) => r.id))
        for (const [i, r] of results.entries()) expect(r.score).toBeCloseTo(expected[i]!.score, 5)
        const indexes = await pg.db.query<{ indexdef: string }>(`SELECT indexdef FROM pg_indexes WHERE tablename = 'm_${metric}'`)
        expect(indexes.rows.map((r) => r.indexdef).join('\n')).toMatch(
          new RegExp(`USING hnsw \\(embedding vector_${metric === 'inner_product' ? 'ip' : metric}_ops\\)`),
        )
      } finally {
        await store.close?.()
      }
    }, 60_000)
  }

  it('an existing table of another dimension is refused with DimensionMismatchError', async () => {
    const first = createPgvectorVectorStore(
      { connectionString: pg.connectionString, table: 'dims', maxConnections: 1 },
      { collection: 'a' },
    )
    const second = createPgvectorVectorStore(
      { connectionString: pg.connectionString, table: 'dims', maxConnections: 1 },
      { collection: 'b' },
    )
    try {
      await first.init({ dimensions: 4 })
      await expect(second.init({ dimensions: 5 })).rejects.toBeInstanceOf(DimensionMismatchError)
      expect(second.dimensions).toBe(4)
      await expect(second.upsert([{ id: 'x', vector: new Float32Array(5), payload: {} }])).rejects.toBeInstanceOf(DimensionMismatchError)
    } finally {
      await first.close?.()
      await second.close?.()
    }
  }, 60_000)

  it('a bad connection string is a ConfigError before any connection; an unreachable server is a RemoteError', async () => {
    expect(() => createPgvectorVectorStore({ connectionString: 'http://x' }, { collection: 'a' })).toThrow(ConfigError)
    expect(() => createPgvectorVectorStore({ connectionString: 'postgres://h/db', table: 'x; drop' }, { collection: 'a' })).toThrow(
      ConfigError,
    )
    const store = createPgvectorVectorStore(
      { connectionString: 'postgres://postgres@127.0.0.1:1/postgres', connectTimeoutSeconds: 2, maxConnections: 1 },
      { collection: 'a' },
    )
    try {
      await expect(store.init({ dimensions: 4 })).rejects.toBeInstanceOf(RemoteError)
    } finally {
      await store.close?.()
    }
  }, 30_000)
})
