import {
  compileFilter,
  ConfigError,
  decodeListCursor,
  DimensionMismatchError,
  encodeListCursor,
  type KeyValueStore,
  type Payload,
  type ScoredRecord,
  type StoredRecord,
  ValidationError,
  type VectorListPage,
  type VectorListQuery,
  type VectorRecord,
  type VectorSearchQuery,
  type VectorStore,
  type VectorStoreInit,
} from '../../src/internal.ts'
import { localScore } from '../shared/metric.ts'
import { TRUE } from '../shared/nnf.ts'
import { searchWithPostFilter } from '../shared/post-filter.ts'
import { uuidV5 } from '../shared/uuid-v5.ts'
import { assertUniformDimensions, checkDimensions, toJsonVector } from '../shared/vectors.ts'

/**
 * The part of LangChain.js's `VectorStore` (@langchain/core/vectorstores) the bridge uses, typed
 * structurally so that neither the core nor this module imports LangChain: any LangChain vector store
 * instance fits.
 */
export interface LangChainVectorStoreLike {
  addVectors(
    vectors: number[][],
    documents: { pageContent: string; metadata: Record<string, unknown>; id?: string }[],
    options?: { ids?: string[] },
  ): Promise<unknown>
  similaritySearchVectorWithScore(query: number[], k: number): Promise<[{ metadata: Record<string, unknown> }, number][]>
  delete?(params: { ids: string[] }): Promise<void>
}

export interface LangChainBridgeOptions {
  /**
   * Where the bridge keeps each record's payload and vector, for what LangChain's interface lacks: read by
   * id, listing, replacing, clearing. Any edgemem storage (MemoryStorage, IndexedDB, Workers KV, ...).
   */
  catalog: KeyValueStore
  /** The Memory collection; records of other collections in the same LangChain store are ignored. */
  collection: string
  /** Call the LangChain store's `delete({ids})` on delete/reset (default true; false for stores without it). */
  deletes?: boolean
  /** Most candidates asked from the LangChain store per search before the exact fallback over the catalog (default 1000). */
  maxCandidates?: number
}

/** UUIDv5 namespace of the ids given to the LangChain store (many of its stores accept UUIDs only). */
const ID_NAMESPACE = '0b7e2f4a-6c1d-4e8b-9f3a-2d5c7e9b1a46'
const encoder = new TextEncoder()
const decoder = new TextDecoder()

interface CatalogEntry {
  payload: Payload
  vector: number[]
}

/**
 * edgemem's VectorStore over a LangChain.js vector store. LangChain's interface has only `addVectors`,
 * `similaritySearchVectorWithScore` and (not everywhere) `delete`; its filters and scores differ per
 * store. So the LangChain store serves as the candidate index, and the catalog (an edgemem KeyValueStore)
 * is the source of truth: every candidate is looked up there (deleted and replaced records drop out),
 * re-checked with the reference filter evaluator and re-scored with cosine similarity; get, list and
 * reset read the catalog.
 */
export class LangChainBridgeStore implements VectorStore {
  readonly name = 'langchain'
  private readonly lc: LangChainVectorStoreLike
  private readonly catalog: KeyValueStore
  private readonly namespace: string
  private readonly prefix: string
  private readonly deletes: boolean
  private readonly maxCandidates: number
  private dims: number | undefined
  private loaded = false

  constructor(lc: LangChainVectorStoreLike, options: LangChainBridgeOptions) {
    if (options.collection.length === 0) throw new ConfigError('collection', 'the Memory collection must not be empty')
    this.lc = lc
    this.catalog = options.catalog
    this.namespace = options.collection
    this.prefix = `lc/${encodeURIComponent(options.collection)}/`
    this.deletes = options.deletes ?? true
    this.maxCandidates = options.maxCandidates ?? 1000
  }

  get dimensions(): number | undefined {
    return this.dims
  }

  private recordKey(id: string): string {
    return `${this.prefix}r/${encodeURIComponent(id)}`
  }

  lcId(id: string): string {
    return uuidV5(`${this.namespace}\u0000${id}`, ID_NAMESPACE)
  }

  async init(options: VectorStoreInit = {}): Promise<void> {
    if (!this.loaded) {
      const raw = await this.catalog.get(`${this.prefix}dims`)
      if (raw) this.dims = Number(decoder.decode(raw))
      this.loaded = true
    }
    if (options.dimensions === undefined) return
    if (this.dims === undefined) await this.setDimensions(options.dimensions)
    else if (this.dims !== options.dimensions) throw new DimensionMismatchError(this.dims, options.dimensions, 'LangChain bridge')
  }

  private async setDimensions(dimensions: number): Promise<void> {
    await this.catalog.set(`${this.prefix}dims`, encoder.encode(String(dimensions)))
    this.dims = dimensions
  }

  async upsert(records: VectorRecord[]): Promise<void> {
    if (records.length === 0) return
    await this.init()
    const first = assertUniformDimensions(records, 'upsert')!
    if (this.dims === undefined) await this.setDimensions(first)
    const vectors: number[][] = []
    for (const record of records) {
      if (typeof record.id !== 'string' || record.id.length === 0) throw new ValidationError('record ids must be non-empty strings')
      checkDimensions(this.dims, record.vector, `upsert of "${record.id}"`)
      vectors.push(toJsonVector(record.vector, `record "${record.id}"`))
    }
    const ids = records.map((r) => this.lcId(r.id))
    const documents = records.map((r, i) => ({
      pageContent: typeof r.payload.memory === 'string' ? r.payload.memory : '',
      metadata: { em_id: r.id, em_ns: this.namespace },
      id: ids[i]!,
    }))
    await this.lc.addVectors(vectors, documents, { ids })
    for (const [i, record] of records.entries()) {
      const entry: CatalogEntry = { payload: record.payload, vector: vectors[i]! }
      await this.catalog.set(this.recordKey(record.id), encoder.encode(JSON.stringify(entry)))
    }
  }

  private async entry(id: string): Promise<CatalogEntry | null> {
    const raw = await this.catalog.get(this.recordKey(id))
    return raw ? (JSON.parse(decoder.decode(raw)) as CatalogEntry) : null
  }

  async get(ids: string[], options: { includeVectors?: boolean } = {}): Promise<(StoredRecord | null)[]> {
    return Promise.all(
      ids.map(async (id) => {
        const entry = await this.entry(id)
        if (!entry) return null
        return { id, payload: entry.payload, ...(options.includeVectors ? { vector: Float32Array.from(entry.vector) } : {}) }
      }),
    )
  }

  async search(query: VectorSearchQuery): Promise<ScoredRecord[]> {
    await this.init()
    if (this.dims === undefined) return []
    checkDimensions(this.dims, query.vector, 'search query')
    const vector = toJsonVector(query.vector, 'search query')
    return searchWithPostFilter({
      query,
      // The LangChain store's own filter format differs per integration: candidates are filtered here.
      compiled: { native: TRUE, exact: false },
      maxTopK: this.maxCandidates,
      ask: async (k) => {
        const hits = await this.lc.similaritySearchVectorWithScore(vector, k)
        const found = new Map<string, ScoredRecord>()
        for (const [document] of hits) {
          const id = document.metadata.em_id
          if (document.metadata.em_ns !== this.namespace || typeof id !== 'string' || found.has(id)) continue
          // The catalog is the truth: deleted records drop out, replaced ones are scored by their current vector.
          const entry = await this.entry(id)
          if (entry) found.set(id, { id, payload: entry.payload, score: localScore('cosine', query.vector, entry.vector) })
        }
        return { records: [...found.values()].sort((a, b) => b.score - a.score), candidates: hits.length }
      },
      scan: () => this.scan(query.vector),
    })
  }

  /** Every catalog record of the collection scored locally: the exact fallback when the candidate budget runs out. */
  private async *scan(vector: Float32Array): AsyncIterable<ScoredRecord> {
    for (const id of await this.ids()) {
      const entry = await this.entry(id)
      if (entry) yield { id, payload: entry.payload, score: localScore('cosine', vector, entry.vector) }
    }
  }

  /** The collection's record ids in code-unit order. */
  private async ids(): Promise<string[]> {
    const keys = await this.catalog.list(`${this.prefix}r/`)
    return keys.map((key) => decodeURIComponent(key.slice(this.prefix.length + 2))).sort()
  }

  async list(query: VectorListQuery): Promise<VectorListPage> {
    const after = query.cursor === undefined ? undefined : decodeListCursor(query.cursor, (v): v is string => typeof v === 'string')
    const predicate = compileFilter(query.filter)
    const records: StoredRecord[] = []
    if (query.limit <= 0) return { records, ...(query.cursor !== undefined ? { nextCursor: query.cursor } : {}) }
    const ids = (await this.ids()).filter((id) => after === undefined || id > after)
    for (const [i, id] of ids.entries()) {
      const entry = await this.entry(id)
      if (!entry || !predicate(entry.payload)) continue
      records.push({ id, payload: entry.payload })
      if (records.length === query.limit) return i + 1 < ids.length ? { records, nextCursor: encodeListCursor(id) } : { records }
    }
    return { records }
  }

  async delete(ids: string[]): Promise<void> {
    if (ids.length === 0) return
    for (const id of ids) await this.catalog.delete(this.recordKey(id))
    if (this.deletes && this.lc.delete) await this.lc.delete({ ids: ids.map((id) => this.lcId(id)) })
  }

  /** Removes the collection's records from the catalog (and from the LangChain store when it deletes); dimensions are kept. */
  async reset(): Promise<void> {
    await this.delete(await this.ids())
  }
}
