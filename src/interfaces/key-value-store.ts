/**
 * Byte-oriented key-value storage under everything a local Memory persists: vector records, history
 * rows, index snapshots. Drivers stay minimal (bytes in, bytes out); JSON and batching helpers live in
 * util/kv.ts. Keys are printable ASCII, at most 512 bytes (the Workers KV limit).
 */
export type KeyValueOp = { key: string; value: Uint8Array | null } // null deletes the key
/** For `commitIf`: the key must hold exactly these bytes, or be absent when `equals` is null. */
export type KeyValueCondition = { key: string; equals: Uint8Array | null }

export interface KeyValueStore {
  readonly name: string
  /** Largest value the backend accepts; layers that write snapshots chunk below it. */
  readonly maxValueBytes?: number
  /** True when `batch` applies all of its operations or none (IndexedDB transaction, DO storage). */
  readonly atomicBatch?: boolean
  get(key: string): Promise<Uint8Array | null>
  set(key: string, value: Uint8Array): Promise<void>
  delete(key: string): Promise<void>
  /** Every key starting with `prefix`, sorted ascending. */
  list(prefix: string): Promise<string[]>
  /** Several writes in one call; drivers without it get sequential writes from util/kv.ts. */
  batch?(ops: KeyValueOp[]): Promise<void>
  /**
   * Applies `ops` atomically if and only if every condition holds (compare-and-set); returns whether
   * it did. Drivers with transactions implement it (memory, IndexedDB, Durable Objects). The local
   * engine uses it to notice a concurrent writer of the same data (another tab, process or isolate)
   * and retry on fresh state instead of overwriting that writer's acknowledged write. Without it
   * (Workers KV), one writer per collection is required; see docs/storage.md.
   */
  commitIf?(ops: KeyValueOp[], conditions: KeyValueCondition[]): Promise<boolean>
  close?(): Promise<void>
}
