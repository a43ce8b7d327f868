// Node.js: its fetch() does not read file: URLs, so read the .wasm next to this file from disk.
import { readFile } from 'node:fs/promises'

export const wasmUrl = new URL('./hnswlib.wasm', import.meta.url)

export default async function loadHnswlibWasm() {
  return WebAssembly.compile(await readFile(wasmUrl))
}
