// Node.js: its fetch() does not read file: URLs, so read the .wasm next to this file from disk.
import { readFile } from 'node:fs/promises'

/** Which per-runtime way of getting the module this is (diagnostics and tests). */
export const variant = 'node'

export const wasmUrl = new URL('./hnswlib.wasm', import.meta.url)

export default async function loadHnswlibWasm() {
  return WebAssembly.compile(await readFile(wasmUrl))
}
