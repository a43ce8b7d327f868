/**
 * The one internal entry: core pieces that code outside src/ (adapters/, workers/, test/, bench/) may
 * build on besides the public API of src/index.ts. Not a public API: it follows the core, with no
 * compatibility promise. Side-effect free (importing it registers no providers), so adapters can use it
 * without a cycle through the registry.
 */
export * from './errors.ts'
export * from './filters/index.ts'
export type * from './interfaces/vector-store.ts'
export type * from './types.ts'
export type { ProviderContext, ProviderDefinition } from './registry.ts'
// Provider modules (adapters/<name>.ts) register themselves when imported: the workerd entry needs that.
export { defineProvider, registerProvider } from './registry.ts'
export * from './provider-utils/index.ts'
export { decodeListCursor, encodeListCursor } from './util/list-cursor.ts'
export { base64ToBytes, bytesEqual, bytesToBase64, concatBytes } from './util/bytes.ts'
export { parseConfig } from './util/zod-errors.ts'
export type * from './interfaces/key-value-store.ts'
export { DEFAULT_GET_ALL_TOP_K, DEFAULT_SEARCH_TOP_K, MAX_TOP_K } from './memory/limits.ts'
export { parseUserFilters, resolveScope, type ScopeNaming, writeLockKey } from './memory/scope.ts'
export { sha256Hex } from './util/hash.ts'
export { decodeJson, encodeJson } from './util/kv.ts'
export { Lazy, SingleFlight } from './util/once.ts'
