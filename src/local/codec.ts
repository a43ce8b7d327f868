import { StorageError } from '../errors.ts'
import type { Payload } from '../interfaces/vector-store.ts'

/**
 * Binary form of the record operations a partition persists (log entries and snapshot segments).
 * Little-endian; vectors are float32 and 4-byte aligned so they can be viewed without copying.
 *
 *   header: magic "EMR1" | u32 dimensions | u32 count
 *   op:     u8 kind (1 upsert, 2 delete) | 3 bytes pad | u32 slot | u32 idBytes | id
 *           upsert only: u32 payloadBytes | payload JSON | pad to 4 | f32 × dimensions
 */
export type RecordOp =
  | { kind: 'upsert'; slot: number; id: string; payload: Payload; vector: Float32Array }
  | { kind: 'delete'; slot: number; id: string }

const MAGIC = 0x31524d45 // "EMR1" read as little-endian u32
const UPSERT = 1
const DELETE = 2

const encoder = new TextEncoder()
const decoder = new TextDecoder()
const align4 = (n: number): number => (n + 3) & ~3

interface EncodedOp {
  op: RecordOp
  id: Uint8Array
  payload: Uint8Array | undefined
  size: number
}

function prepare(op: RecordOp, dimensions: number): EncodedOp {
  const id = encoder.encode(op.id)
  if (op.kind === 'delete') return { op, id, payload: undefined, size: align4(12 + id.byteLength) }
  const payload = encoder.encode(JSON.stringify(op.payload))
  return { op, id, payload, size: align4(align4(12 + id.byteLength) + 4 + payload.byteLength) + dimensions * 4 }
}

function write(ops: EncodedOp[], dimensions: number): Uint8Array {
  let total = 12
  for (const e of ops) total += e.size
  const bytes = new Uint8Array(total)
  const view = new DataView(bytes.buffer)
  view.setUint32(0, MAGIC, true)
  view.setUint32(4, dimensions, true)
  view.setUint32(8, ops.length, true)
  let at = 12
  for (const { op, id, payload } of ops) {
    view.setUint8(at, op.kind === 'upsert' ? UPSERT : DELETE)
    view.setUint32(at + 4, op.slot, true)
    view.setUint32(at + 8, id.byteLength, true)
    bytes.set(id, at + 12)
    at = align4(at + 12 + id.byteLength)
    if (op.kind === 'upsert') {
      view.setUint32(at, payload!.byteLength, true)
      bytes.set(payload!, at + 4)
      at = align4(at + 4 + payload!.byteLength)
      new Float32Array(bytes.buffer, at, dimensions).set(op.vector)
      at += dimensions * 4
    }
  }
  return bytes
}

export function encodeOps(ops: RecordOp[], dimensions: number): Uint8Array {
  return write(
    ops.map((op) => prepare(op, dimensions)),
    dimensions,
  )
}

/**
 * Encodes into several values, each at most `maxBytes` (a single op larger than that gets a value of
 * its own). Used for snapshot segments so they fit the storage's value limit.
 */
export function encodeOpsChunked(ops: RecordOp[], dimensions: number, maxBytes: number): Uint8Array[] {
  const chunks: Uint8Array[] = []
  let current: EncodedOp[] = []
  let size = 12
  for (const op of ops) {
    const e = prepare(op, dimensions)
    if (current.length > 0 && size + e.size > maxBytes) {
      chunks.push(write(current, dimensions))
      current = []
      size = 12
    }
    current.push(e)
    size += e.size
  }
  if (current.length > 0 || chunks.length === 0) chunks.push(write(current, dimensions))
  return chunks
}

/** Decodes a value written by encodeOps. Vectors are copied out (the input buffer may be reused). */
export function decodeOps(bytes: Uint8Array, expectedDimensions: number | undefined, key: string): { dimensions: number; ops: RecordOp[] } {
  const corrupt = (why: string): StorageError =>
    new StorageError(`stored record data at "${key}" is corrupt (${why}); delete the key or reset the collection`)
  if (bytes.byteLength < 12) throw corrupt('too short')
  // Typed-array views need 4-byte alignment; copy when the driver handed us an unaligned slice.
  const data = bytes.byteOffset % 4 === 0 ? bytes : bytes.slice()
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength)
  if (view.getUint32(0, true) !== MAGIC) throw corrupt('bad magic')
  const dimensions = view.getUint32(4, true)
  if (expectedDimensions !== undefined && dimensions !== expectedDimensions && view.getUint32(8, true) > 0) {
    throw corrupt(`written with ${dimensions} dimensions, collection has ${expectedDimensions}`)
  }
  const count = view.getUint32(8, true)
  const ops: RecordOp[] = []
  let at = 12
  try {
    for (let i = 0; i < count; i++) {
      const kind = view.getUint8(at)
      const slot = view.getUint32(at + 4, true)
      const idLength = view.getUint32(at + 8, true)
      const id = decoder.decode(data.subarray(at + 12, at + 12 + idLength))
      at = align4(at + 12 + idLength)
      if (kind === DELETE) {
        ops.push({ kind: 'delete', slot, id })
        continue
      }
      if (kind !== UPSERT) throw corrupt(`unknown op ${kind}`)
      const payloadLength = view.getUint32(at, true)
      const payload = JSON.parse(decoder.decode(data.subarray(at + 4, at + 4 + payloadLength))) as Payload
      at = align4(at + 4 + payloadLength)
      if (at + dimensions * 4 > data.byteLength) throw corrupt('truncated vector')
      const vector = new Float32Array(data.buffer.slice(data.byteOffset + at, data.byteOffset + at + dimensions * 4))
      at += dimensions * 4
      ops.push({ kind: 'upsert', slot, id, payload, vector })
    }
  } catch (err) {
    if (err instanceof StorageError) throw err
    throw corrupt(err instanceof Error ? err.message : String(err))
  }
  return { dimensions, ops }
}
