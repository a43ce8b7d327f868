/** Scales the vector to unit length in place (a zero vector stays zero); returns it. */
export function normalizeInPlace(vector: Float32Array): Float32Array {
  let norm = 0
  for (let i = 0; i < vector.length; i++) norm += vector[i]! * vector[i]!
  if (norm > 0) {
    const inv = 1 / Math.sqrt(norm)
    for (let i = 0; i < vector.length; i++) vector[i]! *= inv
  }
  return vector
}

export function toUnitVector(values: ArrayLike<number>): Float32Array {
  return normalizeInPlace(Float32Array.from(values))
}

/** Dot product of `query` with row `row` of a row-major matrix, unrolled for speed. */
export function dotRow(matrix: Float32Array, row: number, query: Float32Array): number {
  const dims = query.length
  let at = row * dims
  let s0 = 0
  let s1 = 0
  let s2 = 0
  let s3 = 0
  let i = 0
  for (; i + 3 < dims; i += 4, at += 4) {
    s0 += matrix[at]! * query[i]!
    s1 += matrix[at + 1]! * query[i + 1]!
    s2 += matrix[at + 2]! * query[i + 2]!
    s3 += matrix[at + 3]! * query[i + 3]!
  }
  for (; i < dims; i++, at++) s0 += matrix[at]! * query[i]!
  return s0 + s1 + s2 + s3
}
