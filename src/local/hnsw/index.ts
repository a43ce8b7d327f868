// The hnsw AnnIndex: hnswlib compiled to WebAssembly (see docs/hnsw.md).
export { createHnswIndexFactory, HNSW_DEFAULTS, hnswIndexOptionsSchema } from './factory.ts'
export type { HnswIndexFactory, HnswIndexOptions } from './factory.ts'
export { HnswAnnIndex } from './hnsw-index.ts'
export type { HnswParameters } from './hnsw-index.ts'
export { loadHnswlib } from './load-module.ts'
export type { HnswWasmInput, HnswWasmSource } from './load-module.ts'
