import type { HnswIndexFactory } from '../../src/local/hnsw/index.ts'
import { checksum } from '../../src/local/hnsw/snapshot.ts'
import { lowRankVectors } from '../support/low-rank-vectors.ts'

export interface HnswFingerprint {
  /** Hash of every (slot, float32 score) returned for the fixed queries. */
  results: string
  /** Checksum of serialize() output after the fixed build, deletes and reuses. */
  snapshot: string
  /** The first query's top 10 slots, readable. */
  firstTop: number[]
}

const hex = (n: number): string => (n >>> 0).toString(16).padStart(8, '0')

/**
 * Builds one index from fixed inputs (inserts, deletes, slot reuse, a filtered query) and summarises
 * its results and bytes. Every runtime must produce the same fingerprint: hnswlib is deterministic for
 * a fixed seed and insertion order, and WebAssembly arithmetic is the same everywhere.
 */
export async function hnswFingerprint(factory: HnswIndexFactory): Promise<HnswFingerprint> {
  const data = lowRankVectors({ count: 1500, dimensions: 384, seed: 11 })
  const queries = lowRankVectors({ count: 25, dimensions: 384, seed: 12 })
  const index = await factory.create(384, 100)
  try {
    data.forEach((v, slot) => {
      index.add(slot, v)
    })
    for (let slot = 0; slot < 1500; slot += 7) index.remove(slot)
    for (let slot = 1500; slot < 1600; slot++) index.add(slot, data[slot - 1500 + 3]!)
    const hashed: number[] = []
    let firstTop: number[] = []
    queries.forEach((q, i) => {
      const { slots, scores } = i % 5 === 4 ? index.search(q, 10, (slot) => slot % 3 === 0) : index.search(q, 10)
      if (i === 0) firstTop = Array.from(slots)
      for (let j = 0; j < slots.length; j++) hashed.push(slots[j]!, Math.fround(scores[j]!))
    })
    const resultBytes = new Uint8Array(new Float32Array(hashed).buffer)
    return { results: hex(checksum(resultBytes)), snapshot: hex(checksum(index.serialize())), firstTop }
  } finally {
    index.dispose()
  }
}
