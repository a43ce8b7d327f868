import { DimensionMismatchError } from '../../errors.ts'
import type { AnnIndex, AnnSearchResult } from '../ann-index.ts'
import { type HierarchicalNSW, type HnswlibModule, INDEX_DIRECTORY } from './hnswlib-api.ts'
import { decodeSnapshot, encodeSnapshot } from './snapshot.ts'
import { wasmCall } from './wasm-call.ts'
import { WasmVector } from './wasm-vector.ts'

export interface HnswParameters {
  /** Graph degree (hnswlib M): links per node on upper layers, twice that on the base layer. */
  m: number
  /** Candidate list size while inserting: higher builds a better graph, more slowly. */
  efConstruction: number
  /** Candidate list size while searching (at least k is used): higher gives better recall, more slowly. */
  efSearch: number
  /** Seed of hnswlib's level generator, so builds are reproducible. */
  randomSeed: number
}

const MIN_CAPACITY = 16
const MAX_SLOT = 0x7fff_fffe
const EMPTY = -1

let fileCounter = 0
/** A fresh name in the module's in-memory file system for one save or load. */
function scratchFileName(): string {
  fileCounter = (fileCounter + 1) % Number.MAX_SAFE_INTEGER
  return `edgemem-${fileCounter}.bin`
}

/**
 * AnnIndex over hnswlib (WebAssembly) with the inner-product space on unit vectors, so distance is
 * 1 - cosine and scores are cosine similarity.
 *
 * Slots (the partition's row numbers) map to hnswlib labels through two tables. Labels stay dense:
 * removing a slot marks its label deleted and puts it on a free list; the next new slot takes a free
 * label, which is un-deleted and updated in place (hnswlib's updatePoint re-links the element for its
 * new vector, the same repair its own replace_deleted path does), so churn never grows the graph. hnswlib-wasm 0.8.x throws once
 * max_elements is reached even when deleted elements exist, so capacity is grown before a fresh label
 * would exceed it.
 */
export class HnswAnnIndex implements AnnIndex {
  readonly dimensions: number
  readonly parameters: Readonly<HnswParameters>
  private readonly lib: HnswlibModule
  private readonly index: HierarchicalNSW
  private readonly input: WasmVector
  private capacity: number
  /** hnswlib's element count: labels [0, labelCount) exist in the graph, live or deleted. */
  private labelCount: number
  private labelToSlot: Int32Array
  private readonly slotToLabel = new Map<number, number>()
  private readonly freeLabels: number[] = []
  private currentEfSearch: number
  private disposed = false

  private constructor(
    lib: HnswlibModule,
    index: HierarchicalNSW,
    dimensions: number,
    parameters: HnswParameters,
    capacity: number,
    labelToSlot: Int32Array,
    labelCount: number,
  ) {
    this.lib = lib
    this.index = index
    this.dimensions = dimensions
    this.parameters = parameters
    this.capacity = capacity
    this.labelToSlot = labelToSlot
    this.labelCount = labelCount
    this.input = new WasmVector(lib, dimensions)
    this.currentEfSearch = parameters.efSearch
    wasmCall(lib, 'setEfSearch', () => index.setEfSearch(parameters.efSearch))
    for (let label = labelCount - 1; label >= 0; label--) {
      const slot = labelToSlot[label]!
      if (slot === EMPTY) this.freeLabels.push(label)
      else this.slotToLabel.set(slot, label)
    }
  }

  static create(lib: HnswlibModule, dimensions: number, initialCapacity: number, parameters: HnswParameters): HnswAnnIndex {
    checkDimensions(dimensions)
    const capacity = Math.max(MIN_CAPACITY, Math.ceil(initialCapacity) || 0)
    const index = new lib.HierarchicalNSW('ip', dimensions, '')
    try {
      wasmCall(lib, 'initIndex', () => index.initIndex(capacity, parameters.m, parameters.efConstruction, parameters.randomSeed))
    } catch (err) {
      index.delete()
      throw err
    }
    return new HnswAnnIndex(lib, index, dimensions, parameters, capacity, new Int32Array(capacity).fill(EMPTY), 0)
  }

  /** Rebuilds an index from `serialize()` output; throws StorageError when the bytes are unusable. */
  static restore(lib: HnswlibModule, dimensions: number, bytes: Uint8Array, efSearch: number, randomSeed: number): HnswAnnIndex {
    checkDimensions(dimensions)
    const snapshot = decodeSnapshot(bytes, dimensions)
    const capacity = Math.max(snapshot.capacity, snapshot.labelToSlot.length, MIN_CAPACITY)
    const name = scratchFileName()
    const path = `${INDEX_DIRECTORY}/${name}`
    const index = new lib.HierarchicalNSW('ip', dimensions, '')
    try {
      lib.FS.writeFile(path, snapshot.graph)
      wasmCall(lib, 'readIndex', () => index.readIndex(name, capacity))
    } catch (err) {
      index.delete()
      throw err
    } finally {
      lib.FS.unlink(path)
    }
    const labelToSlot = new Int32Array(capacity).fill(EMPTY)
    labelToSlot.set(snapshot.labelToSlot)
    const parameters = { m: snapshot.m, efConstruction: snapshot.efConstruction, efSearch, randomSeed }
    return new HnswAnnIndex(lib, index, dimensions, parameters, capacity, labelToSlot, snapshot.labelToSlot.length)
  }

  get size(): number {
    return this.slotToLabel.size
  }

  /** Candidate list size used by `search`; can be changed at any time. */
  get efSearch(): number {
    return this.currentEfSearch
  }

  set efSearch(ef: number) {
    this.assertUsable()
    if (!Number.isInteger(ef) || ef < 1) throw new RangeError(`efSearch must be a positive integer, got ${ef}`)
    wasmCall(this.lib, 'setEfSearch', () => this.index.setEfSearch(ef))
    this.currentEfSearch = ef
  }

  get memoryBytes(): number {
    // hnswlib (wasm32): per allocated element the base-layer links (2M + 1 words), the vector, the
    // label, its level and lock; per element on average ~1/(M-1) upper-layer link lists; plus our
    // label table and the label-lookup hash node of each element.
    const m = this.parameters.m
    const perAllocated = 4 * (2 * m + 1) + 4 * this.dimensions + 4 + 4 + 8 + 4 + 2
    const perElement = 24 + (4 * (m + 1)) / Math.max(1, m - 1) + 32
    return this.capacity * perAllocated + this.labelCount * perElement
  }

  add(slot: number, vector: Float32Array): void {
    this.assertUsable()
    if (!Number.isInteger(slot) || slot < 0 || slot > MAX_SLOT)
      throw new RangeError(`slot must be an integer in [0, ${MAX_SLOT}], got ${slot}`)
    if (vector.length !== this.dimensions) throw new DimensionMismatchError(this.dimensions, vector.length, 'hnsw index add')
    const existing = this.slotToLabel.get(slot)
    const reused = existing === undefined ? this.freeLabels[this.freeLabels.length - 1] : undefined
    const fresh = existing === undefined && reused === undefined
    const label = existing ?? reused ?? this.labelCount
    // The bindings refuse every addPoint (updates too) once the element count equals max_elements.
    if (this.labelCount >= this.capacity - (fresh ? 1 : 0)) this.grow(this.labelCount + 2)
    const point = this.input.load(vector)
    if (reused !== undefined) {
      // This build enables hnswlib's allow_replace_deleted, under which addPoint refuses a deleted label;
      // un-deleting first turns the call into hnswlib's in-place update of that element.
      wasmCall(this.lib, 'unmarkDelete', () => this.index.unmarkDelete(label))
      try {
        wasmCall(this.lib, 'addPoint', () => this.index.addPoint(point, label, false))
      } catch (err) {
        this.index.markDelete(label)
        throw err
      }
    } else {
      wasmCall(this.lib, 'addPoint', () => this.index.addPoint(point, label, false))
    }
    if (fresh) this.labelCount++
    else if (reused !== undefined) this.freeLabels.pop()
    this.labelToSlot[label] = slot
    this.slotToLabel.set(slot, label)
  }

  remove(slot: number): void {
    this.assertUsable()
    const label = this.slotToLabel.get(slot)
    if (label === undefined) return
    wasmCall(this.lib, 'markDelete', () => this.index.markDelete(label))
    this.slotToLabel.delete(slot)
    this.labelToSlot[label] = EMPTY
    this.freeLabels.push(label)
  }

  search(query: Float32Array, k: number, accept?: (slot: number) => boolean): AnnSearchResult {
    this.assertUsable()
    if (query.length !== this.dimensions) throw new DimensionMismatchError(this.dimensions, query.length, 'hnsw index search')
    const wanted = Math.min(Math.floor(k), this.size)
    if (!(wanted > 0)) return { slots: new Uint32Array(0), scores: new Float64Array(0) }
    const labelToSlot = this.labelToSlot
    // hnswlib asks the filter only about live elements; the label → slot table answers in O(1).
    const filter = accept ? (label: number) => labelToSlot[label] !== EMPTY && accept(labelToSlot[label]!) : undefined
    const point = this.input.load(query)
    const found = wasmCall(this.lib, 'searchKnn', () => this.index.searchKnn(point, wanted, filter))
    const count = found.neighbors.length
    const slots = new Uint32Array(count)
    const scores = new Float64Array(count)
    for (let i = 0; i < count; i++) {
      slots[i] = labelToSlot[found.neighbors[i]!]!
      scores[i] = 1 - found.distances[i]!
    }
    return { slots, scores }
  }

  serialize(): Uint8Array {
    this.assertUsable()
    const name = scratchFileName()
    const path = `${INDEX_DIRECTORY}/${name}`
    let graph: Uint8Array
    try {
      wasmCall(this.lib, 'writeIndex', () => this.index.writeIndex(name))
      graph = this.lib.FS.readFile(path)
    } finally {
      try {
        this.lib.FS.unlink(path)
      } catch {
        // writeIndex failed before creating the file: nothing to remove.
      }
    }
    return encodeSnapshot({
      dimensions: this.dimensions,
      m: this.parameters.m,
      efConstruction: this.parameters.efConstruction,
      capacity: this.capacity,
      labelToSlot: this.labelToSlot.subarray(0, this.labelCount),
      graph,
    })
  }

  dispose(): void {
    if (this.disposed) return
    this.disposed = true
    this.input.dispose()
    this.index.delete()
  }

  /**
   * Grows max_elements ahead of need (1.5x, at least 64 more). hnswlib-wasm 0.8.x throws "maximum
   * number of elements reached" for any addPoint while count == max_elements, deleted elements or not.
   */
  private grow(needed: number): void {
    const capacity = Math.max(needed, Math.ceil(this.capacity * 1.5), this.capacity + 64)
    wasmCall(this.lib, 'resizeIndex', () => this.index.resizeIndex(capacity))
    const labelToSlot = new Int32Array(capacity).fill(EMPTY)
    labelToSlot.set(this.labelToSlot.subarray(0, this.labelCount))
    this.labelToSlot = labelToSlot
    this.capacity = capacity
  }

  private assertUsable(): void {
    if (this.disposed) throw new Error('this hnsw index was disposed')
  }
}

function checkDimensions(dimensions: number): void {
  if (!Number.isInteger(dimensions) || dimensions < 1) throw new RangeError(`dimensions must be a positive integer, got ${dimensions}`)
}
