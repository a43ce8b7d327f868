// A WebAssembly SIMD body for hnswlib's InnerProductDistance(a, b, &dim) -> 1 - <a, b>.
//
// The published hnswlib-wasm binaries are built without -msimd128, so clang emits a scalar loop whose
// single accumulator forms one long dependency chain (384 dependent f32.add per distance). This body
// keeps four f32x4 accumulators (16 floats per iteration), then a 4-wide loop and a scalar tail, so any
// dimension is handled. The summation order is fixed, so results are bit-identical in every engine.
import { encodeS32, encodeU32 } from './wasm-binary.mjs'

const I32 = 0x7f
const F32 = 0x7d
const V128 = 0x7b

// Parameters 0..2 are (a, b, dimPtr); the locals declared below follow them.
const A = 0
const B = 1
const DIM_PTR = 2
const N = 3
const I = 4
const END16 = 5
const PA = 6
const PB = 7
const SUM = 8
const ACC = [9, 10, 11, 12]

const op = {
  block: () => [0x02, 0x40],
  loop: () => [0x03, 0x40],
  end: () => [0x0b],
  br: (depth) => [0x0c, ...encodeU32(depth)],
  brIf: (depth) => [0x0d, ...encodeU32(depth)],
  get: (local) => [0x20, ...encodeU32(local)],
  set: (local) => [0x21, ...encodeU32(local)],
  i32: (value) => [0x41, ...encodeS32(value)],
  i32Load: () => [0x28, 0x02, 0x00],
  i32Add: () => [0x6a],
  i32And: () => [0x71],
  i32Shl: () => [0x74],
  i32GeU: () => [0x4f],
  i32GtU: () => [0x4b],
  f32Load: () => [0x2a, 0x02, 0x00],
  f32Const1: () => [0x43, 0x00, 0x00, 0x80, 0x3f],
  f32Add: () => [0x92],
  f32Sub: () => [0x93],
  f32Mul: () => [0x94],
  v128Load: (offset) => [0xfd, 0x00, 0x00, ...encodeU32(offset)],
  f32x4Add: () => [0xfd, ...encodeU32(228)],
  f32x4Mul: () => [0xfd, ...encodeU32(230)],
  f32x4Lane: (lane) => [0xfd, ...encodeU32(31), lane],
}

/** base + (i << 2), i.e. the byte address of element i of the vector at `base`. */
const elementAddress = (base) => [...op.get(base), ...op.get(I), ...op.i32(2), ...op.i32Shl(), ...op.i32Add()]

export function simdInnerProductDistanceBody() {
  const locals = [
    [5, I32], // n, i, end16, pa, pb
    [1, F32], // sum
    [4, V128], // acc0..acc3
  ]
  const code = [
    // n = *dimPtr; end16 = n & ~15
    ...op.get(DIM_PTR),
    ...op.i32Load(),
    ...op.set(N),
    ...op.get(N),
    ...op.i32(-16),
    ...op.i32And(),
    ...op.set(END16),
    // 16 floats per iteration into four independent accumulators
    ...op.block(),
    ...op.loop(),
    ...op.get(I),
    ...op.get(END16),
    ...op.i32GeU(),
    ...op.brIf(1),
    ...elementAddress(A),
    ...op.set(PA),
    ...elementAddress(B),
    ...op.set(PB),
    ...[0, 1, 2, 3].flatMap((k) => [
      ...op.get(ACC[k]),
      ...op.get(PA),
      ...op.v128Load(16 * k),
      ...op.get(PB),
      ...op.v128Load(16 * k),
      ...op.f32x4Mul(),
      ...op.f32x4Add(),
      ...op.set(ACC[k]),
    ]),
    ...op.get(I),
    ...op.i32(16),
    ...op.i32Add(),
    ...op.set(I),
    ...op.br(0),
    ...op.end(),
    ...op.end(),
    // acc0 = (acc0 + acc1) + (acc2 + acc3)
    ...op.get(ACC[0]),
    ...op.get(ACC[1]),
    ...op.f32x4Add(),
    ...op.get(ACC[2]),
    ...op.get(ACC[3]),
    ...op.f32x4Add(),
    ...op.f32x4Add(),
    ...op.set(ACC[0]),
    // 4 floats at a time while at least 4 remain
    ...op.block(),
    ...op.loop(),
    ...op.get(I),
    ...op.i32(4),
    ...op.i32Add(),
    ...op.get(N),
    ...op.i32GtU(),
    ...op.brIf(1),
    ...op.get(ACC[0]),
    ...elementAddress(A),
    ...op.v128Load(0),
    ...elementAddress(B),
    ...op.v128Load(0),
    ...op.f32x4Mul(),
    ...op.f32x4Add(),
    ...op.set(ACC[0]),
    ...op.get(I),
    ...op.i32(4),
    ...op.i32Add(),
    ...op.set(I),
    ...op.br(0),
    ...op.end(),
    ...op.end(),
    // sum = (lane0 + lane1) + (lane2 + lane3)
    ...op.get(ACC[0]),
    ...op.f32x4Lane(0),
    ...op.get(ACC[0]),
    ...op.f32x4Lane(1),
    ...op.f32Add(),
    ...op.get(ACC[0]),
    ...op.f32x4Lane(2),
    ...op.get(ACC[0]),
    ...op.f32x4Lane(3),
    ...op.f32Add(),
    ...op.f32Add(),
    ...op.set(SUM),
    // scalar tail
    ...op.block(),
    ...op.loop(),
    ...op.get(I),
    ...op.get(N),
    ...op.i32GeU(),
    ...op.brIf(1),
    ...op.get(SUM),
    ...elementAddress(A),
    ...op.f32Load(),
    ...elementAddress(B),
    ...op.f32Load(),
    ...op.f32Mul(),
    ...op.f32Add(),
    ...op.set(SUM),
    ...op.get(I),
    ...op.i32(1),
    ...op.i32Add(),
    ...op.set(I),
    ...op.br(0),
    ...op.end(),
    ...op.end(),
    // distance = 1 - sum
    ...op.f32Const1(),
    ...op.get(SUM),
    ...op.f32Sub(),
    ...op.end(),
  ]
  return Uint8Array.from([...encodeU32(locals.length), ...locals.flatMap(([n, t]) => [...encodeU32(n), t]), ...code])
}
