import { type ExportOptions, Memory, type MemoryConfig, type PortableRecord } from '../../src/index.workerd.ts'
import type { TenantMemories, TenantMemory } from './tenant-memory.ts'

interface Entry {
  memory: Memory
  /** Calls in flight: an entry is only closed when idle, so no call ever runs on a closed Memory. */
  busy: number
}

/**
 * The kv and remote modes: one Memory per tenant, held by the isolate and shared by all its requests,
 * so the Memory's per-scope lock serialises concurrent writes to a scope within the isolate. At most
 * `capacity` tenants are kept; the least recently used idle ones are closed beyond that (their data
 * stays in KV or the remote store and is loaded again on the next request).
 *
 * Across isolates nothing is shared: see docs/worker.md for what that means for the kv mode.
 */
export class IsolateTenantMemories implements TenantMemories {
  private readonly entries = new Map<string, Entry>()
  private readonly configFor: (tenant: string) => MemoryConfig
  private readonly capacity: number

  constructor(configFor: (tenant: string) => MemoryConfig, capacity: number) {
    this.configFor = configFor
    this.capacity = capacity
  }

  /** How many tenants' Memories the isolate holds now (for tests). */
  get size(): number {
    return this.entries.size
  }

  forTenant(tenant: string): TenantMemory {
    const run = async <T>(call: (memory: Memory) => Promise<T>): Promise<T> => {
      const entry = this.acquire(tenant)
      try {
        return await call(entry.memory)
      } finally {
        entry.busy--
        this.evict()
      }
    }
    return {
      add: (messages, options) => run((m) => m.add(messages, options)),
      search: (query, options) => run((m) => m.search(query, options)),
      get: (id) => run((m) => m.get(id)),
      getAll: (options) => run((m) => m.getAll(options)),
      update: (id, data) => run((m) => m.update(id, data)),
      delete: (id) => run((m) => m.delete(id)),
      deleteAll: (options) => run((m) => m.deleteAll(options)),
      history: (id) => run((m) => m.history(id)),
      entities: () => run((m) => m.entities()),
      reset: () => run((m) => m.reset()),
      import: (records, options) => run((m) => m.import(records, options)),
      export: (options) => this.exportOf(tenant, options),
    }
  }

  /** Holds the tenant's Memory (busy) for as long as the export is read. */
  private async *exportOf(tenant: string, options: ExportOptions): AsyncGenerator<PortableRecord> {
    const entry = this.acquire(tenant)
    try {
      yield* entry.memory.export(options)
    } finally {
      entry.busy--
      this.evict()
    }
  }

  private acquire(tenant: string): Entry {
    let entry = this.entries.get(tenant)
    if (entry) {
      // Most recently used last (Map order).
      this.entries.delete(tenant)
    } else {
      entry = { memory: new Memory(this.configFor(tenant)), busy: 0 }
    }
    this.entries.set(tenant, entry)
    entry.busy++
    return entry
  }

  private evict(): void {
    for (const [tenant, entry] of this.entries) {
      if (this.entries.size <= this.capacity) return
      if (entry.busy > 0) continue
      this.entries.delete(tenant)
      void entry.memory.close()
    }
  }
}
