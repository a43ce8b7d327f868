// workerd (Cloudflare Workers) cannot compile WebAssembly from bytes at run time: the bundler (wrangler,
// @cloudflare/vite-plugin, vitest-pool-workers) turns this import into a precompiled WebAssembly.Module.
import wasmModule from './hnswlib.wasm'

export const wasmUrl = undefined

export default async function loadHnswlibWasm() {
  return wasmModule
}
