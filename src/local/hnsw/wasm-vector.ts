import type { HnswlibModule, VectorFloat } from './hnswlib-api.ts'

/** Reads the first field of a libc++ std::vector (its data pointer) at `address`. */
function vectorData(lib: HnswlibModule, vector: VectorFloat): number {
  return new DataView(lib.HEAPU8.buffer).getUint32(vector.$$.ptr, true)
}

/**
 * A std::vector<float> in the wasm heap reused for every vector passed to the bindings. The bindings
 * only accept their registered VectorFloat class, whose push_back/set cost one JS→wasm call per element
 * (~77 µs for 384 floats); instead the floats are copied straight into the vector's storage with one
 * typed-array set (well under 1 µs). The storage never moves because the vector is never resized.
 */
export class WasmVector {
  readonly vector: VectorFloat
  private readonly lib: HnswlibModule
  private readonly offset: number
  readonly dimensions: number

  constructor(lib: HnswlibModule, dimensions: number) {
    this.lib = lib
    this.dimensions = dimensions
    this.vector = new lib.VectorFloat()
    this.vector.resize(dimensions, 0)
    this.offset = vectorData(lib, this.vector) >>> 2
  }

  /** Copies `values` in and returns the VectorFloat to pass to a binding. */
  load(values: Float32Array): VectorFloat {
    // HEAPF32 is re-read each time: memory growth replaces the view (the offset stays valid).
    this.lib.HEAPF32.set(values, this.offset)
    return this.vector
  }

  dispose(): void {
    this.vector.delete()
  }
}

/**
 * Verifies, once per module, that writing through the heap lands where the bindings read (the libc++
 * vector layout and embind's `$$.ptr`), so a different build fails loudly instead of indexing garbage.
 */
export function checkVectorLayout(lib: HnswlibModule): void {
  const probe = new WasmVector(lib, 5)
  try {
    const values = Float32Array.of(1.5, -2.25, 3, 0.125, -7)
    probe.load(values)
    for (let i = 0; i < values.length; i++) {
      if (probe.vector.get(i) !== values[i]) {
        throw new Error('hnswlib VectorFloat layout check failed: the wasm build does not match the one edgemem was written for')
      }
    }
  } finally {
    probe.dispose()
  }
}
