// Types for `#hnswlib/wasm` (package.json "imports"): per-runtime modules in generated/hnswlib/ that
// produce the compiled hnswlib WebAssembly module (imported as a module in workerd, read from disk in
// Node, fetched elsewhere).

/** The .wasm's URL where it is fetched or read; undefined where the bundler imports it (workerd). */
export declare const wasmUrl: URL | undefined
export default function loadHnswlibWasm(): Promise<WebAssembly.Module>
/** Which per-runtime module package.json "imports" conditions selected: 'workerd', 'fetch' or 'node'. */
export declare const variant: 'workerd' | 'fetch' | 'node'
