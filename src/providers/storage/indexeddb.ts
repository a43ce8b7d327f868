import { type IDBPDatabase, openDB } from 'idb'
import { StorageError } from '../../errors.ts'
import { bytesEqual } from '../../util/bytes.ts'
import type { KeyValueCondition, KeyValueOp, KeyValueStore } from '../../interfaces/key-value-store.ts'
import type { IndexedDbStorageConfig } from './indexeddb-config.ts'

const STORE = 'kv'
const VERSION = 1
const DEFAULT_DB_NAME = 'edgemem'
/** How long an open may wait for other tabs to close older connections before failing. */
const BLOCKED_TIMEOUT_MS = 10_000

/** Everything after `prefix` in string order: keys are printable ASCII, so U+FFFF sorts after all. */
const prefixRange = (prefix: string): IDBKeyRange | undefined => (prefix === '' ? undefined : IDBKeyRange.bound(prefix, `${prefix}\uffff`))

/** A copy whose buffer holds exactly these bytes: structured clone copies a view's whole buffer. */
function ownBytes(value: Uint8Array): Uint8Array {
  return value.byteOffset === 0 && value.byteLength === value.buffer.byteLength && value.buffer instanceof ArrayBuffer
    ? value
    : value.slice()
}

/** What IndexedDB holds at a key (undefined when absent) as the KeyValueStore sees it. */
const storedBytes = (stored: unknown): Uint8Array | null | undefined =>
  stored === undefined ? null : stored instanceof Uint8Array ? stored : undefined

function isQuotaError(err: unknown): boolean {
  return err instanceof Error && (err.name === 'QuotaExceededError' || /quota/i.test(err.message))
}

/**
 * Browser storage on IndexedDB (through `idb`): one database, one object store of byte values keyed by
 * string. `batch` is one readwrite transaction, so it applies entirely or not at all, and `commitIf`
 * checks its conditions inside that transaction (compare-and-set); writes ask for strict durability so
 * an acknowledged write survives a crash. A connection closes itself when another
 * tab needs to upgrade or delete the database and reopens on next use.
 */
export class IndexedDbStorage implements KeyValueStore {
  readonly name = 'indexeddb'
  readonly atomicBatch = true
  readonly dbName: string
  private db: Promise<IDBPDatabase> | undefined
  private closed = false

  constructor(config: IndexedDbStorageConfig = {}) {
    this.dbName = config.dbName ?? DEFAULT_DB_NAME
  }

  async get(key: string): Promise<Uint8Array | null> {
    return this.run(`get "${key}"`, async (db) => {
      const value: unknown = await db.get(STORE, key)
      if (value === undefined) return null
      if (value instanceof Uint8Array) return value
      throw new StorageError(`IndexedDB "${this.dbName}" holds a non-byte value at "${key}" (written by something else?)`)
    })
  }

  async set(key: string, value: Uint8Array): Promise<void> {
    await this.write(`set "${key}"`, value.byteLength, [{ key, value }])
  }

  async delete(key: string): Promise<void> {
    await this.write(`delete "${key}"`, 0, [{ key, value: null }])
  }

  async list(prefix: string): Promise<string[]> {
    return this.run(`list "${prefix}"`, async (db) => (await db.getAllKeys(STORE, prefixRange(prefix))).map(String))
  }

  async batch(ops: KeyValueOp[]): Promise<void> {
    if (ops.length === 0) return
    const bytes = ops.reduce((n, op) => n + (op.value?.byteLength ?? 0), 0)
    await this.write(`batch of ${ops.length} writes`, bytes, ops)
  }

  /**
   * Compare-and-set: reads the condition keys and applies `ops` in the same readwrite transaction.
   * IndexedDB runs readwrite transactions on one store one at a time (across tabs too), so no other
   * writer can slip in between the check and the writes.
   */
  async commitIf(ops: KeyValueOp[], conditions: KeyValueCondition[]): Promise<boolean> {
    const bytes = ops.reduce((n, op) => n + (op.value?.byteLength ?? 0), 0)
    return this.write(`conditional batch of ${ops.length} writes`, bytes, ops, conditions)
  }

  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    const db = this.db
    this.db = undefined
    if (db) (await db.catch(() => undefined))?.close()
  }

  /**
   * One readwrite transaction for all `ops`, in order: committed together or not at all. With
   * `conditions`, the ops are applied only when every condition holds; returns whether they were.
   */
  private async write(
    what: string,
    bytes: number,
    ops: readonly KeyValueOp[],
    conditions: readonly KeyValueCondition[] = [],
  ): Promise<boolean> {
    const values = ops.map((op) => (op.value === null ? null : ownBytes(op.value)))
    return this.run(what, async (db) => {
      const tx = db.transaction(STORE, 'readwrite', { durability: 'strict' })
      if (conditions.length > 0) {
        // Only IndexedDB requests are awaited here, which keeps the transaction active.
        const current = await Promise.all(conditions.map((c) => tx.store.get(c.key)))
        if (
          !conditions.every((c, i) => {
            const bytes = storedBytes(current[i])
            return bytes !== undefined && bytesEqual(bytes, c.equals)
          })
        ) {
          await tx.done
          return false
        }
      }
      const requests: Promise<unknown>[] = []
      try {
        ops.forEach((op, i) => {
          const value = values[i]
          requests.push(value === null || value === undefined ? tx.store.delete(op.key) : tx.store.put(value, op.key))
        })
      } catch (err) {
        // A request that throws synchronously (DataError, DataCloneError, ...) must not let the ones
        // already queued commit when the transaction goes idle.
        for (const request of requests) request.catch(() => undefined)
        tx.abort()
        await tx.done.catch(() => undefined)
        throw err
      }
      // A failed request (quota exceeded, disk error) aborts the transaction; tx.done then rejects with
      // the transaction's error and nothing of the batch is stored.
      await Promise.all([...requests.map((r) => r.catch(() => undefined)), tx.done])
      return true
    }).catch((err: unknown) => {
      const cause = err instanceof StorageError ? err.cause : err
      if (isQuotaError(cause)) {
        throw new StorageError(
          `IndexedDB "${this.dbName}": storage quota exceeded during ${what} (${bytes} bytes); nothing from this ` +
            'write was stored. Free space (delete memories, clear old site data) or request persistent storage ' +
            'with navigator.storage.persist().',
          { cause },
        )
      }
      throw err
    })
  }

  private async run<T>(what: string, fn: (db: IDBPDatabase) => Promise<T>): Promise<T> {
    const db = await this.connection()
    try {
      return await fn(db)
    } catch (err) {
      if (err instanceof StorageError) throw err
      const detail = err instanceof Error ? `${err.name}: ${err.message}` : String(err)
      throw new StorageError(`IndexedDB "${this.dbName}": ${what} failed: ${detail}`, { cause: err })
    }
  }

  private connection(): Promise<IDBPDatabase> {
    if (this.closed) return Promise.reject(new StorageError(`IndexedDB storage "${this.dbName}" is closed`))
    if (typeof indexedDB === 'undefined') {
      return Promise.reject(new StorageError('IndexedDB is not available in this runtime; use the "memory" or "cloudflare-kv" storage'))
    }
    this.db ??= this.open()
    return this.db
  }

  private open(): Promise<IDBPDatabase> {
    let timer: ReturnType<typeof setTimeout> | undefined
    const forget = (): void => {
      if (this.db === opening) this.db = undefined
    }
    const opened = openDB(this.dbName, VERSION, {
      upgrade(db) {
        if (!db.objectStoreNames.contains(STORE)) db.createObjectStore(STORE)
      },
      blocked: () => {
        // Another tab holds an older version open and has not closed it yet.
        timer ??= setTimeout(() => rejectBlocked(), BLOCKED_TIMEOUT_MS)
      },
      blocking: () => {
        // Another tab wants to upgrade or delete the database: step aside, reopen on next use.
        forget()
        void opened.then(
          (db) => db.close(),
          () => {},
        )
      },
      terminated: forget,
    })
    let rejectBlocked: () => void = () => {}
    const blocked = new Promise<never>((_, reject) => {
      rejectBlocked = () =>
        reject(
          new StorageError(`IndexedDB "${this.dbName}" cannot open: another tab keeps an older version open; close other tabs of this app`),
        )
    })
    const opening: Promise<IDBPDatabase> = Promise.race([opened, blocked])
      .catch((err: unknown) => {
        forget()
        // A late open after the timeout must not leak a connection.
        void opened.then(
          (db) => db.close(),
          () => {},
        )
        if (err instanceof StorageError) throw err
        const detail = err instanceof Error ? `${err.name}: ${err.message}` : String(err)
        throw new StorageError(`IndexedDB "${this.dbName}" could not be opened: ${detail}`, { cause: err })
      })
      .finally(() => clearTimeout(timer))
    return opening
  }
}

export function createIndexedDbStorage(config: IndexedDbStorageConfig = {}): KeyValueStore {
  return new IndexedDbStorage(config)
}
