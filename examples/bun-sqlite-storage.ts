// A persistent KeyValueStore for Bun scripts: one SQLite table through bun:sqlite. A batch is one
// transaction, so edgemem's writes land all together or not at all, and commitIf (compare-and-set in an
// IMMEDIATE transaction) lets several processes share the file safely. It passes edgemem's KeyValueStore
// conformance suite (test/unit/examples/storages.test.ts).
import { Database } from 'bun:sqlite'
import type { KeyValueOp, KeyValueStore } from 'edgemem'

type Condition = Parameters<NonNullable<KeyValueStore['commitIf']>>[1][number]

const sameBytes = (a: Uint8Array | null, b: Uint8Array | null): boolean =>
  a === null || b === null ? a === b : a.length === b.length && a.every((byte, i) => byte === b[i])

export class BunSqliteStorage implements KeyValueStore {
  readonly name = 'bun-sqlite'
  readonly atomicBatch = true
  private readonly db: Database

  /** `path` is the database file (created when missing); ':memory:' for a throwaway one. */
  constructor(path: string) {
    this.db = new Database(path, { create: true })
    this.db.run('PRAGMA journal_mode = WAL')
    this.db.run('CREATE TABLE IF NOT EXISTS kv (key TEXT PRIMARY KEY, value BLOB NOT NULL) WITHOUT ROWID')
  }

  async get(key: string): Promise<Uint8Array | null> {
    const row = this.db.query<{ value: Uint8Array }, [string]>('SELECT value FROM kv WHERE key = ?').get(key)
    return row ? new Uint8Array(row.value) : null
  }

  async set(key: string, value: Uint8Array): Promise<void> {
    this.db.query('INSERT OR REPLACE INTO kv (key, value) VALUES (?, ?)').run(key, value)
  }

  async delete(key: string): Promise<void> {
    this.db.query('DELETE FROM kv WHERE key = ?').run(key)
  }

  async list(prefix: string): Promise<string[]> {
    // SQLite compares TEXT bytewise (BINARY collation): the same order as JavaScript for edgemem's ASCII keys.
    const rows = this.db
      .query<{ key: string }, [number, string]>('SELECT key FROM kv WHERE substr(key, 1, ?) = ? ORDER BY key')
      .all(prefix.length, prefix)
    return rows.map((row) => row.key)
  }

  async batch(ops: KeyValueOp[]): Promise<void> {
    this.db.transaction(() => this.apply(ops))()
  }

  async commitIf(ops: KeyValueOp[], conditions: Condition[]): Promise<boolean> {
    // IMMEDIATE takes the write lock before reading, so no other process can change a checked key.
    return this.db
      .transaction(() => {
        const read = this.db.query<{ value: Uint8Array }, [string]>('SELECT value FROM kv WHERE key = ?')
        if (!conditions.every((c) => sameBytes(read.get(c.key)?.value ?? null, c.equals))) return false
        this.apply(ops)
        return true
      })
      .immediate()
  }

  private apply(ops: KeyValueOp[]): void {
    const put = this.db.query('INSERT OR REPLACE INTO kv (key, value) VALUES (?, ?)')
    const remove = this.db.query('DELETE FROM kv WHERE key = ?')
    for (const op of ops) op.value === null ? remove.run(op.key) : put.run(op.key, op.value)
  }

  async close(): Promise<void> {
    this.db.close()
  }
}
