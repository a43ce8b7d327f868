/**
 * Storage for a partition's int8 vector rows and the kernel computing their dot products with a
 * query. Rows are padded to a multiple of 16 bytes. Small partitions keep rows in a JS Int8Array;
 * from MIN_SIMD_ROWS rows on they move into WebAssembly memory and use a WASM SIMD kernel
 * (`i32x4.dot_i16x8_s`, 16 products per step) where the runtime allows compiling WebAssembly from
 * bytes (browsers, Node, Deno, Bun). workerd forbids that, so there the JS loop is used.
 */
import { int8Dots } from './quantized.ts'
import { encodeName, encodeSection, encodeU32, WASM_HEADER } from './wasm-encoding.ts'

const MIN_SIMD_ROWS = 256
const PAGE = 65536

/** What the kernel computes per row: the int8 dot product, or the Hamming distance of packed bits. */
export type RowKernel = 'dot' | 'hamming'

/**
 * The kernel, assembled here (our own code, ~200 bytes; see docs/architecture.md):
 *   dots(matrix, query, stride, rows, out): for each row r < rows,
 *     'dot':     out[r] = Σ_i matrix[r·stride + i] · query[i]   (int8 × int8 → int32)
 *     'hamming': out[r] = Σ_i popcount(matrix[r·stride + i] xor query[i])   (bits set in one of them)
 *   (stride a multiple of 16 bytes; padding zero in rows and query, so it adds nothing)
 */
function kernelBytes(kernel: RowKernel): Uint8Array<ArrayBuffer> {
  const simd = (op: number, ...rest: number[]): number[] => [0xfd, ...encodeU32(op), ...rest]
  const get = (i: number): number[] => [0x20, i]
  const set = (i: number): number[] => [0x21, i]
  const i32 = (n: number): number[] => [0x41, n]
  // params: 0 matrix, 1 query, 2 stride, 3 rows, 4 out; locals: 5 row, 6 i, 7 rowPtr (i32), 8 acc, 9 a, 10 b (v128)
  const widenDot = (half: number): number[] => [...get(9), ...simd(half), ...get(10), ...simd(half), ...simd(186), ...simd(174)]
  // acc += i32x4.extadd_pairwise_u(i16x8.extadd_pairwise_u(i8x16.popcnt(a xor b)))
  const popcountXor = [...get(9), ...get(10), ...simd(81), ...simd(98), ...simd(125), ...simd(127), ...simd(174)]
  const accumulate = kernel === 'dot' ? [...widenDot(135), ...widenDot(136)] : popcountXor
  const body = [
    0x02,
    0x03,
    0x7f,
    0x03,
    0x7b, // locals: 3 × i32, 3 × v128
    0x02,
    0x40,
    0x03,
    0x40, // block $done, loop $rows
    ...get(5),
    ...get(3),
    0x4f,
    0x0d,
    0x01, // if row >= rows: break
    ...simd(12, ...new Array(16).fill(0)),
    ...set(8), // acc = 0
    ...i32(0),
    ...set(6),
    ...get(0),
    ...get(5),
    ...get(2),
    0x6c,
    0x6a,
    ...set(7), // rowPtr = matrix + row * stride
    0x02,
    0x40,
    0x03,
    0x40, // block, loop $inner
    ...get(6),
    ...get(2),
    0x4f,
    0x0d,
    0x01, // if i >= stride: break
    ...get(7),
    ...get(6),
    0x6a,
    ...simd(0, 0x00, 0x00),
    ...set(9), // a = v128.load(rowPtr + i)
    ...get(1),
    ...get(6),
    0x6a,
    ...simd(0, 0x00, 0x00),
    ...set(10), // b = v128.load(query + i)
    ...get(8),
    ...accumulate,
    ...set(8), // acc += dot(lo(a), lo(b)) + dot(hi(a), hi(b)), or popcount(a xor b)
    ...get(6),
    ...i32(16),
    0x6a,
    ...set(6),
    0x0c,
    0x00,
    0x0b,
    0x0b, // continue $inner; end loop; end block
    ...get(4),
    ...get(5),
    ...i32(2),
    0x74,
    0x6a, // &out[row]
    ...get(8),
    ...simd(27, 0),
    ...get(8),
    ...simd(27, 1),
    0x6a,
    ...get(8),
    ...simd(27, 2),
    0x6a,
    ...get(8),
    ...simd(27, 3),
    0x6a,
    0x36,
    0x02,
    0x00, // i32.store
    ...get(5),
    ...i32(1),
    0x6a,
    ...set(5),
    0x0c,
    0x00,
    0x0b,
    0x0b,
    0x0b, // continue $rows; end loop; end block; end func
  ]
  return new Uint8Array([
    ...WASM_HEADER,
    ...encodeSection(1, [0x01, 0x60, 0x05, 0x7f, 0x7f, 0x7f, 0x7f, 0x7f, 0x00]),
    ...encodeSection(2, [0x01, ...encodeName('env'), ...encodeName('memory'), 0x02, 0x00, 0x01]),
    ...encodeSection(3, [0x01, 0x00]),
    ...encodeSection(7, [0x01, ...encodeName('dots'), 0x00, 0x00]),
    ...encodeSection(10, [0x01, ...encodeU32(body.length), ...body]),
  ])
}

type DotsFn = (matrix: number, query: number, stride: number, rows: number, out: number) => void
const compiled = new Map<RowKernel, WebAssembly.Module | null>()

/** The compiled kernel, or null where WebAssembly, SIMD or compiling from bytes is unavailable. */
function simdModule(kernel: RowKernel = 'dot'): WebAssembly.Module | null {
  let module = compiled.get(kernel)
  if (module !== undefined) return module
  try {
    const bytes = kernelBytes(kernel)
    module = typeof WebAssembly === 'object' && WebAssembly.validate(bytes) ? new WebAssembly.Module(bytes) : null
  } catch {
    module = null // e.g. workerd: "Wasm code generation disallowed by embedder"
  }
  compiled.set(kernel, module)
  return module
}

export function simdAvailable(): boolean {
  return simdModule() !== null
}

interface WasmState {
  memory: WebAssembly.Memory
  dots: DotsFn
}

export class Int8Rows {
  readonly dimensions: number
  readonly stride: number
  private capacity: number
  private js: Int8Array | undefined
  private wasm: WasmState | undefined
  private readonly useSimd: boolean
  private readonly kernel: RowKernel

  /** `dimensions` is the row's length in bytes (int8 values, or packed bits for 'hamming'). */
  constructor(dimensions: number, capacity: number, options: { simd?: boolean; kernel?: RowKernel } = {}) {
    this.dimensions = dimensions
    this.kernel = options.kernel ?? 'dot'
    this.stride = Math.ceil(dimensions / 16) * 16
    this.capacity = Math.max(1, capacity)
    this.useSimd = options.simd ?? true
    this.js = new Int8Array(this.capacity * this.stride)
    if (this.capacity >= MIN_SIMD_ROWS) this.moveToWasm()
  }

  get usingSimd(): boolean {
    return this.wasm !== undefined
  }

  get byteLength(): number {
    return this.wasm ? this.wasm.memory.buffer.byteLength : this.js!.byteLength
  }

  /** The writable row (stride bytes; the padding stays zero). */
  row(slot: number): Int8Array {
    const start = slot * this.stride
    return this.wasm ? new Int8Array(this.wasm.memory.buffer, start, this.dimensions) : this.js!.subarray(start, start + this.dimensions)
  }

  clear(slot: number): void {
    this.row(slot).fill(0)
  }

  ensureCapacity(rows: number): void {
    if (rows <= this.capacity) return
    const next = Math.max(rows, this.capacity * 2)
    if (this.wasm) {
      this.growWasm(next)
      this.capacity = next
      return
    }
    const grown = new Int8Array(next * this.stride)
    grown.set(this.js!)
    this.js = grown
    this.capacity = next
    if (next >= MIN_SIMD_ROWS) this.moveToWasm()
  }

  /** Memory layout: rows from 0, then the query (stride bytes), then the int32 results. */
  private layout(rows: number): { query: number; out: number; bytes: number } {
    const query = this.capacity * this.stride
    const out = query + this.stride
    return { query, out, bytes: out + rows * 4 }
  }

  private moveToWasm(): void {
    const module = this.useSimd ? simdModule(this.kernel) : null
    if (!module) return
    const memory = new WebAssembly.Memory({ initial: Math.ceil(this.layout(this.capacity).bytes / PAGE) })
    const instance = new WebAssembly.Instance(module, { env: { memory } })
    new Int8Array(memory.buffer).set(this.js!)
    this.wasm = { memory, dots: instance.exports.dots as DotsFn }
    this.js = undefined
  }

  private growWasm(capacity: number): void {
    const { memory } = this.wasm!
    const needed = capacity * this.stride + this.stride + capacity * 4
    const pages = Math.ceil(needed / PAGE) - memory.buffer.byteLength / PAGE
    if (pages > 0) memory.grow(pages)
  }

  /** out[r] = int8 dot product (or Hamming distance) of row r with `query` for r < rows. */
  dots(query: Int8Array, rows: number, out: Int32Array): void {
    if (!this.wasm) {
      if (this.kernel === 'hamming') {
        hammingDistances(this.js!, query, this.stride, rows, out)
        return
      }
      const widened = new Int32Array(this.stride)
      widened.set(query)
      int8Dots(this.js!, widened, rows, out)
      return
    }
    const { query: queryAt, out: outAt } = this.layout(rows)
    const bytes = new Int8Array(this.wasm.memory.buffer)
    bytes.fill(0, queryAt, queryAt + this.stride)
    bytes.set(query, queryAt)
    this.wasm.dots(0, queryAt, this.stride, rows, outAt)
    out.set(new Int32Array(this.wasm.memory.buffer, outAt, rows))
  }
}

/** Bits set per byte value. */
const POPCOUNT = Uint8Array.from({ length: 256 }, (_, v) => {
  let n = 0
  for (let x = v; x > 0; x >>= 1) n += x & 1
  return n
})

/** The JS fallback of the 'hamming' kernel. */
function hammingDistances(matrix: Int8Array, query: Int8Array, stride: number, rows: number, out: Int32Array): void {
  const bytes = query.length
  for (let r = 0; r < rows; r++) {
    const base = r * stride
    let d = 0
    for (let i = 0; i < bytes; i++) d += POPCOUNT[(matrix[base + i]! ^ query[i]!) & 0xff]!
    out[r] = d
  }
}
