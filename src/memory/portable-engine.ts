import { ConfigError } from '../errors.ts'
import type { exportRecords } from '../portable/export.ts'
import type { importRecords } from '../portable/import.ts'

/**
 * Where `Memory.export` and `Memory.import` find their reader and writer (src/portable/). Every entry
 * provides them (src/entries/portable.ts) except the workerd one: wrangler inlines dynamic imports, so
 * only a module that is never imported stays out of a Worker that does not export or import
 * (`import 'edgemem/portable'` brings it in; the Worker app does).
 */
export interface PortableEngine {
  exportRecords: typeof exportRecords
  importRecords: typeof importRecords
}

let engine: PortableEngine | undefined

export function providePortableEngine(provided: PortableEngine): void {
  engine = provided
}

export function portableEngine(operation: 'export' | 'import'): PortableEngine {
  if (!engine) {
    throw new ConfigError(
      operation,
      `Memory.${operation} needs the portable format's reader and writer, which the Cloudflare Workers entry leaves out to keep Worker bundles small: add import 'edgemem/portable' (docs/format.md)`,
    )
  }
  return engine
}
