import { bytesEqual, type KeyValueCondition, type KeyValueOp, type KeyValueStore, StorageError } from '../../src/internal.ts'

/**
 * Size of one stored row. SQLite-backed Durable Objects accept rows up to 2 MB; 1 MiB leaves headroom
 * for the key and row overhead. Larger values are split over several rows of the same key (`part` 0..n),
 * so any size works, but the engine is told this limit and sizes its snapshot chunks and write batches
 * below it, which keeps a read of one value to one row.
 */
export const DO_ROW_BYTES = 1024 * 1024

const TABLE = 'edgemem_kv'

/** The smallest string greater than every string starting with `prefix` (keys are printable ASCII). */
function upperBound(prefix: string): string | undefined {
  for (let i = prefix.length - 1; i >= 0; i--) {
    const code = prefix.charCodeAt(i)
    if (code < 0xffff) return prefix.slice(0, i) + String.fromCharCode(code + 1)
  }
  return undefined
}

/** A fresh ArrayBuffer holding exactly these bytes (the SQL API binds ArrayBuffers, not views). */
function ownBuffer(bytes: Uint8Array): ArrayBuffer {
  return bytes.slice().buffer as ArrayBuffer
}

/**
 * A KeyValueStore over a Durable Object's SQLite storage: strongly consistent, and `batch` is one
 * SQLite transaction (all or nothing), so the engine can rely on atomic batches. All calls are
 * synchronous underneath (the SQL API is); the object's output gate holds responses until the writes
 * are durable, so a caller never sees an acknowledged write that could be lost.
 *
 * Table: (key TEXT, part INTEGER, value BLOB), primary key (key, part), without rowid so rows are stored
 * in key order and a prefix listing is a range scan. SQLite compares TEXT bytewise (UTF-8), which is the
 * same order as JavaScript's for the ASCII keys of the KeyValueStore contract.
 */
export class DurableObjectKeyValueStore implements KeyValueStore {
  readonly name = 'durable-object'
  readonly maxValueBytes = DO_ROW_BYTES
  readonly atomicBatch = true
  private readonly storage: DurableObjectStorage

  constructor(storage: DurableObjectStorage) {
    this.storage = storage
    this.storage.sql.exec(
      `CREATE TABLE IF NOT EXISTS ${TABLE} (key TEXT NOT NULL, part INTEGER NOT NULL, value BLOB NOT NULL, PRIMARY KEY (key, part)) WITHOUT ROWID`,
    )
  }

  async get(key: string): Promise<Uint8Array | null> {
    return this.call(`get "${key}"`, () => this.read(key))
  }

  private read(key: string): Uint8Array | null {
    const rows = this.storage.sql.exec<{ value: ArrayBuffer }>(`SELECT value FROM ${TABLE} WHERE key = ? ORDER BY part`, key).toArray()
    if (rows.length === 0) return null
    if (rows.length === 1) return new Uint8Array(rows[0]!.value)
    const total = rows.reduce((sum, row) => sum + row.value.byteLength, 0)
    const out = new Uint8Array(total)
    let offset = 0
    for (const row of rows) {
      out.set(new Uint8Array(row.value), offset)
      offset += row.value.byteLength
    }
    return out
  }

  /** Compare-and-set in one SQLite transaction (the engine's guard against a second writer). */
  async commitIf(ops: KeyValueOp[], conditions: KeyValueCondition[]): Promise<boolean> {
    return this.call(`conditional batch of ${ops.length} writes`, () =>
      this.storage.transactionSync(() => {
        if (!conditions.every((c) => bytesEqual(this.read(c.key), c.equals))) return false
        for (const op of ops) {
          if (op.value === null) this.storage.sql.exec(`DELETE FROM ${TABLE} WHERE key = ?`, op.key)
          else this.write(op.key, op.value)
        }
        return true
      }),
    )
  }

  async set(key: string, value: Uint8Array): Promise<void> {
    return this.call(`set "${key}"`, () => this.storage.transactionSync(() => this.write(key, value)))
  }

  async delete(key: string): Promise<void> {
    return this.call(`delete "${key}"`, () => {
      this.storage.sql.exec(`DELETE FROM ${TABLE} WHERE key = ?`, key)
    })
  }

  async list(prefix: string): Promise<string[]> {
    return this.call(`list "${prefix}"`, () => {
      const upper = upperBound(prefix)
      const cursor =
        upper === undefined
          ? this.storage.sql.exec<{ key: string }>(`SELECT key FROM ${TABLE} WHERE part = 0 AND key >= ? ORDER BY key`, prefix)
          : this.storage.sql.exec<{ key: string }>(
              `SELECT key FROM ${TABLE} WHERE part = 0 AND key >= ? AND key < ? ORDER BY key`,
              prefix,
              upper,
            )
      const keys: string[] = []
      for (const row of cursor) if (row.key.startsWith(prefix)) keys.push(row.key)
      return keys
    })
  }

  /** All operations in one SQLite transaction: a failure part-way leaves nothing applied. */
  async batch(ops: KeyValueOp[]): Promise<void> {
    if (ops.length > 0) await this.commitIf(ops, [])
  }

  /** Removes every key (used by reset). */
  clear(): void {
    this.storage.sql.exec(`DELETE FROM ${TABLE}`)
  }

  private write(key: string, value: Uint8Array): void {
    this.storage.sql.exec(`DELETE FROM ${TABLE} WHERE key = ?`, key)
    // An empty value still gets its row 0, so that it exists.
    const parts = Math.max(1, Math.ceil(value.byteLength / DO_ROW_BYTES))
    for (let part = 0; part < parts; part++) {
      const chunk = value.subarray(part * DO_ROW_BYTES, Math.min(value.byteLength, (part + 1) * DO_ROW_BYTES))
      this.storage.sql.exec(`INSERT INTO ${TABLE} (key, part, value) VALUES (?, ?, ?)`, key, part, ownBuffer(chunk))
    }
  }

  private call<T>(what: string, fn: () => T): Promise<T> {
    try {
      return Promise.resolve(fn())
    } catch (err) {
      const detail = err instanceof Error ? err.message : String(err)
      return Promise.reject(new StorageError(`Durable Object storage: ${what} failed: ${detail}`, { cause: err }))
    }
  }
}
