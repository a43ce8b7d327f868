/**
 * edgemem core: fetch-only, runs unchanged in browsers, Deno, Bun and Node. Registers every built-in
 * provider; the heavy and runtime-specific ones (transformers.js, the hnsw WebAssembly, IndexedDB, the
 * remote vector stores) load lazily on first use. Cloudflare Workers get src/index.workerd.ts instead
 * (package.json "exports" condition `workerd`).
 */
import { registerBuiltinProviders } from './builtins.ts'
import './entries/portable.ts'

registerBuiltinProviders()

export * from './api.ts'
// Loads the adapters' entries of the provider config types (declared in builtins.ts) with these types.
export type { AdapterConfigs } from './builtins.ts'
