import { Int8Rows } from './int8-rows.ts'
import { BOUND_SLACK, quantize } from './quantized.ts'
import { LazyDescending, TopK } from './top-k.ts'
import { dotRow } from './vector-math.ts'

export interface SlotHit {
  slot: number
  score: number
}

/**
 * A partition's vectors by slot, in three forms: float32 (the source of truth, unit length), int8 with
 * an error bound per row (the provably exact first pass of exact search) and one sign bit per
 * dimension (the first pass of approximate search: Hamming distance by popcount, 1/32 of the float32
 * bytes). The int8 and bit rows are derived from the float32 rows, never persisted.
 */
export class VectorRows {
  readonly dimensions: number
  private matrix: Float32Array
  private readonly int8: Int8Rows
  private readonly bits: Int8Rows
  private scales: Float32Array
  private errors: Float32Array
  private live: Uint8Array
  private used = 0
  private dots: Int32Array = new Int32Array(0)

  constructor(dimensions: number, initialCapacity = 64) {
    this.dimensions = dimensions
    const capacity = Math.max(1, initialCapacity)
    this.matrix = new Float32Array(capacity * dimensions)
    this.int8 = new Int8Rows(dimensions, capacity)
    this.bits = new Int8Rows(Math.ceil(dimensions / 8), capacity, { kernel: 'hamming' })
    this.scales = new Float32Array(capacity)
    this.errors = new Float32Array(capacity)
    this.live = new Uint8Array(capacity)
  }

  /** Slots ever used (live or cleared): the scan range. */
  get slotCount(): number {
    return this.used
  }

  get byteLength(): number {
    return this.matrix.byteLength + this.int8.byteLength + this.bits.byteLength + this.scales.byteLength * 3
  }

  private get capacity(): number {
    return this.live.length
  }

  set(slot: number, vector: Float32Array): void {
    this.ensureCapacity(slot + 1)
    this.used = Math.max(this.used, slot + 1)
    this.matrix.set(vector, slot * this.dimensions)
    const q = quantize(vector, this.int8.row(slot))
    this.scales[slot] = q.scale
    this.errors[slot] = q.error
    signBits(vector, this.bits.row(slot))
    this.live[slot] = 1
  }

  clear(slot: number): void {
    if (slot >= this.used) return
    this.matrix.fill(0, slot * this.dimensions, (slot + 1) * this.dimensions)
    this.int8.clear(slot)
    this.bits.clear(slot)
    this.scales[slot] = 0
    this.errors[slot] = 0
    this.live[slot] = 0
  }

  vectorAt(slot: number): Float32Array {
    return this.matrix.slice(slot * this.dimensions, (slot + 1) * this.dimensions)
  }

  score(slot: number, query: Float32Array): number {
    return dotRow(this.matrix, slot, query)
  }

  private ensureCapacity(slots: number): void {
    if (slots <= this.capacity) return
    const rows = Math.max(slots, this.capacity * 2)
    const matrix = new Float32Array(rows * this.dimensions)
    matrix.set(this.matrix)
    this.matrix = matrix
    this.int8.ensureCapacity(rows)
    this.bits.ensureCapacity(rows)
    const grow = <T extends Float32Array | Uint8Array>(old: T, next: T): T => {
      next.set(old)
      return next
    }
    this.scales = grow(this.scales, new Float32Array(rows))
    this.errors = grow(this.errors, new Float32Array(rows))
    this.live = grow(this.live, new Uint8Array(rows))
  }

  private scratch(rows: number): Int32Array {
    if (this.dots.length < rows) this.dots = new Int32Array(this.capacity)
    return this.dots
  }

  /**
   * Exact cosine search (vectors are unit length) over the live slots `accept` lets through. An int8
   * pass bounds every row's score; rows are then visited best bound first, filtered and scored in
   * float32, until the k-th exact score beats every remaining bound. Same result as scoring every row
   * in float32, but the filter runs on few rows and most rows cost a quarter of the memory traffic.
   */
  exactSearch(query: Float32Array, k: number, accept: (slot: number) => boolean): SlotHit[] {
    const rows = this.used
    if (rows === 0 || k <= 0) return []
    const q = quantize(query)
    const dots = this.scratch(rows)
    this.int8.dots(q.values, rows, dots)
    const bounds = new Float64Array(rows)
    const live: number[] = []
    for (let slot = 0; slot < rows; slot++) {
      if (this.live[slot] === 0) continue
      const e = this.errors[slot]!
      bounds[slot] = this.scales[slot]! * q.scale * dots[slot]! + e + q.error + e * q.error + BOUND_SLACK
      live.push(slot)
    }
    const pending = new LazyDescending(live, bounds, Math.max(4 * k, 64))
    const top = new TopK(k)
    while (pending.size > 0) {
      if (top.size === k && pending.peekKey() <= top.threshold) break
      const slot = pending.pop()
      if (!accept(slot)) continue
      top.push(slot, dotRow(this.matrix, slot, query))
    }
    return top.sorted().map(({ item, score }) => ({ slot: item, score }))
  }

  /**
   * Approximate search: the Hamming distance of every row's sign bits to the query's (one popcount
   * pass over 1 bit per dimension), then the `rescore` nearest accepted rows scored exactly in float32,
   * best k returned. Exact scores; recall depends on `rescore` (measured in docs/hnsw.md).
   */
  binarySearch(query: Float32Array, k: number, rescore: number, accept: (slot: number) => boolean): SlotHit[] {
    const rows = this.used
    if (rows === 0 || k <= 0) return []
    const distances = this.scratch(rows)
    this.bits.dots(signBits(query, new Int8Array(this.bits.dimensions)), rows, distances)
    const histogram = new Int32Array(this.bits.dimensions * 8 + 1)
    for (let slot = 0; slot < rows; slot++) if (this.live[slot] !== 0) histogram[distances[slot]!]!++
    const wanted = Math.max(k, rescore)
    const top = new TopK(k)
    let accepted = 0
    // Widen the distance cut-off until `wanted` accepted rows are scored (a filter may reject some).
    for (let cut = -1, scored = -1; accepted < wanted && cut < histogram.length - 1; scored = cut) {
      for (let reach = 0; cut < histogram.length - 1 && reach < wanted - accepted; ) reach += histogram[++cut]!
      for (let slot = 0; slot < rows; slot++) {
        const d = distances[slot]!
        if (d <= scored || d > cut || this.live[slot] === 0 || !accept(slot)) continue
        accepted++
        top.push(slot, dotRow(this.matrix, slot, query))
      }
    }
    return top.sorted().map(({ item, score }) => ({ slot: item, score }))
  }
}

/** Bit i of `into` (little-endian within bytes) is set where vector[i] > 0. */
function signBits(vector: Float32Array, into: Int8Array): Int8Array {
  into.fill(0)
  for (let i = 0; i < vector.length; i++) if (vector[i]! > 0) into[i >> 3]! |= 1 << (i & 7)
  return into
}
