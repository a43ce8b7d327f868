import type { KeyValueOp, KeyValueStore } from '../interfaces/key-value-store.ts'
import type { HistoryEntry, MemoryEventType } from '../types.ts'
import { uuidv4 } from '../util/id.ts'
import { decodeJson, encodeJson, storageCall, writeBatch } from '../util/kv.ts'

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

/**
 * Change history of memories, one key per entry under the memory's id so that reading one memory's
 * history is a single prefix listing, in order:
 *   <collection>/history/<memory id>/<15-digit ms>-<6-digit sequence>
 */
export class HistoryStore {
  private readonly storage: KeyValueStore
  private readonly prefix: string
  private sequence = 0

  constructor(storage: KeyValueStore, collection: string) {
    this.storage = storage
    this.prefix = `${collection}/history/`
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

  async append(entries: HistoryEntry[]): Promise<void> {
    if (entries.length === 0) return
    await storageCall('writing history', () => writeBatch(this.storage, this.operations(entries)))
  }

  async list(memoryId: string): Promise<HistoryEntry[]> {
    return storageCall(`reading history of ${memoryId}`, async () => {
      const keys = await this.storage.list(this.memoryPrefix(memoryId))
      const values = await Promise.all(keys.map((key) => this.storage.get(key)))
      return values.flatMap((bytes, i) => (bytes === null ? [] : [decodeJson<HistoryEntry>(bytes, keys[i])]))
    })
  }
}
