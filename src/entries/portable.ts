/**
 * `edgemem/portable`: gives `Memory.export` and `Memory.import` their reader and writer. Every entry of
 * edgemem includes it but the workerd one; a Worker that exports or imports imports this module
 * (docs/format.md, "In a Worker").
 */
import { providePortableEngine } from '../memory/portable-engine.ts'
import { exportRecords } from '../portable/export.ts'
import { importRecords } from '../portable/import.ts'

providePortableEngine({ exportRecords, importRecords })
