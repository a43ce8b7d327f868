/**
 * The one internal entry: core pieces that code outside src/ (adapters/, workers/, test/, bench/) may
 * build on besides the public API of src/index.ts. Not a public API: it follows the core, with no
 * compatibility promise. Side-effect free (importing it registers no providers), so adapters can use it
 * without a cycle through the registry (test/unit/boundaries.test.ts). Re-export what a caller uses;
 * `npm test` runs knip, which reports anything exported here that nobody imports.
 */
export * from './errors.ts'
export * from './filters/index.ts'
export type * from './interfaces/key-value-store.ts'
export type * from './interfaces/vector-store.ts'
export type * from './types.ts'
export type { ProviderContext, ProviderDefinition } from './registry.ts'
// Provider modules (adapters/<name>.ts) register themselves when imported: the workerd entry needs that.
export { defineProvider, registerProvider, resolveProvider } from './registry.ts'
// The memory layer's rules the Worker shares.
export { DEFAULT_GET_ALL_TOP_K, DEFAULT_SEARCH_TOP_K, MAX_TOP_K } from './memory/limits.ts'
export { parseUserFilters, resolveScope, writeLockKey } from './memory/scope.ts'
export { mergeEntities } from './memory/entities.ts'
// What every HTTP provider and adapter shares (docs/provider-utils.md).
export * from './provider-utils/index.ts'
// Small helpers.
export { bytesEqual, bytesToBase64 } from './util/bytes.ts'
export { sha256Hex } from './util/hash.ts'
export { hasLoneSurrogate } from './util/unicode.ts'
export { decodeJson, encodeJson } from './util/kv.ts'
export { decodeListCursor, encodeListCursor } from './util/list-cursor.ts'
export { Lazy, SingleFlight } from './util/once.ts'
export { streamChunks } from './util/stream.ts'
export { parseConfig } from './util/zod-errors.ts'
// The REST API's snake_case shapes (the Worker's routes and the MCP tools).
export * from './memory/wire.ts'
