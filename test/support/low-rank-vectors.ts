// Deterministic structured test vectors. Only +, -, *, / and Math.sqrt are used (all correctly rounded
// in IEEE 754), never Math.log/cos/exp whose last bits differ between engines, so Node, Chromium,
// workerd, Deno and Bun generate bit-identical data and can be held to identical search results.

/** mulberry32: a small seeded PRNG returning floats in [0, 1). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0
  return () => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** Approximately standard normal (Irwin-Hall of 4 uniforms), arithmetic only. */
function normalish(random: () => number): number {
  return (random() + random() + random() + random() - 2) * Math.sqrt(3)
}

export interface LowRankOptions {
  count: number
  dimensions: number
  /** Rank of the subspace the vectors live near (embeddings concentrate in few directions). */
  rank?: number
  /** Number of clusters in the subspace (topics). */
  clusters?: number
  /** Relative size of the full-rank noise added to each vector. */
  noise?: number
  seed?: number
}

function normalise(v: Float64Array): Float32Array {
  let norm = 0
  for (let i = 0; i < v.length; i++) norm += v[i]! * v[i]!
  norm = Math.sqrt(norm)
  const out = new Float32Array(v.length)
  for (let i = 0; i < v.length; i++) out[i] = v[i]! / norm
  return out
}

/**
 * Unit vectors near a random rank-`rank` subspace, grouped into clusters: the structure real sentence
 * embeddings have (and the harder case for graph indexes compared with uniform random points).
 */
export function lowRankVectors(options: LowRankOptions): Float32Array[] {
  const { count, dimensions, rank = 32, clusters = 24, noise = 0.15, seed = 7 } = options
  const random = seededRandom(seed)
  const basis = Array.from({ length: rank }, () => Float64Array.from({ length: dimensions }, () => normalish(random)))
  const centres = Array.from({ length: clusters }, () => Float64Array.from({ length: rank }, () => normalish(random)))
  const out: Float32Array[] = []
  for (let n = 0; n < count; n++) {
    const centre = centres[Math.floor(random() * clusters)]!
    const v = new Float64Array(dimensions)
    for (let r = 0; r < rank; r++) {
      const c = centre[r]! + 0.6 * normalish(random)
      const row = basis[r]!
      for (let d = 0; d < dimensions; d++) v[d]! += c * row[d]!
    }
    const scale = noise * Math.sqrt(rank)
    for (let d = 0; d < dimensions; d++) v[d]! += scale * normalish(random)
    out.push(normalise(v))
  }
  return out
}

export function dot(a: Float32Array, b: Float32Array): number {
  let s = 0
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!
  return s
}

/** Exact top-k by inner product, over the slots `accept` allows. */
export function exactTopK(
  vectors: readonly (Float32Array | undefined)[],
  query: Float32Array,
  k: number,
  accept?: (slot: number) => boolean,
): number[] {
  const scored: [number, number][] = []
  vectors.forEach((v, slot) => {
    if (v && (!accept || accept(slot))) scored.push([dot(v, query), slot])
  })
  scored.sort((a, b) => b[0] - a[0] || a[1] - b[1])
  return scored.slice(0, k).map(([, slot]) => slot)
}

export function recallAt(found: ArrayLike<number>, truth: readonly number[]): number {
  if (truth.length === 0) return 1
  const expected = new Set(truth)
  let hits = 0
  for (let i = 0; i < found.length; i++) if (expected.has(found[i]!)) hits++
  return hits / truth.length
}
