import { createHnswIndexFactory } from '../../src/local/hnsw/index.ts'
import { describeHnswAnnIndexSuite } from '../hnsw/ann-index-suite.ts'
import { expect, it } from '../harness.ts'

it('fetches the wasm as a browser does (package.json "imports" browser condition)', async () => {
  const wasmSource = await import('#hnswlib/wasm')
  expect(wasmSource.variant).toBe('fetch')
  expect(wasmSource.wasmUrl?.protocol).toMatch(/^https?:$/)
})

describeHnswAnnIndexSuite('chromium', () => createHnswIndexFactory())
