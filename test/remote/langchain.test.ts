import type { Document } from '@langchain/core/documents'
import { FakeEmbeddings, FakeVectorStore } from '@langchain/core/utils/testing'
import { VectorStore as LangChainVectorStore } from '@langchain/core/vectorstores'
import { describe, expect, it } from 'vitest'
import { fromLangChain, LangChainBridgeStore } from '../../adapters/langchain.ts'
import { and, eq, MATCH_ALL } from '../../src/filters/ast.ts'
import { MemoryStorage } from '../../src/providers/storage/memory.ts'
import { describeVectorStoreConformance, randomVector, seeded } from '../conformance/vector-store.ts'
import { uniqueCollection } from './support/fixtures.ts'

// The LangChain bridge over @langchain/core's own test store (FakeVectorStore: in memory, no ids, no
// delete) and over a minimal LangChain VectorStore subclass that replaces by id and deletes.

/** A LangChain VectorStore that keeps documents by the ids it is given (like most real integrations). */
class IdVectorStore extends LangChainVectorStore {
  declare FilterType: never
  readonly rows = new Map<string, { vector: number[]; document: Document }>()
  searches = 0
  _vectorstoreType(): string {
    return 'id-test'
  }
  async addVectors(vectors: number[][], documents: Document[], options?: { ids?: string[] }): Promise<string[]> {
    const ids = options?.ids ?? documents.map((_, i) => String(this.rows.size + i))
    for (const [i, id] of ids.entries()) this.rows.set(id, { vector: vectors[i]!, document: documents[i]! })
    return ids
  }
  async addDocuments(documents: Document[]): Promise<void> {
    await this.addVectors(await this.embeddings.embedDocuments(documents.map((d) => d.pageContent)), documents)
  }
  async similaritySearchVectorWithScore(query: number[], k: number): Promise<[Document, number][]> {
    this.searches++
    const norm = (a: number[]) => Math.sqrt(a.reduce((s, x) => s + x * x, 0)) || 1
    const cosine = (a: number[]) => a.reduce((s, x, i) => s + x * query[i]!, 0) / norm(a) / norm(query)
    return [...this.rows.values()]
      .map((row) => [row.document, cosine(row.vector)] as [Document, number])
      .sort((a, b) => b[1] - a[1])
      .slice(0, k)
  }
  override async delete(params: { ids: string[] }): Promise<void> {
    for (const id of params.ids) this.rows.delete(id)
  }
}

const embeddings = new FakeEmbeddings()

describeVectorStoreConformance(
  'langchain bridge (FakeVectorStore)',
  async () => {
    const lc = new FakeVectorStore(embeddings)
    const catalog = new MemoryStorage()
    const collection = uniqueCollection('lc')
    return {
      store: fromLangChain(lc, { catalog, collection, deletes: false }),
      reopen: async () => fromLangChain(lc, { catalog, collection, deletes: false }),
    }
  },
  { dimensions: 8 },
)

describeVectorStoreConformance(
  'langchain bridge (ids and delete)',
  async () => {
    const lc = new IdVectorStore(embeddings, {})
    const catalog = new MemoryStorage()
    const collection = uniqueCollection('lc')
    return { store: fromLangChain(lc, { catalog, collection }), reopen: async () => fromLangChain(lc, { catalog, collection }) }
  },
  { dimensions: 8 },
)

describe('langchain bridge', () => {
  it('gets candidates from the LangChain store, replaces and deletes there by id, ignores other collections', async () => {
    const lc = new IdVectorStore(embeddings, {})
    const catalog = new MemoryStorage()
    const a = new LangChainBridgeStore(lc, { catalog, collection: 'a' })
    const b = new LangChainBridgeStore(lc, { catalog, collection: 'b' })
    const random = seeded(3)
    const v = () => randomVector(random, 4)
    await a.upsert([{ id: 'x', vector: v(), payload: { user_id: 'u', memory: 'first' } }])
    const query = v()
    await b.upsert([{ id: 'x', vector: query, payload: { user_id: 'u', memory: 'other collection' } }])
    await a.upsert([{ id: 'x', vector: query, payload: { user_id: 'u', memory: 'replaced' } }])
    expect(lc.rows.size).toBe(2)
    const hits = await a.search({ vector: query, topK: 5, filter: and(eq('user_id', 'u')), scope: {} })
    expect(hits.map((h) => [h.id, h.payload.memory])).toEqual([['x', 'replaced']])
    expect(hits[0]!.score).toBeCloseTo(1, 5)
    expect(lc.searches).toBeGreaterThan(0)
    await a.delete(['x'])
    expect(lc.rows.size).toBe(1)
    expect(await a.search({ vector: query, topK: 5, filter: MATCH_ALL, scope: {} })).toEqual([])
    expect((await b.get(['x']))[0]?.payload.memory).toBe('other collection')
  })

  it('falls back to an exact scan of the catalog when the candidate budget runs out', async () => {
    const lc = new IdVectorStore(embeddings, {})
    const store = new LangChainBridgeStore(lc, { catalog: new MemoryStorage(), collection: 'c', maxCandidates: 8 })
    const random = seeded(5)
    const records = Array.from({ length: 40 }, (_, i) => ({
      id: `r${i}`,
      vector: randomVector(random, 4),
      payload: { keep: i % 13 === 0 },
    }))
    await store.upsert(records)
    const query = randomVector(random, 4)
    const hits = await store.search({ vector: query, topK: 3, filter: eq('keep', true), scope: {} })
    expect(hits.map((h) => h.id).sort()).toEqual(['r0', 'r13', 'r26'])
  })
})
