import type { Payload, StoredRecord } from '../interfaces/vector-store.ts'
import type { AnnIndex } from './ann-index.ts'
import type { RecordOp } from './codec.ts'
import { TopK } from './top-k.ts'
import { dotRow } from './vector-math.ts'

export interface SlotHit {
  slot: number
  score: number
}

/**
 * One scope partition held in memory: records in slots (row i of the vector matrix belongs to slot i),
 * unit-normalised vectors, and an optional ANN accelerator addressed by the same slots. It only
 * changes through `apply`, which replays exactly what the persisted log says, so the state after a
 * reload is identical to the state before it (including slot numbers, which ANN snapshots rely on).
 */
export class Partition {
  readonly key: string
  readonly dimensions: number
  ann: AnnIndex | undefined
  private matrix: Float32Array
  private readonly ids: (string | undefined)[] = []
  private readonly payloads: (Payload | undefined)[] = []
  private readonly payloadBytes: number[] = []
  private readonly slotOf = new Map<string, number>()
  private free: number[] = []
  private payloadTotal = 0

  constructor(key: string, dimensions: number, initialCapacity = 64) {
    this.key = key
    this.dimensions = dimensions
    this.matrix = new Float32Array(Math.max(1, initialCapacity) * dimensions)
  }

  get size(): number {
    return this.slotOf.size
  }

  /** Slots ever used (live or free); the scan range. */
  get slotCount(): number {
    return this.ids.length
  }

  get memoryBytes(): number {
    return this.matrix.byteLength + this.payloadTotal + this.slotOf.size * 64 + (this.ann?.memoryBytes ?? 0)
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
    return this.matrix.slice(slot * this.dimensions, (slot + 1) * this.dimensions)
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

  apply(ops: readonly RecordOp[]): void {
    for (const op of ops) {
      if (op.kind === 'upsert') this.put(op.slot, op.id, op.payload, op.vector)
      else this.remove(op.slot, op.id)
    }
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
    this.ensureCapacity(slot + 1)
    while (this.ids.length <= slot) {
      this.free.push(this.ids.length)
      this.ids.push(undefined)
      this.payloads.push(undefined)
      this.payloadBytes.push(0)
    }
    const freeAt = this.free.lastIndexOf(slot)
    if (freeAt >= 0) this.free.splice(freeAt, 1)
    this.ids[slot] = id
    this.payloadTotal -= this.payloadBytes[slot]!
    this.payloads[slot] = payload
    const bytes = estimatePayloadBytes(payload)
    this.payloadBytes[slot] = bytes
    this.payloadTotal += bytes
    this.slotOf.set(id, slot)
    this.matrix.set(vector, slot * this.dimensions)
    this.ann?.add(slot, vector)
  }

  private remove(slot: number, id: string): void {
    if (this.ids[slot] !== id) return
    this.slotOf.delete(id)
    this.ids[slot] = undefined
    this.payloads[slot] = undefined
    this.payloadTotal -= this.payloadBytes[slot]!
    this.payloadBytes[slot] = 0
    this.matrix.fill(0, slot * this.dimensions, (slot + 1) * this.dimensions)
    this.free.push(slot)
    this.ann?.remove(slot)
  }

  private ensureCapacity(slots: number): void {
    const needed = slots * this.dimensions
    if (needed <= this.matrix.length) return
    const grown = new Float32Array(Math.max(needed, this.matrix.length * 2))
    grown.set(this.matrix)
    this.matrix = grown
  }

  get(id: string, includeVector: boolean): StoredRecord | null {
    const slot = this.slotOf.get(id)
    if (slot === undefined) return null
    const record: StoredRecord = { id, payload: this.payloads[slot]! }
    if (includeVector) record.vector = this.vectorAt(slot)
    return record
  }

  /** Exact cosine search (vectors are unit length) over the slots `accept` lets through. */
  exactSearch(query: Float32Array, k: number, accept: (slot: number) => boolean): SlotHit[] {
    const top = new TopK(k)
    const ids = this.ids
    for (let slot = 0; slot < ids.length; slot++) {
      if (ids[slot] === undefined || !accept(slot)) continue
      const score = dotRow(this.matrix, slot, query)
      if (score > top.threshold) top.push(slot, score)
    }
    return top.sorted().map(({ item, score }) => ({ slot: item, score }))
  }

  /** Live slots passing `accept` (counts up to `limit`, for choosing between ANN and exact search). */
  countAccepted(accept: (slot: number) => boolean, limit = Infinity): number {
    let n = 0
    for (let slot = 0; slot < this.ids.length && n < limit; slot++) if (this.ids[slot] !== undefined && accept(slot)) n++
    return n
  }

  score(slot: number, query: Float32Array): number {
    return dotRow(this.matrix, slot, query)
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

  /** Live ids in ascending order (for stable list pagination). */
  sortedIds(): string[] {
    return [...this.slotOf.keys()].sort()
  }

  slotOfId(id: string): number | undefined {
    return this.slotOf.get(id)
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
    bytes += key.length * 2 + 16 + (typeof value === 'string' ? value.length * 2 : typeof value === 'object' && value !== null ? JSON.stringify(value).length * 2 : 8)
  }
  return bytes
}
