import type { Payload, StoredRecord } from '../interfaces/vector-store.ts'
import type { AnnIndex, AnnIndexFactory } from './ann-index.ts'
import type { RecordOp } from './codec.ts'
import { KeywordIndex, type KeywordHit } from './keyword-index.ts'
import { analyze } from './text-analysis.ts'
import { type SlotHit, VectorRows } from './vector-rows.ts'

export type { SlotHit } from './vector-rows.ts'

/** Payload fields with an equality index (value → slots): the content hash, for dedup on add. */
const INDEXED_FIELDS = ['hash'] as const

/**
 * Payload fields the keyword index reads: the text, and the conversation a memory came from with its
 * position in it (memories added together by one `add` call); neighbours within CONTEXT_TURNS lend
 * their words to a memory's keyword document as low-weight context.
 */
export const TEXT_FIELD = 'memory'
export const THREAD_FIELD = '_thread'
export const TURN_FIELD = '_turn'
const CONTEXT_TURNS = 2

/**
 * One scope partition held in memory: records in slots (row i of the vector rows belongs to slot i),
 * unit-normalised vectors (vector-rows.ts: float32 plus the int8 and bit forms of the first passes), an
 * equality index on the content hash, and an optional ANN accelerator addressed by the same slots.
 * It only changes through `apply`, which replays exactly what the persisted log says, so the state
 * after a reload is identical to the state before it (including slot numbers, which ANN snapshots
 * rely on).
 */
export class Partition {
  readonly key: string
  readonly dimensions: number
  ann: AnnIndex | undefined
  private readonly vectors: VectorRows
  private readonly equality = new Map<string, Map<string, Set<number>>>(INDEXED_FIELDS.map((f) => [f, new Map()]))
  private sortedIdCache: string[] | undefined
  /** Keyword index (hybrid search); undefined when the store searches semantically only. */
  keywords: KeywordIndex | undefined
  /** thread → turn → slot, for neighbour context. */
  private readonly threads = new Map<string, Map<number, number>>()
  private pendingRefresh: Set<number> | undefined
  private readonly ids: (string | undefined)[] = []
  private readonly payloads: (Payload | undefined)[] = []
  private readonly payloadBytes: number[] = []
  private readonly slotOf = new Map<string, number>()
  private free: number[] = []
  private payloadTotal = 0

  constructor(key: string, dimensions: number, initialCapacity = 64, options: { keywords?: boolean } = {}) {
    this.key = key
    this.dimensions = dimensions
    if (options.keywords) this.keywords = new KeywordIndex()
    this.vectors = new VectorRows(dimensions, initialCapacity)
  }

  get size(): number {
    return this.slotOf.size
  }

  /** Slots ever used (live or free); the scan range. */
  get slotCount(): number {
    return this.ids.length
  }

  get memoryBytes(): number {
    return (
      this.vectors.byteLength + this.payloadTotal + this.slotOf.size * 64 + (this.ann?.memoryBytes ?? 0) + (this.keywords?.memoryBytes ?? 0)
    )
  }

  has(id: string): boolean {
    return this.slotOf.has(id)
  }

  idAt(slot: number): string | undefined {
    return this.ids[slot]
  }

  payloadAt(slot: number): Payload | undefined {
    return this.payloads[slot]
  }

  vectorAt(slot: number): Float32Array {
    return this.vectors.vectorAt(slot)
  }

  /**
   * Turns writes into ops with slots assigned (existing ids keep theirs, new ids take freed slots
   * first), without changing state: the caller persists the ops, then applies them.
   */
  plan(upserts: { id: string; payload: Payload; vector: Float32Array }[], deletes: string[]): RecordOp[] {
    const ops: RecordOp[] = []
    const free = [...this.free]
    let next = this.ids.length
    const planned = new Map<string, number>()
    for (const record of upserts) {
      let slot = planned.get(record.id) ?? this.slotOf.get(record.id)
      if (slot === undefined) slot = free.length > 0 ? free.pop()! : next++
      planned.set(record.id, slot)
      ops.push({ kind: 'upsert', slot, id: record.id, payload: record.payload, vector: record.vector })
    }
    for (const id of deletes) {
      const slot = planned.get(id) ?? this.slotOf.get(id)
      if (slot === undefined) continue
      planned.delete(id)
      ops.push({ kind: 'delete', slot, id })
    }
    return ops
  }

  /**
   * Applies ops in order. `keywords: false` skips keyword analysis (used while loading a snapshot whose
   * keyword index is restored separately).
   */
  apply(ops: readonly RecordOp[], options: { keywords?: boolean } = {}): void {
    this.pendingRefresh = this.keywords && options.keywords !== false ? new Set() : undefined
    for (const op of ops) {
      if (op.kind === 'upsert') this.put(op.slot, op.id, op.payload, op.vector)
      else this.remove(op.slot, op.id)
    }
    if (this.pendingRefresh) this.keywords!.refresh(this.pendingRefresh, (slot) => this.neighbours(slot))
    this.pendingRefresh = undefined
  }

  /** Adopts a restored keyword index (own terms) and derives every document from it. */
  attachKeywords(index: KeywordIndex): boolean {
    const slots = index.slotsWithTerms()
    if (slots.length !== this.size || slots.some((slot) => this.ids[slot] === undefined)) return false
    index.refresh(slots, (slot) => this.neighbours(slot))
    this.keywords = index
    return true
  }

  /** Builds the keyword index from the records (when no usable snapshot exists). */
  rebuildKeywords(): void {
    const index = new KeywordIndex()
    const live: number[] = []
    for (let slot = 0; slot < this.ids.length; slot++) {
      if (this.ids[slot] === undefined) continue
      const text = this.payloads[slot]![TEXT_FIELD]
      index.setOwn(slot, typeof text === 'string' ? analyze(text) : [])
      live.push(slot)
    }
    index.refresh(live, (slot) => this.neighbours(slot))
    this.keywords = index
  }

  /** Slots of the same thread within CONTEXT_TURNS turns of `slot` (not itself). */
  neighbours(slot: number): number[] {
    const payload = this.payloads[slot]
    const thread = payload?.[THREAD_FIELD]
    const turn = payload?.[TURN_FIELD]
    if (typeof thread !== 'string' || typeof turn !== 'number') return []
    const turns = this.threads.get(thread)
    const out: number[] = []
    for (let t = turn - CONTEXT_TURNS; t <= turn + CONTEXT_TURNS; t++) {
      const other = t === turn ? undefined : turns?.get(t)
      if (other !== undefined) out.push(other)
    }
    return out
  }

  /** Marks the slot and its neighbours for a keyword refresh (their documents include its words). */
  private touchKeywords(slot: number): void {
    if (!this.pendingRefresh) return
    this.pendingRefresh.add(slot)
    for (const neighbour of this.neighbours(slot)) this.pendingRefresh.add(neighbour)
  }

  private linkThread(slot: number, link: boolean): void {
    const payload = this.payloads[slot]
    const thread = payload?.[THREAD_FIELD]
    const turn = payload?.[TURN_FIELD]
    if (typeof thread !== 'string' || typeof turn !== 'number') return
    const turns = this.threads.get(thread)
    if (link) {
      if (turns) turns.set(turn, slot)
      else this.threads.set(thread, new Map([[turn, slot]]))
    } else if (turns?.get(turn) === slot) {
      turns.delete(turn)
      if (turns.size === 0) this.threads.delete(thread)
    }
  }

  keywordSearch(terms: readonly string[], limit: number, accept: (slot: number) => boolean): KeywordHit[] {
    return this.keywords ? this.keywords.search(terms, limit, accept) : []
  }

  /** BM25 of any slot for the analysed query terms (0 without a keyword index or a match); see KeywordIndex.scorer. */
  keywordScorer(terms: readonly string[]): (slot: number) => number {
    return this.keywords ? this.keywords.scorer(terms) : () => 0
  }

  /** Call after replaying a snapshot and log: rebuilds the free-slot list from the holes. */
  finishLoad(): void {
    this.free = []
    for (let slot = this.ids.length - 1; slot >= 0; slot--) if (this.ids[slot] === undefined) this.free.push(slot)
  }

  private put(slot: number, id: string, payload: Payload, vector: Float32Array): void {
    const previousSlot = this.slotOf.get(id)
    if (previousSlot !== undefined && previousSlot !== slot) this.remove(previousSlot, id)
    const occupant = this.ids[slot]
    if (occupant !== undefined && occupant !== id) this.slotOf.delete(occupant)
    while (this.ids.length <= slot) {
      this.free.push(this.ids.length)
      this.ids.push(undefined)
      this.payloads.push(undefined)
      this.payloadBytes.push(0)
    }
    const freeAt = this.free.lastIndexOf(slot)
    if (freeAt >= 0) this.free.splice(freeAt, 1)
    if (this.ids[slot] !== id) this.sortedIdCache = undefined
    this.unindex(slot)
    this.touchKeywords(slot)
    this.linkThread(slot, false)
    this.ids[slot] = id
    this.payloadTotal -= this.payloadBytes[slot]!
    this.payloads[slot] = payload
    this.index(slot)
    this.linkThread(slot, true)
    if (this.pendingRefresh) {
      const text = payload[TEXT_FIELD]
      this.keywords!.setOwn(slot, typeof text === 'string' ? analyze(text) : [])
      this.touchKeywords(slot)
    }
    const bytes = estimatePayloadBytes(payload)
    this.payloadBytes[slot] = bytes
    this.payloadTotal += bytes
    this.slotOf.set(id, slot)
    this.vectors.set(slot, vector)
    this.ann?.add(slot, vector)
  }

  private index(slot: number): void {
    for (const [field, values] of this.equality) {
      const value = this.payloads[slot]![field]
      if (typeof value !== 'string') continue
      const slots = values.get(value)
      if (slots) slots.add(slot)
      else values.set(value, new Set([slot]))
    }
  }

  private unindex(slot: number): void {
    const payload = this.payloads[slot]
    if (!payload) return
    for (const [field, values] of this.equality) {
      const value = payload[field]
      if (typeof value !== 'string') continue
      const slots = values.get(value)
      slots?.delete(slot)
      if (slots?.size === 0) values.delete(value)
    }
  }

  /** Slots whose `field` equals one of `values`, when the field is indexed; undefined otherwise. */
  slotsWhere(field: string, values: readonly unknown[]): number[] | undefined {
    const index = this.equality.get(field)
    if (!index) return undefined
    const out: number[] = []
    for (const value of values) if (typeof value === 'string') out.push(...(index.get(value) ?? []))
    return out
  }

  private remove(slot: number, id: string): void {
    if (this.ids[slot] !== id) return
    this.unindex(slot)
    this.touchKeywords(slot)
    this.linkThread(slot, false)
    this.keywords?.clearOwn(slot)
    this.sortedIdCache = undefined
    this.slotOf.delete(id)
    this.ids[slot] = undefined
    this.payloads[slot] = undefined
    this.payloadTotal -= this.payloadBytes[slot]!
    this.payloadBytes[slot] = 0
    this.vectors.clear(slot)
    this.free.push(slot)
    this.ann?.remove(slot)
  }

  get(id: string, includeVector: boolean): StoredRecord | null {
    const slot = this.slotOf.get(id)
    if (slot === undefined) return null
    const record: StoredRecord = { id, payload: this.payloads[slot]! }
    if (includeVector) record.vector = this.vectorAt(slot)
    return record
  }

  /** Exact top k among the slots `accept` lets through (vector-rows.ts). */
  exactSearch(query: Float32Array, k: number, accept: (slot: number) => boolean): SlotHit[] {
    return this.vectors.exactSearch(query, k, accept)
  }

  /** Approximate top k: a sign-bit first pass, `rescore` nearest rows scored exactly (vector-rows.ts). */
  binarySearch(query: Float32Array, k: number, rescore: number, accept: (slot: number) => boolean): SlotHit[] {
    return this.vectors.binarySearch(query, k, rescore, accept)
  }

  /** Live slots passing `accept` (counts up to `limit`, for choosing between ANN and exact search). */
  countAccepted(accept: (slot: number) => boolean, limit = Infinity): number {
    let n = 0
    for (let slot = 0; slot < this.ids.length && n < limit; slot++) if (this.ids[slot] !== undefined && accept(slot)) n++
    return n
  }

  /** Share of `sample` evenly spaced slots (live ones) that `accept` lets through: a cheap estimate of a filter's selectivity. */
  sampleAccepted(accept: (slot: number) => boolean, sample: number): number {
    const slots = this.ids.length
    const step = Math.max(1, Math.floor(slots / sample))
    let seen = 0
    let passed = 0
    for (let slot = 0; slot < slots; slot += step) {
      if (this.ids[slot] === undefined) continue
      seen++
      if (accept(slot)) passed++
    }
    return seen === 0 ? 0 : passed / seen
  }

  score(slot: number, query: Float32Array): number {
    return this.vectors.score(slot, query)
  }

  /** Live records as upsert ops in slot order: the content of a snapshot segment. */
  snapshotOps(): RecordOp[] {
    const ops: RecordOp[] = []
    for (let slot = 0; slot < this.ids.length; slot++) {
      const id = this.ids[slot]
      if (id !== undefined) ops.push({ kind: 'upsert', slot, id, payload: this.payloads[slot]!, vector: this.vectorAt(slot) })
    }
    return ops
  }

  /** Live ids in ascending order (for stable list pagination); cached until the id set changes. */
  sortedIds(): readonly string[] {
    this.sortedIdCache ??= [...this.slotOf.keys()].sort()
    return this.sortedIdCache
  }

  slotOfId(id: string): number | undefined {
    return this.slotOf.get(id)
  }

  /** Builds an ANN index over the live rows (nothing is persisted: PartitionStorage snapshots it on compaction). */
  async buildAnn(factory: AnnIndexFactory): Promise<void> {
    const index = await factory.create(this.dimensions, Math.max(this.slotCount, 16))
    for (let slot = 0; slot < this.slotCount; slot++) {
      if (this.idAt(slot) !== undefined) index.add(slot, this.vectorAt(slot))
    }
    this.ann = index
  }

  disposeAnn(): void {
    this.ann?.dispose()
    this.ann = undefined
  }
}

function estimatePayloadBytes(payload: Payload): number {
  let bytes = 32
  for (const key in payload) {
    const value = payload[key]
    bytes +=
      key.length * 2 +
      16 +
      (typeof value === 'string' ? value.length * 2 : typeof value === 'object' && value !== null ? JSON.stringify(value).length * 2 : 8)
  }
  return bytes
}
