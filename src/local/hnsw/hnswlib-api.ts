/**
 * The part of hnswlib-wasm-static's embind API that edgemem uses, typed by hand from its bindings
 * (0.8.5). Objects created from the module live in its WebAssembly heap and must be `delete()`d.
 */
export interface EmbindObject {
  delete(): void
  /** embind's handle; `ptr` is the C++ object's address in the heap. */
  readonly $$: { readonly ptr: number }
}

/** std::vector<float> (registered as "VectorFloat"): every float argument of the bindings is one. */
export interface VectorFloat extends EmbindObject {
  size(): number
  get(index: number): number
  resize(size: number, value: number): void
}

export interface HnswSearchOutput {
  /** 1 - inner product for the 'ip' space, ascending. */
  distances: number[]
  neighbors: number[]
}

export interface HierarchicalNSW extends EmbindObject {
  initIndex(maxElements: number, m: number, efConstruction: number, randomSeed: number): void
  /** Reads `/hnswlib-index/<filename>` from the module's file system. */
  readIndex(filename: string, maxElements: number): void
  /** Writes `/hnswlib-index/<filename>` to the module's file system. */
  writeIndex(filename: string): void
  resizeIndex(maxElements: number): void
  /** Inserts, or updates (and un-deletes) the element that already has this label. */
  addPoint(point: VectorFloat, label: number, replaceDeleted: boolean): void
  markDelete(label: number): void
  unmarkDelete(label: number): void
  searchKnn(query: VectorFloat, k: number, filter: ((label: number) => boolean) | undefined): HnswSearchOutput
  getCurrentCount(): number
  getMaxElements(): number
  setEfSearch(ef: number): void
}

export interface EmscriptenFS {
  writeFile(path: string, data: Uint8Array): void
  readFile(path: string): Uint8Array
  unlink(path: string): void
}

export interface HnswlibModule {
  HierarchicalNSW: new (space: 'ip' | 'l2' | 'cosine', dimensions: number, autoSaveFilename: string) => HierarchicalNSW
  VectorFloat: new () => VectorFloat
  EmscriptenFileSystemManager: { initializeFileSystem(type: 'IDBFS'): void }
  /** Exported by edgemem's build-time patch (scripts/patch-hnswlib.mjs). */
  readonly FS: EmscriptenFS
  /** Current heap views (replaced when the memory grows), exported by the same patch. */
  readonly HEAPU8: Uint8Array
  readonly HEAPF32: Float32Array
  /** Frees a C++ exception that surfaced in JavaScript. */
  decrementExceptionRefcount?(exception: unknown): void
}

export interface EmscriptenModuleOptions {
  instantiateWasm(
    imports: WebAssembly.Imports,
    receiveInstance: (instance: WebAssembly.Instance, module: WebAssembly.Module) => void,
  ): object
  print?(text: string): void
  printErr?(text: string): void
}

/** Directory the bindings' readIndex/writeIndex resolve file names against. */
export const INDEX_DIRECTORY = '/hnswlib-index'
