// The portable format's public API (docs/format.md), re-exported by src/api.ts.
export { decodeJsonLines, encodeJsonLines } from './jsonl.ts'
export { splitLines, DEFAULT_MAX_LINE_BYTES, type DecodeOptions } from './lines.ts'
export { FORMAT_VERSION, parseRecord } from './records.ts'
export type {
  EmbedderIdentity,
  EntityRecord,
  ExportHeader,
  HistoryRecord,
  MemoryRecord,
  PortableRecord,
  RelationRecord,
} from './records.ts'
export type { ExportOptions } from './export.ts'
export type { ImportOptions, ImportProgress, ImportResult } from './import.ts'
