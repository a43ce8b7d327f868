import type {
  AddOptions,
  EntitySummary,
  GetAllOptions,
  HistoryEntry,
  JsonObject,
  Message,
  MemoryEvent,
  MemoryItem,
  ScopeOptions,
  SearchOptions,
  ExportOptions,
  ImportOptions,
  ImportResult,
  PortableRecord,
} from '../../src/index.workerd.ts'

/**
 * The Memory operations of one tenant, whatever the storage mode. A `Memory` satisfies it directly
 * (kv and remote modes); the durable-object mode routes each call to the tenant's shard objects.
 */
export interface TenantMemory {
  add(messages: string | Message[], options: AddOptions): Promise<{ results: MemoryEvent[] }>
  search(query: string, options: SearchOptions): Promise<{ results: MemoryItem[] }>
  get(id: string): Promise<MemoryItem | null>
  getAll(options: GetAllOptions): Promise<{ results: MemoryItem[] }>
  update(id: string, data: { text?: string; metadata?: JsonObject }): Promise<MemoryItem>
  delete(id: string): Promise<void>
  deleteAll(options: ScopeOptions): Promise<{ deleted: number }>
  history(id: string): Promise<HistoryEntry[]>
  entities(): Promise<EntitySummary[]>
  reset(): Promise<void>
  /** The portable records of a scope (or of the whole tenant), streamed (docs/format.md). */
  export(options: ExportOptions): AsyncIterable<PortableRecord>
  /** Imports records (the header first); the caller bounds how many (the request's size limit). */
  import(records: PortableRecord[], options: ImportOptions): Promise<ImportResult>
}

/** Memories per tenant under the Worker's settings. */
export interface TenantMemories {
  forTenant(tenant: string): TenantMemory
}
