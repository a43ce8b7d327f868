import { Int8Rows, simdAvailable } from '../../../src/local/int8-rows.ts'
import { LocalVectorStore } from '../../../src/local/local-vector-store.ts'
import { MemoryStorage } from '../../../src/providers/storage/memory.ts'
import { describeVectorStoreConformance } from '../../conformance/vector-store.ts'
import { expect, it } from '../../harness.ts'
import { runtime } from '../../support/runtime.ts'

describeVectorStoreConformance('flat over memory storage', async () => {
  const storage = new MemoryStorage()
  const open = async () => new LocalVectorStore({ name: 'flat', storage, collection: 'conformance' })
  return { store: await open(), reopen: open }
})

// Tiny snapshot chunks and eager compaction exercise the chunked segment path on every write.
describeVectorStoreConformance('flat with 4 KiB snapshot chunks', async () => {
  const storage = new MemoryStorage()
  const open = async () => new LocalVectorStore({ name: 'flat', storage, collection: 'chunked', chunkBytes: 4096 })
  return { store: await open(), reopen: open }
})

// The int8 kernel behind exact search: WebAssembly SIMD wherever WebAssembly can be compiled from bytes,
// the JS loop in workerd (which forbids that). Same results either way; the kernel choice is checked too.
it(`computes int8 dot products correctly with the kernel ${runtime} allows`, () => {
  const rows = new Int8Rows(40, 300)
  for (let r = 0; r < 300; r++) rows.row(r).set(Int8Array.from({ length: 40 }, (_, i) => ((r * 7 + i * 13) % 255) - 127))
  const query = Int8Array.from({ length: 40 }, (_, i) => ((i * 5) % 255) - 127)
  const out = new Int32Array(300)
  rows.dots(query, 300, out)
  for (const r of [0, 123, 299]) {
    let expected = 0
    for (let i = 0; i < 40; i++) expected += rows.row(r)[i]! * query[i]!
    expect(out[r]).toBe(expected)
  }
  expect(simdAvailable()).toBe(runtime !== 'workerd')
  expect(rows.usingSimd).toBe(runtime !== 'workerd')
})

// The sign-bit kernel behind the approximate first pass: popcount of xor, same numbers in every runtime.
it(`computes Hamming distances of packed bits correctly with the kernel ${runtime} allows`, () => {
  const bytes = 48
  const rows = new Int8Rows(bytes, 300, { kernel: 'hamming' })
  for (let r = 0; r < 300; r++) rows.row(r).set(Int8Array.from({ length: bytes }, (_, i) => ((r * 37 + i * 101) % 256) - 128))
  const query = Int8Array.from({ length: bytes }, (_, i) => ((i * 59) % 256) - 128)
  const out = new Int32Array(300)
  rows.dots(query, 300, out)
  const popcount = (x: number) => {
    let n = 0
    for (let v = x & 0xff; v > 0; v >>= 1) n += v & 1
    return n
  }
  for (const r of [0, 1, 150, 299]) {
    let expected = 0
    for (let i = 0; i < bytes; i++) expected += popcount(rows.row(r)[i]! ^ query[i]!)
    expect(out[r]).toBe(expected)
  }
  expect(rows.usingSimd).toBe(runtime !== 'workerd')
})
