import { DimensionMismatchError, StorageError, ValidationError } from '../errors.ts'
import { compileFilter } from '../filters/evaluate.ts'
import type { KeyValueStore } from '../interfaces/key-value-store.ts'
import type {
  HashLookupQuery,
  ScoredRecord,
  StoredRecord,
  VectorListPage,
  VectorListQuery,
  VectorRecord,
  VectorSearchQuery,
  VectorStore,
  VectorStoreInit,
} from '../interfaces/vector-store.ts'
import { deletePrefix, getJson, setJson, storageCall } from '../util/kv.ts'
import { decodeListCursor, encodeListCursor } from '../util/list-cursor.ts'
import { KeyedMutex } from '../util/mutex.ts'
import { sleep } from '../util/sleep.ts'
import type { AnnIndexFactory } from './ann-index.ts'
import { exactPartition, partitionMayMatch, partitionOf, type PartitionKey } from './partition-keys.ts'
import { PartitionCache } from './partition-cache.ts'
import { PartitionStorage, WriteConflict, type PartitionState } from './partition-storage.ts'
import { EXACT_PLAN, SearchPlan, type SearchPlanOptions } from './search-plan.ts'
import { toUnitVector } from './vector-math.ts'

export interface LocalVectorStoreOptions {
  /** Provider name reported by the store ('flat', 'hnsw'). */
  name: string
  storage: KeyValueStore
  /** Key prefix of everything this store persists. */
  collection: string
  /** Fixes the dimensionality up front; otherwise taken from init or the first write. */
  dimensions?: number
  /** Graph (ANN) factory for partitions of `plan.graphFrom` records or more; without it no graph is built. */
  ann?: AnnIndexFactory
  /**
   * The search plan's knobs (search-plan.ts, docs/hnsw.md). Default: exact search only (EXACT_PLAN),
   * what `flat` promises; the `hnsw` store passes its approximate plan.
   */
  plan?: SearchPlanOptions
  /** Loaded partitions are evicted (least recently used first) above this many bytes. */
  memoryBudgetBytes?: number
  /** Largest value written (snapshot chunks, log entry parts); defaults below the storage's own limit. */
  chunkBytes?: number
  /**
   * Keyword relevance (BM25 with neighbour context) fused with cosine similarity for queries that carry
   * text; on by default. score = (1 − keywordWeight) · cosine + keywordWeight · bm25 / (bm25 + saturation).
   */
  hybrid?: false | HybridOptions
  /** Compact a partition's log into a snapshot after this many entries (default 256)... */
  compactAfterEntries?: number
  /** ...or once the log holds this many bytes and half the snapshot's size (default 256 KiB). */
  compactAfterBytes?: number
}

export interface HybridOptions {
  /** Share of the score from keyword relevance, 0..1 (default 0.6). */
  keywordWeight?: number
  /** BM25 score at which the keyword part reaches half its weight (default 8). */
  saturation?: number
}
const DEFAULT_KEYWORD_WEIGHT = 0.6
const DEFAULT_SATURATION = 8

const MAX_ID_LENGTH = 256
const MAX_CONFLICT_RETRIES = 16

interface Meta {
  v: 1
  dimensions: number
}

type ListPosition = [part: string, id: string]
const isListPosition = (value: unknown): value is ListPosition =>
  Array.isArray(value) && value.length === 2 && typeof value[0] === 'string' && typeof value[1] === 'string'

/**
 * A vector store held in process memory and persisted through a KeyValueStore, partitioned by scope
 * (see partition-keys.ts) and persisted per partition (see partition-storage.ts). Shared by `flat`
 * (exact search) and `hnsw` (same engine plus an ANN index per partition).
 */
export class LocalVectorStore implements VectorStore {
  readonly name: string
  private dims: number | undefined
  private metaWritten = false
  private readonly persistence: PartitionStorage
  private readonly ann: AnnIndexFactory | undefined
  readonly plan: SearchPlan
  private readonly hybrid: Required<HybridOptions> | undefined
  private readonly compactAfterEntries: number
  private readonly compactAfterBytes: number
  private readonly cache: PartitionCache
  private readonly locks = new KeyedMutex()
  private initialised: Promise<void> | undefined

  constructor(options: LocalVectorStoreOptions) {
    this.name = options.name
    this.dims = options.dimensions
    this.ann = options.ann
    this.plan = new SearchPlan(options.plan ?? EXACT_PLAN, options.ann)
    this.hybrid =
      options.hybrid === false
        ? undefined
        : {
            keywordWeight: options.hybrid?.keywordWeight ?? DEFAULT_KEYWORD_WEIGHT,
            saturation: options.hybrid?.saturation ?? DEFAULT_SATURATION,
          }
    this.compactAfterEntries = options.compactAfterEntries ?? 256
    this.compactAfterBytes = options.compactAfterBytes ?? 256 * 1024
    this.persistence = new PartitionStorage(options.storage, `${options.collection}/vs`, options.chunkBytes)
    this.cache = new PartitionCache(options.memoryBudgetBytes ?? 512 * 1024 * 1024, async (part) => {
      const dims = this.dims
      if (dims === undefined) throw new StorageError(`${this.name} store: dimensions unknown before the first write; call init first`)
      const state = await this.persistence.load(part, dims, this.ann, this.hybrid !== undefined)
      await this.ensureAnn(state)
      return state
    })
  }

  get dimensions(): number | undefined {
    return this.dims
  }

  private get metaKey(): string {
    return `${this.persistence.base}/meta`
  }

  init(options: VectorStoreInit = {}): Promise<void> {
    this.initialised ??= (async () => {
      const meta = await storageCall('reading vector store metadata', () => getJson<Meta>(this.persistence.storage, this.metaKey))
      if (meta) {
        if (this.dims !== undefined && this.dims !== meta.dimensions) {
          throw new DimensionMismatchError(meta.dimensions, this.dims, `${this.name} store "${this.persistence.base}"`)
        }
        this.dims = meta.dimensions
        this.metaWritten = true
      }
    })().catch((err: unknown) => {
      this.initialised = undefined
      throw err
    })
    return this.initialised.then(() => {
      if (options.dimensions !== undefined) this.checkDimensions(options.dimensions, 'embedder output')
    })
  }

  private checkDimensions(actual: number, context: string): number {
    if (this.dims === undefined) this.dims = actual
    else if (this.dims !== actual) throw new DimensionMismatchError(this.dims, actual, `${this.name} store: ${context}`)
    return this.dims
  }

  private async ensureMeta(): Promise<void> {
    if (this.metaWritten || this.dims === undefined) return
    await storageCall('writing vector store metadata', () =>
      setJson(this.persistence.storage, this.metaKey, { v: 1, dimensions: this.dims! }),
    )
    this.metaWritten = true
  }

  private partition(part: PartitionKey): Promise<PartitionState> {
    return this.cache.get(part)
  }

  /**
   * Runs a write against one partition under its lock, loading it first. When another writer of the
   * same storage committed first (WriteConflict), the partition is reloaded and the write re-planned.
   */
  private write<T>(part: PartitionKey, fn: (state: PartitionState) => Promise<T>): Promise<T> {
    return this.locks.run(part, async () => {
      for (let attempt = 1; ; attempt++) {
        const state = await this.partition(part)
        try {
          return await fn(state)
        } catch (err) {
          if (!(err instanceof WriteConflict)) throw err
          this.cache.forget(part)
          if (attempt === MAX_CONFLICT_RETRIES) {
            throw new StorageError(`${this.name} store: ${err.message}, ${attempt} times in a row; giving up`, { cause: err })
          }
          // Randomised exponential backoff, so two writers racing for one partition stop colliding.
          await sleep(Math.random() * Math.min(200, 2 ** attempt))
        }
      }
    })
  }

  async upsert(records: VectorRecord[]): Promise<void> {
    if (records.length === 0) return
    await this.init()
    const byPartition = new Map<PartitionKey, { id: string; payload: VectorRecord['payload']; vector: Float32Array }[]>()
    for (const record of records) {
      if (typeof record.id !== 'string' || record.id.length === 0 || record.id.length > MAX_ID_LENGTH) {
        throw new ValidationError(`record id must be a non-empty string of at most ${MAX_ID_LENGTH} characters`)
      }
      this.checkDimensions(record.vector.length, `record "${record.id}"`)
      const part = partitionOf(record.payload)
      const list = byPartition.get(part) ?? []
      list.push({ id: record.id, payload: structuredClone(record.payload), vector: toUnitVector(record.vector) })
      byPartition.set(part, list)
    }
    await this.ensureMeta()
    const moved = await this.findMoved(byPartition)
    for (const [part, upserts] of byPartition) {
      await this.write(part, async (state) => {
        const isNew = state.nextSeq === 0 && state.head.gen === 0
        const ops = state.partition.plan(upserts, [])
        const newIds = upserts.filter((r) => !state.partition.has(r.id)).map((r) => r.id)
        await this.persistence.append(state, ops, newIds, [], isNew)
        state.partition.apply(ops)
        this.cache.known.add(part)
        await this.ensureAnn(state)
        await this.maybeCompact(state)
      })
    }
    // A record whose scope changed lives on in its old partition until removed there.
    for (const [part, ids] of moved) await this.deleteInPartition(part, ids, false)
  }

  /** Ids being upserted into a different partition than the one holding them now. */
  private async findMoved(byPartition: Map<PartitionKey, { id: string }[]>): Promise<Map<PartitionKey, string[]>> {
    const moved = new Map<PartitionKey, string[]>()
    for (const [part, records] of byPartition) {
      for (const { id } of records) {
        const current = await this.locate(id)
        if (current !== undefined && current !== part) moved.set(current, [...(moved.get(current) ?? []), id])
      }
    }
    return moved
  }

  /** The partition holding `id`: loaded partitions first, then the persisted id pointer. */
  private async locate(id: string): Promise<PartitionKey | undefined> {
    for (const [part, state] of this.cache.entries()) if (state.partition.has(id)) return part
    const pointed = await this.persistence.lookupPartition(id)
    if (pointed === null || this.cache.has(pointed)) return undefined
    const state = await this.partition(pointed)
    return state.partition.has(id) ? pointed : undefined
  }

  /** Partitions get a graph once the plan says so (search-plan.ts `graphFrom`). */
  private async ensureAnn(state: PartitionState): Promise<void> {
    if (this.ann && this.plan.wantsGraph(state.partition)) await state.partition.buildAnn(this.ann)
  }

  private async maybeCompact(state: PartitionState): Promise<void> {
    const tooManyEntries = state.logEntries >= this.compactAfterEntries
    const tooManyBytes = state.logBytes >= Math.max(this.compactAfterBytes, state.segmentBytes / 2)
    // Replaying a record into a graph costs an insertion (~1 ms), far more than into the rows.
    const costlyReplay = this.plan.graphReplayDue(state.partition, state.logRecords)
    if (!tooManyEntries && !tooManyBytes && !costlyReplay) return
    try {
      await this.persistence.compact(state, this.ann)
    } catch (err) {
      // Another writer compacted first: our write stands; reload before the next use.
      if (!(err instanceof WriteConflict)) throw err
      this.cache.forget(state.partition.key)
    }
  }

  async get(ids: string[], options: { includeVectors?: boolean } = {}): Promise<(StoredRecord | null)[]> {
    await this.init()
    if (this.dims === undefined) return ids.map(() => null)
    const out: (StoredRecord | null)[] = []
    for (const id of ids) {
      const part = await this.locate(id)
      const record = part === undefined ? null : (await this.partition(part)).partition.get(id, options.includeVectors === true)
      out.push(record && { ...record, payload: structuredClone(record.payload) })
    }
    return out
  }

  async delete(ids: string[]): Promise<void> {
    await this.init()
    if (this.dims === undefined || ids.length === 0) return
    const byPartition = new Map<PartitionKey, string[]>()
    for (const id of new Set(ids)) {
      const part = await this.locate(id)
      if (part !== undefined) byPartition.set(part, [...(byPartition.get(part) ?? []), id])
    }
    for (const [part, partIds] of byPartition) await this.deleteInPartition(part, partIds, true)
  }

  private async deleteInPartition(part: PartitionKey, ids: string[], dropPointers: boolean): Promise<void> {
    await this.write(part, async (state) => {
      const ops = state.partition.plan([], ids)
      if (ops.length === 0) return
      await this.persistence.append(state, ops, [], dropPointers ? ops.map((op) => op.id) : [], false)
      state.partition.apply(ops)
      await this.maybeCompact(state)
    })
  }

  /** Partitions a query with this scope can match, in key order. */
  private async candidatePartitions(scope: VectorSearchQuery['scope']): Promise<PartitionKey[]> {
    const exact = exactPartition(scope)
    if (exact !== undefined) return [exact]
    const all = new Set([...(await this.persistence.listPartitions()), ...this.cache.known])
    return [...all].filter((part) => partitionMayMatch(part, scope)).sort()
  }

  async search(query: VectorSearchQuery): Promise<ScoredRecord[]> {
    await this.init()
    if (this.dims === undefined || query.topK <= 0) return []
    this.checkDimensions(query.vector.length, 'query vector')
    const unit = toUnitVector(query.vector)
    const predicate = compileFilter(query.filter)
    // Ties rank by partition, then slot: the order every partition's top k uses, so a request for k is
    // the first k of a request for more.
    const hits: { part: number; slot: number; record: ScoredRecord }[] = []
    const parts = await this.candidatePartitions(query.scope)
    for (const [p, part] of parts.entries()) {
      const { partition } = await this.partition(part)
      const accept = (slot: number): boolean => predicate(partition.payloadAt(slot)!)
      const found =
        this.hybrid && query.text?.trim()
          ? this.plan.hybrid(partition, unit, query.text, query.topK, accept, this.hybrid)
          : this.plan.semantic(partition, unit, query.topK, accept)
      for (const { slot, score } of found) {
        hits.push({ part: p, slot, record: { id: partition.idAt(slot)!, payload: structuredClone(partition.payloadAt(slot)!), score } })
      }
    }
    hits.sort((a, b) => b.record.score - a.record.score || a.part - b.part || a.slot - b.slot)
    return hits.slice(0, query.topK).map((hit) => hit.record)
  }

  async list(query: VectorListQuery): Promise<VectorListPage> {
    await this.init()
    if (this.dims === undefined) return { records: [] }
    const predicate = compileFilter(query.filter)
    const limit = Math.max(1, query.limit)
    const [afterPart, afterId] = query.cursor ? decodeListCursor(query.cursor, isListPosition) : ['', '']
    const records: StoredRecord[] = []
    let lastPart = ''
    for (const part of await this.candidatePartitions(query.scope)) {
      if (part < afterPart) continue
      const { partition } = await this.partition(part)
      for (const id of partition.sortedIds()) {
        if (part === afterPart && id <= afterId) continue
        const payload = partition.payloadAt(partition.slotOfId(id)!)!
        if (!predicate(payload)) continue
        // Another match exists beyond a full page: resume after the last record returned.
        if (records.length === limit) return { records, nextCursor: encodeListCursor([lastPart, records[limit - 1]!.id]) }
        records.push({ id, payload: structuredClone(payload) })
        lastPart = part
      }
    }
    return { records }
  }

  /** Content-hash lookups (dedup on every add) use each partition's equality index instead of a scan. */
  async findByHashes(query: HashLookupQuery): Promise<StoredRecord[]> {
    await this.init()
    if (this.dims === undefined || query.hashes.length === 0) return []
    const predicate = compileFilter(query.filter)
    const records: StoredRecord[] = []
    for (const part of await this.candidatePartitions(query.scope)) {
      const { partition } = await this.partition(part)
      for (const slot of partition.slotsWhere('hash', [...new Set(query.hashes)]) ?? []) {
        const payload = partition.payloadAt(slot)!
        if (predicate(payload)) records.push({ id: partition.idAt(slot)!, payload: structuredClone(payload) })
      }
    }
    return records
  }

  async reset(): Promise<void> {
    await this.locks.runAll(async () => {
      this.cache.clear({ known: true })
      await storageCall('resetting vector store', () => deletePrefix(this.persistence.storage, `${this.persistence.base}/`))
      this.metaWritten = false
    })
  }

  /** Snapshots partitions whose graph would otherwise be rebuilt from the log on the next load. */
  async close(): Promise<void> {
    for (const [part, state] of [...this.cache.entries()]) {
      if (state.partition.ann && state.logRecords > 0) await this.locks.run(part, () => this.compactNow(state))
    }
    this.cache.clear()
  }

  private async compactNow(state: PartitionState): Promise<void> {
    try {
      await this.persistence.compact(state, this.ann)
    } catch (err) {
      // Another writer compacted first: the data is safe either way.
      if (!(err instanceof WriteConflict)) throw err
    }
  }
}
