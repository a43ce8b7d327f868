import { ConfigError } from '../../errors.ts'
import type { HnswlibModule } from './hnswlib-api.ts'
import { checkVectorLayout } from './wasm-vector.ts'

/**
 * Where the hnswlib WebAssembly binary comes from, when the runtime's default (package.json
 * `#hnswlib/wasm`, see docs/hnsw.md) does not fit: a compiled module (required in workerd, where
 * compiling bytes is forbidden), the bytes, a URL to fetch (e.g. a bundler's `?url` import), a fetch
 * Response, or a function returning any of these.
 */
export type HnswWasmInput = WebAssembly.Module | ArrayBuffer | ArrayBufferView | URL | string | Response
export type HnswWasmSource = HnswWasmInput | (() => HnswWasmInput | Promise<HnswWasmInput>)

const FIELD = 'vectorStore.config.wasm'

async function compileInput(input: HnswWasmInput): Promise<WebAssembly.Module> {
  if (input instanceof WebAssembly.Module) return input
  if (input instanceof ArrayBuffer || ArrayBuffer.isView(input)) return WebAssembly.compile(input as BufferSource)
  const response = input instanceof Response ? input : await fetch(input)
  if (!response.ok) throw new Error(`fetching ${response.url || String(input)} answered HTTP ${response.status}`)
  if (response.headers.get('content-type') === 'application/wasm' && typeof WebAssembly.compileStreaming === 'function') {
    return WebAssembly.compileStreaming(response)
  }
  return WebAssembly.compile(await response.arrayBuffer())
}

/** Compiles the hnswlib wasm from `source`, or the runtime's default when undefined. */
export async function compileHnswlibWasm(source: HnswWasmSource | undefined): Promise<WebAssembly.Module> {
  try {
    if (source === undefined) {
      // Resolved per runtime through package.json "imports" conditions; imported lazily so apps that
      // never use hnsw (or pass their own source) do not load or bundle-resolve it eagerly.
      const runtimeDefault = await import('#hnswlib/wasm')
      return await runtimeDefault.default()
    }
    return await compileInput(typeof source === 'function' ? await source() : source)
  } catch (err) {
    const detail = err instanceof Error ? err.message : String(err)
    throw new ConfigError(
      FIELD,
      `could not load the hnswlib WebAssembly module (${detail}). Pass { wasm } to the hnsw vector store: ` +
        'a WebAssembly.Module (workerd: import wasm from "edgemem/hnswlib.wasm?module"), its bytes, or its URL ' +
        '(see docs/hnsw.md, "Loading per runtime").',
      { cause: err },
    )
  }
}

async function instantiate(source: HnswWasmSource | undefined): Promise<HnswlibModule> {
  const wasmModule = await compileHnswlibWasm(source)
  const { default: createHnswlibModule } = await import('#hnswlib/loader')
  // Emscripten never settles its promise when instantiateWasm fails, so failures race it.
  let fail: (err: unknown) => void = () => {}
  const failed = new Promise<never>((_, reject) => {
    fail = reject
  })
  const lib = await Promise.race([
    createHnswlibModule({
      instantiateWasm(imports, receiveInstance) {
        WebAssembly.instantiate(wasmModule, imports).then((instance) => receiveInstance(instance, wasmModule), fail)
        return {}
      },
      print: () => {},
    }),
    failed,
  ])
  // The patched loader keeps the index directory in in-memory MEMFS (no IndexedDB involved).
  lib.EmscriptenFileSystemManager.initializeFileSystem('IDBFS')
  checkVectorLayout(lib)
  return lib
}

let shared: Promise<HnswlibModule> | undefined

/**
 * The process-wide hnswlib instance: one WebAssembly instance (one heap) holds every index, so loading
 * happens once. The first caller's `source` wins; a failed load is retried by the next caller.
 */
export function loadHnswlib(source?: HnswWasmSource): Promise<HnswlibModule> {
  shared ??= instantiate(source).catch((err: unknown) => {
    shared = undefined
    throw err
  })
  return shared
}
