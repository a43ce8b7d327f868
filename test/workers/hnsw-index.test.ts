import { createHnswIndexFactory } from '../../src/local/hnsw/index.ts'
import { describeHnswAnnIndexSuite } from '../hnsw/ann-index-suite.ts'
import { expect, it } from '../harness.ts'

it('gets the wasm as a precompiled module import (workerd cannot compile bytes)', async () => {
  const wasmSource = await import('#hnswlib/wasm')
  expect(wasmSource.variant).toBe('workerd')
  expect(await wasmSource.default()).toBeInstanceOf(WebAssembly.Module)
  // The reason for the module import: compiling from bytes is refused in workerd.
  await expect(WebAssembly.compile(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0]))).rejects.toThrow()
})

describeHnswAnnIndexSuite('workerd', () => createHnswIndexFactory())
