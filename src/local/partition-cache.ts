import type { PartitionKey } from './partition-keys.ts'
import type { PartitionState } from './partition-storage.ts'

/**
 * The partitions a store holds in memory: loaded on first use (one load at a time per partition),
 * kept in least-recently-used order and evicted above a memory budget, plus the keys of every
 * partition this process has seen (for scope-less listing before storage lists them).
 */
export class PartitionCache {
  /** Loaded partitions in least-recently-used order (Map iteration order). */
  private readonly loaded = new Map<PartitionKey, PartitionState>()
  private readonly loading = new Map<PartitionKey, Promise<PartitionState>>()
  readonly known = new Set<PartitionKey>()
  private readonly budgetBytes: number
  private readonly load: (part: PartitionKey) => Promise<PartitionState>

  /** `load` reads a partition from storage and prepares it (e.g. its graph) before it is cached. */
  constructor(budgetBytes: number, load: (part: PartitionKey) => Promise<PartitionState>) {
    this.budgetBytes = budgetBytes
    this.load = load
  }

  /** The loaded partitions, least recently used first. */
  entries(): IterableIterator<[PartitionKey, PartitionState]> {
    return this.loaded.entries()
  }

  has(part: PartitionKey): boolean {
    return this.loaded.has(part)
  }

  /** The partition's state, loading it if needed; marks it most recently used. */
  get(part: PartitionKey): Promise<PartitionState> {
    const ready = this.loaded.get(part)
    if (ready) {
      this.loaded.delete(part)
      this.loaded.set(part, ready)
      return Promise.resolve(ready)
    }
    let pending = this.loading.get(part)
    if (!pending) {
      const loading: Promise<PartitionState> = this.load(part)
        .then((state) => {
          this.loaded.set(part, state)
          this.known.add(part)
          this.evictOverBudget(part)
          return state
        })
        // Settled loads leave the map before anyone sees them settle: a later call starts a fresh load.
        .finally(() => {
          if (this.loading.get(part) === loading) this.loading.delete(part)
        })
      pending = loading
      this.loading.set(part, pending)
    }
    return pending
  }

  private evictOverBudget(keep: PartitionKey): void {
    let total = 0
    for (const state of this.loaded.values()) total += state.partition.memoryBytes
    for (const [part, state] of this.loaded) {
      if (total <= this.budgetBytes) break
      if (part === keep) continue
      total -= state.partition.memoryBytes
      state.partition.disposeAnn()
      this.loaded.delete(part)
    }
  }

  /** Drops a partition's in-memory state; the next use reloads it from storage. */
  forget(part: PartitionKey): void {
    this.loaded.get(part)?.partition.disposeAnn()
    this.loaded.delete(part)
    this.loading.delete(part)
  }

  /** Drops every loaded partition (and, with `known`, the seen keys too). */
  clear(options: { known?: boolean } = {}): void {
    for (const state of this.loaded.values()) state.partition.disposeAnn()
    this.loaded.clear()
    if (options.known) this.known.clear()
  }
}
