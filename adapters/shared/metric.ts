/**
 * Scores are reported so that higher is more relevant and, for unit-length vectors (what embedders
 * produce), equal to cosine similarity whatever the index metric:
 * - cosine: the cosine similarity;
 * - dot: the raw dot product (equals cosine for unit vectors);
 * - euclidean: 1 - d²/2 where d is the Euclidean distance (for unit vectors d² = 2 - 2·cos).
 * Each adapter converts its service's score to this; the local fallback uses the same formulas.
 */
export type Metric = 'cosine' | 'dot' | 'euclidean'

export function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let sum = 0
  for (let i = 0; i < a.length; i++) sum += a[i]! * b[i]!
  return sum
}

export function squaredDistance(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let sum = 0
  for (let i = 0; i < a.length; i++) {
    const d = a[i]! - b[i]!
    sum += d * d
  }
  return sum
}

export function norm(a: ArrayLike<number>): number {
  return Math.sqrt(dot(a, a))
}

export function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const denominator = norm(a) * norm(b)
  return denominator === 0 ? 0 : dot(a, b) / denominator
}

export function euclideanScore(squared: number): number {
  return 1 - squared / 2
}

/** The score an adapter reports for a record, computed locally (fallback scans, tests). */
export function localScore(metric: Metric, query: ArrayLike<number>, vector: ArrayLike<number>): number {
  switch (metric) {
    case 'cosine':
      return cosine(query, vector)
    case 'dot':
      return dot(query, vector)
    case 'euclidean':
      return euclideanScore(squaredDistance(query, vector))
  }
}
