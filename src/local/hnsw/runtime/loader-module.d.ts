// Types for `#hnswlib/loader` (package.json "imports"): the patched emscripten loader that
// scripts/patch-hnswlib.mjs writes to generated/hnswlib/hnswlib.mjs.
import type { EmscriptenModuleOptions, HnswlibModule } from '../hnswlib-api.ts'

declare const createHnswlibModule: (options: EmscriptenModuleOptions) => Promise<HnswlibModule>
export default createHnswlibModule
