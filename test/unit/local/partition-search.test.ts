import { describe, expect, it } from 'vitest'
import type { RecordOp } from '../../../src/local/codec.ts'
import { Int8Rows, simdAvailable } from '../../../src/local/int8-rows.ts'
import { Partition } from '../../../src/local/partition.ts'
import { quantize } from '../../../src/local/quantized.ts'
import { LazyDescending } from '../../../src/local/top-k.ts'
import { dotRow, toUnitVector } from '../../../src/local/vector-math.ts'
import { seeded } from '../../conformance/vector-store.ts'

/** Clustered unit vectors (like real embeddings: many near neighbours, scores bunched together). */
function clustered(count: number, dims: number, clusters: number, seed: number): Float32Array[] {
  const random = seeded(seed)
  const centres = Array.from({ length: clusters }, () => Float32Array.from({ length: dims }, () => random() * 2 - 1))
  return Array.from({ length: count }, (_, i) => {
    const centre = centres[i % clusters]!
    return toUnitVector(Float32Array.from(centre, (c) => c + (random() - 0.5) * 0.3))
  })
}

function brute(vectors: Float32Array[], query: Float32Array, k: number, accept: (i: number) => boolean): number[] {
  // Scored with the store's own float32 dot product: the claim is identity with a full float32 scan.
  const scored = vectors.map((v, i) => ({ i, s: dotRow(v, 0, query) }))
  return scored
    .filter(({ i }) => accept(i))
    .sort((a, b) => b.s - a.s || a.i - b.i)
    .slice(0, k)
    .map(({ i }) => i)
}

function build(vectors: Float32Array[]): Partition {
  const partition = new Partition('u.test', vectors[0]!.length, 8)
  const ops: RecordOp[] = vectors.map((vector, slot) => ({ kind: 'upsert', slot, id: `r${slot}`, payload: { n: slot }, vector }))
  partition.apply(ops)
  return partition
}

describe('exact search with the int8 first pass', () => {
  it('bounds the int8 error as claimed', () => {
    const random = seeded(1)
    for (let t = 0; t < 200; t++) {
      const a = toUnitVector(Float32Array.from({ length: 96 }, () => random() - 0.5))
      const q = toUnitVector(Float32Array.from({ length: 96 }, () => random() - 0.5))
      const qa = quantize(a)
      const qq = quantize(q)
      let exact = 0
      let approx = 0
      for (let i = 0; i < 96; i++) {
        exact += a[i]! * q[i]!
        approx += qa.values[i]! * qq.values[i]!
      }
      const bound = qa.error + qq.error + qa.error * qq.error
      expect(Math.abs(exact - approx * qa.scale * qq.scale)).toBeLessThanOrEqual(bound + 1e-6)
    }
  })

  for (const [label, vectors] of [
    ['clustered 384-d', clustered(3000, 384, 12, 2)],
    ['uniform 64-d', Array.from({ length: 3000 }, (_, i) => toUnitVector(Float32Array.from({ length: 64 }, seeded(i + 10))))],
  ] as const) {
    it(`returns exactly the brute-force float32 top-k (${label}), with and without filters`, () => {
      const partition = build(vectors as Float32Array[])
      const queries = clustered(25, vectors[0]!.length, 5, 99)
      const filters: [string, (i: number) => boolean][] = [
        ['all', () => true],
        ['half', (i) => i % 2 === 0],
        ['1%', (i) => i % 100 === 7],
        ['none', () => false],
      ]
      for (const query of queries) {
        for (const [, accept] of filters) {
          for (const k of [1, 10, 50]) {
            const hits = partition.exactSearch(query, k, accept)
            expect(hits.map((h) => h.slot)).toEqual(brute(vectors as Float32Array[], query, k, accept))
          }
        }
      }
    })
  }

  it('stays exact after deletes, slot reuse and with zero vectors', () => {
    const vectors = clustered(500, 32, 4, 5)
    const partition = build(vectors)
    partition.apply(Array.from({ length: 100 }, (_, i): RecordOp => ({ kind: 'delete', slot: i * 5, id: `r${i * 5}` })))
    const zero = new Float32Array(32)
    partition.apply([{ kind: 'upsert', slot: 0, id: 'zero', payload: {}, vector: zero }])
    const alive = (i: number): boolean => i === 0 || i % 5 !== 0
    const current = vectors.map((v, i) => (i === 0 ? zero : v))
    for (const query of clustered(10, 32, 4, 6)) {
      expect(partition.exactSearch(query, 20, () => true).map((h) => h.slot)).toEqual(brute(current, query, 20, alive))
    }
  })

  it('evaluates the filter on few rows when it matches most of them', () => {
    const vectors = clustered(5000, 128, 20, 8)
    const partition = build(vectors)
    let calls = 0
    partition.exactSearch(clustered(1, 128, 1, 3)[0]!, 10, () => {
      calls++
      return true
    })
    expect(calls).toBeLessThan(500)
  })
})

describe('int8 rows: WASM SIMD kernel and JS fallback', () => {
  it('has the SIMD kernel in Node', () => {
    expect(simdAvailable()).toBe(true)
  })

  for (const dims of [8, 16, 100, 384]) {
    it(`computes identical dot products with and without SIMD, across growth (${dims}-d)`, () => {
      const random = seeded(dims)
      const withSimd = new Int8Rows(dims, 4)
      const plain = new Int8Rows(dims, 4, { simd: false })
      const rows = 700
      for (let r = 0; r < rows; r++) {
        withSimd.ensureCapacity(r + 1)
        plain.ensureCapacity(r + 1)
        const values = Int8Array.from({ length: dims }, () => Math.floor(random() * 255) - 127)
        withSimd.row(r).set(values)
        plain.row(r).set(values)
      }
      withSimd.clear(5)
      plain.clear(5)
      expect(withSimd.usingSimd).toBe(true)
      expect(plain.usingSimd).toBe(false)
      const query = Int8Array.from({ length: dims }, () => Math.floor(random() * 255) - 127)
      const a = new Int32Array(rows)
      const b = new Int32Array(rows)
      withSimd.dots(query, rows, a)
      plain.dots(query, rows, b)
      expect(Array.from(a)).toEqual(Array.from(b))
      expect(a[5]).toBe(0)
      let expected = 0
      const row = plain.row(7)
      for (let i = 0; i < dims; i++) expected += row[i]! * query[i]!
      expect(a[7]).toBe(expected)
    })
  }
})

describe('lazy descending order', () => {
  it('yields exactly the order of a full sort, ties across the cutoff and past the first group included', () => {
    const random = seeded(77)
    for (const [count, first] of [
      [5, 64],
      [1000, 8],
      [1000, 300],
      [257, 1],
    ] as const) {
      const keys = new Float64Array(count).map(() => Math.floor(random() * 50) / 5) // many ties
      const items = Array.from({ length: count }, (_, i) => i)
      const order = new LazyDescending(items, keys, first)
      const popped: number[] = []
      while (order.size > 0) {
        const peeked = order.peekKey()
        const next = order.pop()
        popped.push(next)
        expect(peeked).toBe(keys[next]!)
      }
      const poppedKeys = popped.map((i) => keys[i]!)
      expect(poppedKeys).toEqual([...keys].sort((a, b) => b - a))
      expect(new Set(popped).size).toBe(count)
    }
  })
})
