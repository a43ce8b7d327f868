// Browsers, Deno and Bun: fetch the .wasm that sits next to this file. `new URL(..., import.meta.url)`
// is the pattern bundlers (Vite, webpack 5, Rollup, esbuild with a plugin) recognise and rewrite to the
// emitted asset's URL.
/** Which per-runtime way of getting the module this is (diagnostics and tests). */
export const variant = 'fetch'

export const wasmUrl = new URL('./hnswlib.wasm', import.meta.url)

export default async function loadHnswlibWasm() {
  const response = await fetch(wasmUrl)
  if (!response.ok) throw new Error(`fetching ${wasmUrl.href} failed: HTTP ${response.status}`)
  // compileStreaming needs the application/wasm content type, which file: URLs and some servers lack.
  if (typeof WebAssembly.compileStreaming === 'function' && response.headers.get('content-type') === 'application/wasm') {
    return WebAssembly.compileStreaming(response)
  }
  return WebAssembly.compile(await response.arrayBuffer())
}
