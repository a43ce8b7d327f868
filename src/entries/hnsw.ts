/**
 * `edgemem/hnsw`: registers the `hnsw` vector store (the local engine with an hnswlib WebAssembly index per
 * large partition). Every entry of edgemem but the workerd one registers it already; a Worker imports this
 * module to use it, and then ships the hnswlib glue and its .wasm (docs/worker.md, "Bundle").
 */
import { registerProvider } from '../registry.ts'
import { hnswProvider } from '../providers/vector-stores/hnsw.ts'

registerProvider(hnswProvider)

export { hnswProvider, hnswSchema, type HnswConfig } from '../providers/vector-stores/hnsw.ts'
