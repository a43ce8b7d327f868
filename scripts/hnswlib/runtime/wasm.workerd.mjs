// workerd (Cloudflare Workers) cannot compile WebAssembly from bytes at run time: the bundler turns this
// import into a precompiled WebAssembly.Module. The `?module` suffix is what both wrangler (esbuild) and
// the Cloudflare Vite/vitest plugins read as "CompiledWasm"; a bare `.wasm` import means ESM-integration
// instantiation to the Vite-based ones.
import wasmModule from './hnswlib.wasm?module'

/** Which per-runtime way of getting the module this is (diagnostics and tests). */
export const variant = 'workerd'

export const wasmUrl = undefined

export default async function loadHnswlibWasm() {
  return wasmModule
}
