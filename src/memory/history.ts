import type { KeyValueOp, KeyValueStore } from '../interfaces/key-value-store.ts'
import type { HistoryEntry, MemoryEventType } from '../types.ts'
import { uuidv4 } from '../util/id.ts'
import { decodeJson, encodeJson, getJson, setJson, storageCall, writeBatch } from '../util/kv.ts'

/** From this many memories on, listMany lists the whole history prefix once instead of once per memory. */
const LIST_MANY_THRESHOLD = 32

export function newHistoryEntry(
  memoryId: string,
  event: MemoryEventType,
  previousValue: string | null,
  newValue: string | null,
  at: number,
  id: string = uuidv4(),
): HistoryEntry {
  return { id, memoryId, event, previousValue, newValue, createdAt: new Date(at).toISOString() }
}

/** History rows announced before the change they describe (see HistoryStore.begin). */
export interface HistoryJournal {
  key: string
  rows: { key: string; entry: HistoryEntry }[]
}

/**
 * Change history of memories, one key per entry under the memory's id so that reading one memory's
 * history is a single prefix listing, in order:
 *   <collection>/history/<memory id>/<15-digit ms>-<6-digit sequence>
 *
 * A memory change and its history rows live in two stores (the vector store and this storage) that
 * share no transaction, so they are tied by a journal: the rows are written to
 * `<collection>/journal/<id>` before the change, the rows themselves after it, and the journal is
 * deleted last. A process that dies in between leaves the journal; the next start (recover) writes
 * each row whose change reached the store and removes the rows of changes that did not, so every
 * memory's history ends with its current state.
 */
export class HistoryStore {
  private readonly storage: KeyValueStore
  private readonly prefix: string
  private readonly journalPrefix: string
  private sequence = 0

  constructor(storage: KeyValueStore, collection: string) {
    this.storage = storage
    this.prefix = `${collection}/history/`
    this.journalPrefix = `${collection}/journal/`
  }

  /** Announces the rows of a change about to be written; undefined when there are none. */
  async begin(entries: HistoryEntry[]): Promise<HistoryJournal | undefined> {
    if (entries.length === 0) return undefined
    const ops = this.operations(entries)
    const journal = { key: `${this.journalPrefix}${uuidv4()}`, rows: ops.map((op, i) => ({ key: op.key, entry: entries[i]! })) }
    await storageCall('writing the history journal', () => setJson(this.storage, journal.key, { v: 1, rows: journal.rows }))
    return journal
  }

  /** After the change landed: writes the rows and retires the journal (one batch where the driver has one). */
  async finish(journal: HistoryJournal): Promise<void> {
    const ops = [...journal.rows.map(({ key, entry }) => ({ key, value: encodeJson(entry) })), { key: journal.key, value: null }]
    await storageCall('writing history', () => writeBatch(this.storage, ops))
  }

  /** After the change was undone: removes any row already written, then the journal. */
  async abandon(journal: HistoryJournal): Promise<void> {
    await storageCall('undoing history', () =>
      writeBatch(this.storage, [...journal.rows.map(({ key }) => ({ key, value: null })), { key: journal.key, value: null }]),
    )
  }

  /**
   * Settles the journals a dead process left: `landed` tells whether an entry's change is what the
   * store holds now. Returns how many journals were settled.
   */
  async recover(landed: (entry: HistoryEntry) => Promise<boolean>): Promise<number> {
    const keys = await storageCall('listing the history journal', () => this.storage.list(this.journalPrefix))
    for (const key of keys) {
      const journal = await storageCall('reading the history journal', () => getJson<{ rows: HistoryJournal['rows'] }>(this.storage, key))
      const ops: KeyValueOp[] = []
      for (const { key: rowKey, entry } of journal?.rows ?? []) {
        ops.push({ key: rowKey, value: (await landed(entry)) ? encodeJson(entry) : null })
      }
      await storageCall('settling the history journal', () => writeBatch(this.storage, [...ops, { key, value: null }]))
    }
    return keys.length
  }

  private memoryPrefix(memoryId: string): string {
    return `${this.prefix}${encodeURIComponent(memoryId)}/`
  }

  /** The write operations for the entries (so callers can batch them with other writes). */
  operations(entries: HistoryEntry[]): KeyValueOp[] {
    return entries.map((entry) => {
      this.sequence = (this.sequence + 1) % 1_000_000
      const key = `${this.memoryPrefix(entry.memoryId)}${String(Date.parse(entry.createdAt)).padStart(15, '0')}-${String(this.sequence).padStart(6, '0')}`
      return { key, value: encodeJson(entry) }
    })
  }

  /**
   * The histories of many memories (an export's page). Drivers answer `list` by scanning (memory, file,
   * Workers KV pages), so one listing of the whole history prefix serves a large page far better than a
   * listing per memory; a small page lists per memory, cheap where lists are indexed.
   */
  async listMany(memoryIds: string[]): Promise<Map<string, HistoryEntry[]>> {
    const out = new Map<string, HistoryEntry[]>()
    if (memoryIds.length < LIST_MANY_THRESHOLD) {
      const lists = await Promise.all(memoryIds.map((id) => this.list(id)))
      for (const [i, id] of memoryIds.entries()) out.set(id, lists[i]!)
      return out
    }
    const wanted = new Map(memoryIds.map((id) => [this.memoryPrefix(id), id]))
    const keys = await storageCall('listing history', () => this.storage.list(this.prefix))
    const chosen = keys.filter((key) => wanted.has(key.slice(0, key.lastIndexOf('/') + 1)))
    const values = await storageCall('reading history', () => Promise.all(chosen.map((key) => this.storage.get(key))))
    for (const id of memoryIds) out.set(id, [])
    chosen.forEach((key, i) => {
      const bytes = values[i]
      if (bytes) out.get(wanted.get(key.slice(0, key.lastIndexOf('/') + 1))!)!.push(decodeJson<HistoryEntry>(bytes, key))
    })
    return out
  }

  async list(memoryId: string): Promise<HistoryEntry[]> {
    return storageCall(`reading history of ${memoryId}`, async () => {
      const keys = await this.storage.list(this.memoryPrefix(memoryId))
      const values = await Promise.all(keys.map((key) => this.storage.get(key)))
      return values.flatMap((bytes, i) => (bytes === null ? [] : [decodeJson<HistoryEntry>(bytes, keys[i])]))
    })
  }
}
