/**
 * `edgemem/client`: `RemoteMemory`, a Memory on an edgemem Worker over its REST API (docs/client.md).
 * Fetch-only and side-effect free: it registers no provider and loads none of the core's engines, so a
 * browser, Deno, Bun, Node or Worker app that only talks to a Worker ships just this client.
 */
export { RemoteMemory, type RemoteMemoryOptions } from './remote-memory.ts'
export * from '../errors.ts'
export type * from '../types.ts'
