import { DimensionMismatchError, StorageError } from '../../src/errors.ts'
import type { HnswIndexFactory } from '../../src/local/hnsw/index.ts'
import * as vitestHarness from '../harness.ts'
import { dot, exactTopK, lowRankVectors, recallAt } from '../support/low-rank-vectors.ts'
import { HNSW_GOLDEN } from './golden.ts'
import { hnswFingerprint } from './fingerprint.ts'

const DIM = 384

function meanRecall(found: ArrayLike<number>[], truth: number[][]): number {
  return found.reduce((sum, f, i) => sum + recallAt(f, truth[i]!), 0) / found.length
}

/** The test API the suite needs: vitest's, or test/runtimes/mini-harness.ts in Deno and Bun. */
export interface SuiteHarness {
  describe(name: string, body: () => void): void
  it(name: string, fn: () => unknown): void
  expect: typeof vitestHarness.expect
}

/**
 * Behaviour of the hnsw AnnIndex, shared by every runtime (Node, Chromium, workerd, and the Deno/Bun
 * scripts in test/runtimes). Sizes stay small enough for the slower runtimes; the 10k recall test
 * lives in the Node-only suite.
 */
export function describeHnswAnnIndexSuite(
  runtime: string,
  makeFactory: () => HnswIndexFactory,
  harness: SuiteHarness = vitestHarness,
): void {
  const { describe, expect, it } = harness
  describe(`hnsw AnnIndex (${runtime})`, () => {
    it('returns the nearest slots with cosine similarity scores', async () => {
      const data = lowRankVectors({ count: 300, dimensions: DIM, seed: 1 })
      const index = await makeFactory().create(DIM, 300)
      data.forEach((v, slot) => {
        index.add(slot * 3 + 1, v)
      })
      expect(index.size).toBe(300)
      const query = data[42]!
      const { slots, scores } = index.search(query, 5)
      expect(slots.length).toBe(5)
      expect(slots[0]).toBe(42 * 3 + 1)
      expect(scores[0]).toBeCloseTo(1, 5)
      for (let i = 0; i < slots.length; i++) {
        expect(scores[i]).toBeCloseTo(dot(query, data[(slots[i]! - 1) / 3]!), 5)
        if (i > 0) expect(scores[i]).toBeLessThanOrEqual(scores[i - 1]!)
      }
      index.dispose()
    })

    it('reaches recall@10 >= 0.95 against exact search on 2k structured vectors', async () => {
      const data = lowRankVectors({ count: 2000, dimensions: DIM, seed: 2 })
      const queries = lowRankVectors({ count: 40, dimensions: DIM, seed: 3 })
      const index = await makeFactory().create(DIM, 2000)
      data.forEach((v, slot) => {
        index.add(slot, v)
      })
      const found = queries.map((q) => index.search(q, 10).slots)
      expect(
        meanRecall(
          found,
          queries.map((q) => exactTopK(data, q, 10)),
        ),
      ).toBeGreaterThanOrEqual(0.95)
      index.dispose()
    })

    it('restores from serialize() with identical results, then keeps working', async () => {
      const factory = makeFactory()
      const data = lowRankVectors({ count: 800, dimensions: DIM, seed: 4 })
      const queries = lowRankVectors({ count: 30, dimensions: DIM, seed: 5 })
      const index = await factory.create(DIM, 64)
      data.forEach((v, slot) => {
        index.add(slot, v)
      })
      for (let slot = 0; slot < 800; slot += 5) index.remove(slot)
      const bytes = index.serialize()
      const restored = await factory.restore(DIM, bytes)
      expect(restored.size).toBe(index.size)
      for (const q of queries) {
        const a = index.search(q, 10)
        const b = restored.search(q, 10)
        expect(Array.from(b.slots)).toEqual(Array.from(a.slots))
        expect(Array.from(b.scores)).toEqual(Array.from(a.scores))
      }
      expect(Array.from(restored.serialize())).toEqual(Array.from(bytes))
      // The restored index accepts new slots (reusing deleted labels) and deletes.
      restored.add(5, data[5]!)
      restored.add(5000, data[12]!)
      restored.remove(11)
      expect(Array.from(restored.search(data[5]!, 1).slots)).toEqual([5])
      expect(Array.from(restored.search(data[12]!, 2).slots).sort((x, y) => x - y)).toEqual([12, 5000])
      expect(Array.from(restored.search(data[11]!, 10).slots)).not.toContain(11)
      index.dispose()
      restored.dispose()
    })

    it('reuses deleted labels: churn does not grow the index', async () => {
      const data = lowRankVectors({ count: 600, dimensions: DIM, seed: 6 })
      const index = await makeFactory().create(DIM, 400)
      for (let slot = 0; slot < 400; slot++) index.add(slot, data[slot]!)
      const bytesBefore = index.memoryBytes
      const snapshotBefore = index.serialize().byteLength
      for (let round = 0; round < 3; round++) {
        for (let slot = 0; slot < 200; slot++) index.remove(slot + round * 1000)
        for (let slot = 0; slot < 200; slot++) index.add(slot + (round + 1) * 1000, data[400 + ((slot + round * 7) % 200)]!)
      }
      expect(index.size).toBe(400)
      expect(index.memoryBytes).toBe(bytesBefore)
      expect(index.serialize().byteLength).toBe(snapshotBefore)
      // Removed slots never come back; the slots that took their labels are found.
      const hit = index.search(data[400 + ((17 + 2 * 7) % 200)]!, 400)
      const slots = Array.from(hit.slots)
      expect(slots.every((s) => s >= 200 && (s < 400 || s >= 3000))).toBe(true)
      expect(slots).toContain(3017)
      index.dispose()
    })

    it('grows from a tiny initial capacity without ever failing an add', async () => {
      const data = lowRankVectors({ count: 1000, dimensions: DIM, seed: 8 })
      const index = await makeFactory().create(DIM, 1)
      data.forEach((v, slot) => {
        index.add(slot, v)
      })
      expect(index.size).toBe(1000)
      for (const slot of [0, 1, 499, 998, 999]) expect(index.search(data[slot]!, 1).slots[0]).toBe(slot)
      index.dispose()
    })

    it('replaces the vector of an existing slot', async () => {
      const data = lowRankVectors({ count: 101, dimensions: DIM, seed: 9 })
      const index = await makeFactory().create(DIM, 100)
      for (let slot = 0; slot < 100; slot++) index.add(slot, data[slot]!)
      index.add(7, data[100]!)
      expect(index.size).toBe(100)
      const { slots, scores } = index.search(data[100]!, 1)
      expect(slots[0]).toBe(7)
      expect(scores[0]).toBeCloseTo(1, 5)
      expect(index.search(data[7]!, 1).slots[0]).not.toBe(7)
      index.dispose()
    })

    it('restricts results to accepted slots and keeps recall under a filter', async () => {
      const data = lowRankVectors({ count: 1500, dimensions: DIM, seed: 10 })
      const queries = lowRankVectors({ count: 30, dimensions: DIM, seed: 13 })
      const index = await makeFactory().create(DIM, 1500)
      data.forEach((v, slot) => {
        index.add(slot, v)
      })
      const accept = (slot: number): boolean => slot % 4 === 1
      const found = queries.map((q) => index.search(q, 10, accept).slots)
      for (const slots of found) {
        expect(slots.length).toBe(10)
        for (const slot of Array.from(slots)) expect(accept(slot)).toBe(true)
      }
      expect(
        meanRecall(
          found,
          queries.map((q) => exactTopK(data, q, 10, accept)),
        ),
      ).toBeGreaterThanOrEqual(0.95)
      index.dispose()
    })

    it('handles empty indexes, oversized k and absent slots', async () => {
      const data = lowRankVectors({ count: 3, dimensions: DIM, seed: 14 })
      const index = await makeFactory().create(DIM, 0)
      expect(index.search(data[0]!, 10).slots.length).toBe(0)
      index.remove(123)
      data.forEach((v, slot) => {
        index.add(slot, v)
      })
      expect(index.search(data[0]!, 50).slots.length).toBe(3)
      index.remove(1)
      index.remove(1)
      expect(Array.from(index.search(data[0]!, 50).slots).sort()).toEqual([0, 2])
      index.dispose()
      expect(() => index.search(data[0]!, 1)).toThrow(/disposed/)
    })

    it('rejects wrong dimensions and unusable snapshots with typed errors', async () => {
      const factory = makeFactory()
      const index = await factory.create(8, 4)
      expect(() => index.add(0, new Float32Array(7))).toThrow(DimensionMismatchError)
      expect(() => index.search(new Float32Array(9), 1)).toThrow(DimensionMismatchError)
      expect(() => index.add(-1, new Float32Array(8))).toThrow(RangeError)
      index.add(0, Float32Array.of(1, 0, 0, 0, 0, 0, 0, 0))
      index.add(1, Float32Array.of(0, 1, 0, 0, 0, 0, 0, 0))
      const bytes = index.serialize()
      index.dispose()
      const flipped = bytes.slice()
      flipped[flipped.length - 3]! ^= 0x40
      await expect(factory.restore(8, flipped)).rejects.toThrow(StorageError)
      await expect(factory.restore(8, bytes.subarray(0, bytes.length - 1))).rejects.toThrow(StorageError)
      await expect(factory.restore(16, bytes)).rejects.toThrow(StorageError)
      await expect(factory.restore(8, new Uint8Array(10))).rejects.toThrow(StorageError)
      const ok = await factory.restore(8, bytes)
      expect(Array.from(ok.search(Float32Array.of(0, 1, 0, 0, 0, 0, 0, 0), 1).slots)).toEqual([1])
      ok.dispose()
    })

    it('gives the same results and bytes as every other runtime', async () => {
      expect(await hnswFingerprint(makeFactory())).toEqual(HNSW_GOLDEN)
    })
  })
}
