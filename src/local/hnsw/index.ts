// The hnsw AnnIndex: hnswlib compiled to WebAssembly (see docs/hnsw.md).
export { createHnswIndexFactory, HNSW_DEFAULTS } from './factory.ts'
export type { HnswIndexFactory } from './factory.ts'
export { HnswAnnIndex } from './hnsw-index.ts'
export type { HnswWasmSource } from './load-module.ts'
