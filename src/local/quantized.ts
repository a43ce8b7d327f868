/**
 * Int8 copies of unit vectors for a fast first pass of exact search. Each vector a is stored as
 * a ≈ scale·â (â int8) together with ‖a − scale·â‖, which bounds the error of the int8 score:
 *   |a·q − s_a·s_q·(â·q̂)| ≤ ‖e_q‖ + ‖e_a‖ + ‖e_a‖·‖e_q‖   (‖a‖, ‖q‖ ≤ 1)
 * so scanning int8 and rescoring in float32 only the rows whose bound can still reach the top-k
 * gives exactly the float32 result while touching a quarter of the memory.
 */
export interface Quantized {
  values: Int8Array
  scale: number
  error: number
}

/** Float32 rounding in the scores themselves; added to every bound. */
export const BOUND_SLACK = 1e-5

export function quantize(vector: Float32Array, into?: Int8Array): Quantized {
  const values = into ?? new Int8Array(vector.length)
  let maxAbs = 0
  for (let i = 0; i < vector.length; i++) maxAbs = Math.max(maxAbs, Math.abs(vector[i]!))
  const scale = maxAbs / 127
  let error = 0
  for (let i = 0; i < vector.length; i++) {
    const q = scale === 0 ? 0 : Math.max(-127, Math.min(127, Math.round(vector[i]! / scale)))
    values[i] = q
    const e = vector[i]! - q * scale
    error += e * e
  }
  return { values, scale, error: Math.sqrt(error) }
}

/**
 * Integer dot products of `query` (int8 values widened to int32) with rows [0, rows) of a row-major
 * int8 matrix, four rows per pass so each query element is loaded once per four rows.
 */
export function int8Dots(matrix: Int8Array, query: Int32Array, rows: number, out: Int32Array): void {
  const d = query.length
  let r = 0
  for (; r + 3 < rows; r += 4) {
    const b0 = r * d
    const b1 = b0 + d
    const b2 = b1 + d
    const b3 = b2 + d
    let s0 = 0
    let s1 = 0
    let s2 = 0
    let s3 = 0
    for (let i = 0; i < d; i++) {
      const x = query[i]!
      s0 = (s0 + matrix[b0 + i]! * x) | 0
      s1 = (s1 + matrix[b1 + i]! * x) | 0
      s2 = (s2 + matrix[b2 + i]! * x) | 0
      s3 = (s3 + matrix[b3 + i]! * x) | 0
    }
    out[r] = s0
    out[r + 1] = s1
    out[r + 2] = s2
    out[r + 3] = s3
  }
  for (; r < rows; r++) {
    const b = r * d
    let s = 0
    for (let i = 0; i < d; i++) s = (s + matrix[b + i]! * query[i]!) | 0
    out[r] = s
  }
}
