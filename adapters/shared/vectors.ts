import { DimensionMismatchError, ValidationError, type VectorRecord } from '../../src/internal.ts'

/** JSON cannot carry NaN or Infinity (they would arrive as null): reject them with the record named. */
export function toJsonVector(vector: Float32Array, what: string): number[] {
  const out = new Array<number>(vector.length)
  for (let i = 0; i < vector.length; i++) {
    const value = vector[i]!
    if (!Number.isFinite(value)) throw new ValidationError(`${what}: vector[${i}] is ${value}; vectors must hold finite numbers`)
    out[i] = value
  }
  return out
}

export function fromJsonVector(values: unknown): Float32Array | undefined {
  return Array.isArray(values) ? Float32Array.from(values as number[]) : undefined
}

export function checkDimensions(expected: number | undefined, vector: Float32Array, context: string): void {
  if (expected !== undefined && vector.length !== expected) throw new DimensionMismatchError(expected, vector.length, context)
}

export function assertUniformDimensions(records: VectorRecord[], context: string): number | undefined {
  const first = records[0]?.vector.length
  for (const record of records) checkDimensions(first, record.vector, `${context} (record "${record.id}")`)
  return first
}

/** Splits items into batches under a count limit and an approximate byte budget. */
export function chunk<T>(items: T[], maxCount: number, maxBytes = Infinity, sizeOf: (item: T) => number = () => 0): T[][] {
  const batches: T[][] = []
  let current: T[] = []
  let bytes = 0
  for (const item of items) {
    const size = sizeOf(item)
    if (current.length > 0 && (current.length >= maxCount || bytes + size > maxBytes)) {
      batches.push(current)
      current = []
      bytes = 0
    }
    current.push(item)
    bytes += size
  }
  if (current.length > 0) batches.push(current)
  return batches
}

const encoder = new TextEncoder()
export function jsonBytes(value: unknown): number {
  return encoder.encode(JSON.stringify(value)).byteLength
}
