import type {
  AddOptions,
  EntitySummary,
  GetAllOptions,
  HistoryEntry,
  Message,
  MemoryEvent,
  MemoryItem,
  ScopeOptions,
  SearchOptions,
  UpdateData,
  ExportOptions,
  ImportOptions,
  ImportResult,
  PortableRecord,
} from '../../src/index.workerd.ts'
import type { SerializedError } from '../http/errors.ts'

/**
 * What the Worker sends to a MemoryShard over Durable Object RPC, and what comes back. Everything is
 * plain data (structured clone); errors come back as values because class identity and codes do not
 * survive being thrown across RPC.
 */

/** Who the object is: its tenant and shard, and how many shards the tenant has (must never change). */
export interface ShardIdentity {
  tenant: string
  shard: number
  shards: number
}

export type ShardOperation =
  | { op: 'add'; messages: string | Message[]; options: AddOptions }
  | { op: 'search'; query: string; options: SearchOptions }
  | { op: 'get'; id: string }
  | { op: 'getAll'; options: GetAllOptions }
  | { op: 'update'; id: string; data: UpdateData }
  | { op: 'delete'; id: string }
  | { op: 'deleteAll'; options: ScopeOptions }
  | { op: 'history'; id: string }
  | { op: 'entities' }
  | { op: 'reset' }
  | { op: 'export'; options: ExportOptions }
  | { op: 'import'; records: PortableRecord[]; options: ImportOptions }

export interface ShardResults {
  add: { results: MemoryEvent[] }
  search: { results: MemoryItem[] }
  get: MemoryItem | null
  getAll: { results: MemoryItem[] }
  update: MemoryItem
  delete: null
  deleteAll: { deleted: number }
  history: HistoryEntry[]
  entities: EntitySummary[]
  reset: null
  /** JSON Lines of the shard's export (header first), streamed over RPC. */
  export: ReadableStream<Uint8Array>
  import: ImportResult
}

export type ShardReply<T = unknown> = { ok: true; value: T } | { ok: false; error: SerializedError }

/** Operations that change data: the first one persists the object's identity. */
export const WRITE_OPS: ReadonlySet<ShardOperation['op']> = new Set(['add', 'update', 'delete', 'deleteAll', 'import'])
