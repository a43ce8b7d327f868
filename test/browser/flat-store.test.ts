import { Int8Rows, simdAvailable } from '../../src/local/int8-rows.ts'
import { expect, it } from '../harness.ts'

// The flat store's conformance suite runs here from test/unit/flat-store.test.ts (test/matrix.ts).
it('computes int8 dot products correctly with whichever kernel this runtime allows', () => {
  const rows = new Int8Rows(40, 300)
  for (let r = 0; r < 300; r++) rows.row(r).set(Int8Array.from({ length: 40 }, (_, i) => ((r * 7 + i * 13) % 255) - 127))
  const query = Int8Array.from({ length: 40 }, (_, i) => ((i * 5) % 255) - 127)
  const out = new Int32Array(300)
  rows.dots(query, 300, out)
  let expected = 0
  for (let i = 0; i < 40; i++) expected += rows.row(123)[i]! * query[i]!
  expect(out[123]).toBe(expected)
  expect(rows.usingSimd).toBe(simdAvailable())
  // Chromium compiles WebAssembly from bytes: the SIMD kernel must be in use.
  expect(simdAvailable()).toBe(true)
})
