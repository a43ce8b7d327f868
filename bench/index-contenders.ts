/**
 * The indexes compared by bench/index.bench.ts, behind one small interface. All use inner product on
 * unit vectors with M, efConstruction and the level seed equal, so their graphs are built the same way.
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs'
import { createRequire } from 'node:module'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createHnswIndexFactory, type HnswAnnIndex } from '../src/local/hnsw/index.ts'

export interface GraphParams {
  m: number
  efConstruction: number
  seed: number
}

export interface Contender {
  readonly name: string
  /** Adds every vector one by one, the way a memory store grows. */
  build(vectors: Float32Array[]): Promise<void>
  /** Time spent adding, when the contender excludes input conversion from it. */
  buildMs?(): number
  setEf(ef: number): void
  /** Converts a query to the input type the library takes (done before timing). */
  prepareQuery?(query: Float32Array): unknown
  search(query: never, k: number): ArrayLike<number>
  /** Serialized size in bytes, when the library can serialize here. */
  serializedBytes(): number | undefined
  /** Milliseconds to load the serialized index back from bytes (or a file), when measured. */
  reloadMs(): Promise<number | undefined>
  dispose(): void
}

/** edgemem's AnnIndex: hnswlib-wasm-static 0.8.5 with edgemem's SIMD patch and typed-array input. */
export function edgememHnsw(params: GraphParams): Contender {
  const factory = createHnswIndexFactory({ m: params.m, efConstruction: params.efConstruction, randomSeed: params.seed })
  let index: HnswAnnIndex | undefined
  let bytes: Uint8Array | undefined
  return {
    name: 'edgemem hnsw (wasm, SIMD patch)',
    async build(vectors) {
      index = await factory.create(vectors[0]!.length, vectors.length)
      vectors.forEach((v, slot) => {
        index!.add(slot, v)
      })
    },
    setEf: (ef) => (index!.efSearch = ef),
    search: (q, k) => index!.search(q, k).slots,
    serializedBytes() {
      bytes ??= index!.serialize()
      return bytes.byteLength
    },
    async reloadMs() {
      bytes ??= index!.serialize()
      let best = Number.POSITIVE_INFINITY
      for (let attempt = 0; attempt < 3; attempt++) {
        const started = performance.now()
        const restored = await factory.restore(index!.dimensions, bytes)
        best = Math.min(best, performance.now() - started)
        restored.dispose()
      }
      return best
    },
    dispose: () => index?.dispose(),
  }
}

/** hnswlib-node 3.0: the same C++ library compiled natively (SSE), the reference. */
export function nativeHnsw(params: GraphParams): Contender {
  const require = createRequire(import.meta.url)
  const { HierarchicalNSW } = require('hnswlib-node') as typeof import('hnswlib-node')
  let index: InstanceType<typeof HierarchicalNSW> | undefined
  let dimensions = 0
  let buildMs = 0
  let saved: { bytes: number; reloadMs: number } | undefined
  return {
    name: 'hnswlib-node 3.0 (native)',
    async build(vectors) {
      dimensions = vectors[0]!.length
      // Its binding takes plain arrays only: converted before timing, so it is not charged for that.
      const arrays = vectors.map((v) => Array.from(v))
      index = new HierarchicalNSW('ip', dimensions)
      index.initIndex(vectors.length, params.m, params.efConstruction, params.seed)
      const started = performance.now()
      arrays.forEach((v, label) => {
        index!.addPoint(v, label)
      })
      buildMs = performance.now() - started
    },
    buildMs: () => buildMs,
    setEf: (ef) => index!.setEf(ef),
    prepareQuery: (q) => Array.from(q),
    search: (q, k) => index!.searchKnn(q as unknown as number[], k).neighbors,
    serializedBytes() {
      saved ??= saveAndReload()
      return saved.bytes
    },
    async reloadMs() {
      saved ??= saveAndReload()
      return saved.reloadMs
    },
    dispose: () => {
      index = undefined
    },
  }
  function saveAndReload(): { bytes: number; reloadMs: number } {
    const dir = mkdtempSync(join(tmpdir(), 'edgemem-bench-'))
    try {
      const file = join(dir, 'index.bin')
      index!.writeIndexSync(file)
      let best = Number.POSITIVE_INFINITY
      for (let attempt = 0; attempt < 3; attempt++) {
        const started = performance.now()
        new HierarchicalNSW('ip', dimensions).readIndexSync(file)
        best = Math.min(best, performance.now() - started)
      }
      return { bytes: statSync(file).size, reloadMs: best }
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  }
}

interface Wasm082Index {
  initIndex(max: number, m: number, efC: number, seed: number): void
  addPoint(v: Float32Array, label: number, replaceDeleted: boolean): void
  setEfSearch(ef: number): void
  searchKnn(q: Float32Array, k: number, filter: undefined): { neighbors: number[] }
  delete(): void
}

/** hnswlib-wasm 0.8.2 as published (no SIMD, element-by-element vector conversion). Node only here. */
export async function hnswlibWasm082(params: GraphParams): Promise<Contender> {
  // Its loader was built for the web: it starts only where `window` exists, and its IndexedDB file-system
  // sync logs an error without IndexedDB (harmless: nothing is persisted through it here).
  const g = globalThis as { window?: unknown }
  g.window ??= globalThis
  const quiet = console.error
  console.error = () => {}
  let lib: { HierarchicalNSW: new (space: string, dim: number, file: string) => Wasm082Index }
  try {
    const mod = (await import('hnswlib-wasm/dist/hnswlib.js' as string)) as { loadHnswlib(): Promise<typeof lib> }
    lib = await mod.loadHnswlib()
    await new Promise((resolve) => setTimeout(resolve, 50))
  } finally {
    console.error = quiet
  }
  let index: Wasm082Index | undefined
  return {
    name: 'hnswlib-wasm 0.8.2 (as published)',
    async build(vectors) {
      index = new lib.HierarchicalNSW('ip', vectors[0]!.length, '')
      index.initIndex(vectors.length, params.m, params.efConstruction, params.seed)
      vectors.forEach((v, label) => {
        index!.addPoint(v, label, false)
      })
    },
    setEf: (ef) => index!.setEfSearch(ef),
    search: (q, k) => index!.searchKnn(q, k, undefined).neighbors,
    serializedBytes: () => undefined,
    reloadMs: async () => undefined,
    dispose: () => index?.delete(),
  }
}

/** Exact search: one pass over a contiguous Float32Array, keeping the k best in a sorted array. */
export class FlatScan {
  readonly name = 'naive float32 scan (baseline; the flat store is faster, see Core)'
  private readonly data: Float32Array
  private readonly dimensions: number
  private readonly count: number

  constructor(vectors: Float32Array[]) {
    this.dimensions = vectors[0]!.length
    this.count = vectors.length
    this.data = new Float32Array(this.count * this.dimensions)
    vectors.forEach((v, i) => {
      this.data.set(v, i * this.dimensions)
    })
  }

  search(query: Float32Array, k: number): number[] {
    const { data, dimensions: d } = this
    const bestScore = new Float64Array(k).fill(Number.NEGATIVE_INFINITY)
    const bestSlot = new Int32Array(k).fill(-1)
    for (let row = 0, offset = 0; row < this.count; row++, offset += d) {
      let s0 = 0
      let s1 = 0
      let s2 = 0
      let s3 = 0
      let i = 0
      for (; i + 3 < d; i += 4) {
        s0 += query[i]! * data[offset + i]!
        s1 += query[i + 1]! * data[offset + i + 1]!
        s2 += query[i + 2]! * data[offset + i + 2]!
        s3 += query[i + 3]! * data[offset + i + 3]!
      }
      for (; i < d; i++) s0 += query[i]! * data[offset + i]!
      const score = s0 + s1 + s2 + s3
      if (score <= bestScore[k - 1]!) continue
      let j = k - 1
      while (j > 0 && bestScore[j - 1]! < score) {
        bestScore[j] = bestScore[j - 1]!
        bestSlot[j] = bestSlot[j - 1]!
        j--
      }
      bestScore[j] = score
      bestSlot[j] = row
    }
    return Array.from(bestSlot)
  }
}
