import { StorageError } from '../../errors.ts'

/**
 * Byte layout of a serialised HnswAnnIndex (little-endian):
 *
 *   0  magic "EMHNSW" 0x00 0x01 (format version 1)
 *   8  u32 dimensions
 *  12  u32 m
 *  16  u32 efConstruction
 *  20  u32 labelCount          labels in use by hnswlib (live and deleted)
 *  24  u32 capacity            hnswlib max_elements when saved
 *  28  u32 graphLength         bytes of hnswlib's own saveIndex output
 *  32  u32 checksum            of everything after the header
 *  36  i32[labelCount]         label → slot, -1 for a deleted (reusable) label
 *  ..  graphLength bytes       hnswlib saveIndex output
 *
 * The checksum is verified before any byte reaches the wasm module: a corrupt snapshot must surface
 * as a StorageError (the caller rebuilds from records), never as an abort inside hnswlib.
 */
const MAGIC = [0x45, 0x4d, 0x48, 0x4e, 0x53, 0x57, 0x00, 0x01]
const HEADER_BYTES = 36

export interface SnapshotParts {
  dimensions: number
  m: number
  efConstruction: number
  capacity: number
  labelToSlot: Int32Array
  graph: Uint8Array
}

/** 32-bit multiplicative hash over 4-byte words (plus the tail bytes): fast and order sensitive. */
export function checksum(bytes: Uint8Array): number {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const words = bytes.byteLength >>> 2
  let h = 0x811c9dc5 ^ bytes.byteLength
  for (let i = 0; i < words; i++) {
    h = Math.imul(h ^ view.getUint32(i << 2, true), 0x01000193)
    h ^= h >>> 15
  }
  for (let i = words << 2; i < bytes.byteLength; i++) h = Math.imul(h ^ bytes[i]!, 0x01000193)
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b)
  return (h ^ (h >>> 13)) >>> 0
}

export function encodeSnapshot(parts: SnapshotParts): Uint8Array {
  const mapBytes = parts.labelToSlot.length * 4
  const out = new Uint8Array(HEADER_BYTES + mapBytes + parts.graph.byteLength)
  const view = new DataView(out.buffer)
  out.set(MAGIC, 0)
  view.setUint32(8, parts.dimensions, true)
  view.setUint32(12, parts.m, true)
  view.setUint32(16, parts.efConstruction, true)
  view.setUint32(20, parts.labelToSlot.length, true)
  view.setUint32(24, parts.capacity, true)
  view.setUint32(28, parts.graph.byteLength, true)
  for (let i = 0; i < parts.labelToSlot.length; i++) view.setInt32(HEADER_BYTES + i * 4, parts.labelToSlot[i]!, true)
  out.set(parts.graph, HEADER_BYTES + mapBytes)
  view.setUint32(32, checksum(out.subarray(HEADER_BYTES)), true)
  return out
}

function corrupt(reason: string): StorageError {
  return new StorageError(`hnsw index snapshot is unusable (${reason}); rebuild the index from its records`)
}

export function decodeSnapshot(bytes: Uint8Array, expectedDimensions: number): SnapshotParts {
  if (bytes.byteLength < HEADER_BYTES) throw corrupt(`${bytes.byteLength} bytes is shorter than the header`)
  for (let i = 0; i < MAGIC.length; i++) {
    if (bytes[i] !== MAGIC[i]) throw corrupt('not an edgemem hnsw snapshot, or an unknown format version')
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  const dimensions = view.getUint32(8, true)
  const labelCount = view.getUint32(20, true)
  const graphLength = view.getUint32(28, true)
  if (dimensions !== expectedDimensions) throw corrupt(`built for ${dimensions} dimensions, ${expectedDimensions} expected`)
  const expectedLength = HEADER_BYTES + labelCount * 4 + graphLength
  if (bytes.byteLength !== expectedLength) throw corrupt(`${bytes.byteLength} bytes where the header announces ${expectedLength}`)
  if (checksum(bytes.subarray(HEADER_BYTES)) !== view.getUint32(32, true)) throw corrupt('checksum mismatch')
  // hnswlib's own header (wasm32: size_t is 4 bytes) starts with offsetLevel0, maxElements, count.
  const graphStart = HEADER_BYTES + labelCount * 4
  if (graphLength < 12 || view.getUint32(graphStart + 8, true) !== labelCount) throw corrupt('label map and graph disagree')
  const labelToSlot = new Int32Array(labelCount)
  for (let i = 0; i < labelCount; i++) labelToSlot[i] = view.getInt32(HEADER_BYTES + i * 4, true)
  return {
    dimensions,
    m: view.getUint32(12, true),
    efConstruction: view.getUint32(16, true),
    capacity: view.getUint32(24, true),
    labelToSlot,
    graph: bytes.subarray(HEADER_BYTES + labelCount * 4),
  }
}
