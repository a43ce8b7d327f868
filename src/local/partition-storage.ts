import { StorageError } from '../errors.ts'
import type { KeyValueOp, KeyValueStore } from '../interfaces/key-value-store.ts'
import { bytesEqual, concatBytes } from '../util/bytes.ts'
import { decodeJson, encodeJson, storageCall, writeBatch } from '../util/kv.ts'
import type { AnnIndexFactory } from './ann-index.ts'
import { decodeOps, encodeOps, encodeOpsChunked, type RecordOp } from './codec.ts'
import { KeywordIndex } from './keyword-index.ts'
import { Partition } from './partition.ts'

/**
 * How one partition lives in key-value storage. Records are the source of truth: an append-only log of
 * write batches plus a compacted snapshot (segments). The ANN index snapshot is a cache stored next to
 * the segments of the same generation; it can always be rebuilt from the records.
 *
 *   <base>/p/<part>/head              {v, gen, tag, segments, logFrom, ann?, kw?}  (commit point of compaction)
 *   <base>/p/<part>/seg/<gen>.<tag>/<i>  snapshot records, chunked below the storage's value limit
 *   <base>/p/<part>/ann/<gen>.<tag>/<i>  ANN index bytes of the same generation, chunked
 *   <base>/p/<part>/kw/<gen>.<tag>/<i>   keyword index of the same generation (a cache too), chunked
 *   <base>/p/<part>/log/<seq>         one write batch each (commit point of a write); a batch larger
 *                                     than a storage value is written as parts <seq>/<i> first, then a
 *                                     small manifest at <seq> (still the commit point)
 *   <base>/parts/<part>               marker: the partition exists (for scope-less listing)
 *   <base>/ids/<id>                   which partition holds the id (for get/delete by id)
 *
 * Write order (a crash between any two storage writes loses no acknowledged write and leaves a
 * loadable state): marker and id pointers first, the log entry last. Compaction writes the new
 * generation's segments and ANN chunks, then the head, then deletes what the old head referenced.
 * Dangling id pointers and orphaned chunks are harmless: readers only trust the head and the log.
 *
 * Several writers of one partition (browser tabs, processes, isolates) are safe where the storage has
 * `commitIf` (compare-and-set): a log entry commits only if its sequence number is free and the head
 * is still the one the writer loaded, and a compaction switches the head only if it is unchanged
 * (its chunks carry a random tag, so concurrent compactions never mix). A writer that lost a race gets
 * WriteConflict and retries on fresh state instead of overwriting. A load that sees the head move
 * while reading starts over. Without `commitIf` (Workers KV), one writer is required.
 */
export class WriteConflict extends Error {
  constructor(what: string) {
    super(`another writer changed this partition first (${what})`)
  }
}
interface Head {
  v: 1
  gen: number
  /** Random per compaction: keys of one generation never collide with a concurrent compaction's. */
  tag?: string
  segments: number
  logFrom: number
  ann?: { factory: string; chunks: number }
  kw?: { chunks: number }
}

const EMPTY_HEAD: Head = { v: 1, gen: 0, segments: 0, logFrom: 0 }
const MAX_LOAD_ATTEMPTS = 8

const generation = (head: Head): string => (head.tag ? `${head.gen}.${head.tag}` : String(head.gen))

function randomTag(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(6))
  let tag = ''
  for (const b of bytes) tag += b.toString(16).padStart(2, '0')
  return tag
}

/** A key the head pointed at disappeared: if the head moved meanwhile, the load starts over. */
class MovedWhileLoading extends Error {}
const MANIFEST_MAGIC = 0x31504d45 // "EMP1": a log entry stored in parts

function manifest(parts: number): Uint8Array {
  const bytes = new Uint8Array(8)
  const view = new DataView(bytes.buffer)
  view.setUint32(0, MANIFEST_MAGIC, true)
  view.setUint32(4, parts, true)
  return bytes
}

function manifestParts(bytes: Uint8Array): number | undefined {
  if (bytes.byteLength !== 8) return undefined
  const view = new DataView(bytes.buffer, bytes.byteOffset, 8)
  return view.getUint32(0, true) === MANIFEST_MAGIC ? view.getUint32(4, true) : undefined
}
const LOG_PROBE_WINDOW = 8

export interface PartitionState {
  partition: Partition
  head: Head
  /** The head as stored (null before the first compaction): the compare-and-set expectation. */
  headBytes: Uint8Array | null
  nextSeq: number
  logEntries: number
  /** Record operations in the log since the snapshot (what a reload replays, also into the ANN index). */
  logRecords: number
  logBytes: number
  segmentBytes: number
  /** Log entries stored in parts, by sequence number: their part keys are removed with them. */
  partedEntries: Map<number, number>
}

export class PartitionStorage {
  readonly storage: KeyValueStore
  readonly base: string
  private readonly chunkBytes: number

  constructor(storage: KeyValueStore, base: string, chunkBytes?: number) {
    this.storage = storage
    this.base = base
    // Stay well below the driver's limit (Workers KV: 25 MiB) and keep single values quick to write.
    this.chunkBytes = chunkBytes ?? Math.min(storage.maxValueBytes ?? Infinity, 8 * 1024 * 1024) - 1024
  }

  private partPrefix(part: string): string {
    return `${this.base}/p/${part}`
  }
  private headKey(part: string): string {
    return `${this.partPrefix(part)}/head`
  }
  private logKey(part: string, seq: number): string {
    return `${this.partPrefix(part)}/log/${String(seq).padStart(12, '0')}`
  }
  private logPartKey(part: string, seq: number, i: number): string {
    return `${this.logKey(part, seq)}/${i}`
  }
  private segmentKey(part: string, head: Head, i: number): string {
    return `${this.partPrefix(part)}/seg/${generation(head)}/${i}`
  }
  private annKey(part: string, head: Head, i: number): string {
    return `${this.partPrefix(part)}/ann/${generation(head)}/${i}`
  }
  private keywordKey(part: string, head: Head, i: number): string {
    return `${this.partPrefix(part)}/kw/${generation(head)}/${i}`
  }
  markerKey(part: string): string {
    return `${this.base}/parts/${part}`
  }
  idKey(id: string): string {
    return `${this.base}/ids/${encodeURIComponent(id)}`
  }

  async listPartitions(): Promise<string[]> {
    const prefix = `${this.base}/parts/`
    const keys = await storageCall('listing partitions', () => this.storage.list(prefix))
    return keys.map((key) => key.slice(prefix.length))
  }

  async lookupPartition(id: string): Promise<string | null> {
    const bytes = await storageCall(`reading id pointer of "${id}"`, () => this.storage.get(this.idKey(id)))
    return bytes === null ? null : new TextDecoder().decode(bytes)
  }

  /** Reads a cache snapshot's chunks back into one value; undefined when unreadable (rebuilt instead). */
  private async readCache(keys: string[]): Promise<Uint8Array | undefined> {
    try {
      const chunks = await Promise.all(keys.map((key) => this.storage.get(key)))
      return chunks.every((c) => c !== null) ? concatBytes(chunks as Uint8Array[]) : undefined
    } catch {
      return undefined
    }
  }

  /**
   * Loads a partition: head, snapshot segments, caches, then the log. Starts over when the head moved
   * meanwhile (another writer compacted and removed what this load was reading), so the result is
   * always one consistent state.
   */
  async load(part: string, dimensions: number, ann: AnnIndexFactory | undefined, keywords = false): Promise<PartitionState> {
    for (let attempt = 1; ; attempt++) {
      const headBytes = await this.readHead(part)
      try {
        const state = await this.loadFrom(part, headBytes, dimensions, ann, keywords)
        if (attempt === MAX_LOAD_ATTEMPTS || bytesEqual(await this.readHead(part), headBytes)) return state
        state.partition.disposeAnn()
      } catch (err) {
        if (!(err instanceof MovedWhileLoading)) throw err
        if (bytesEqual(await this.readHead(part), headBytes) || attempt === MAX_LOAD_ATTEMPTS) throw err.cause
      }
    }
  }

  private readHead(part: string): Promise<Uint8Array | null> {
    return storageCall(`reading head of partition ${part}`, () => this.storage.get(this.headKey(part)))
  }

  private async loadFrom(
    part: string,
    headBytes: Uint8Array | null,
    dimensions: number,
    ann: AnnIndexFactory | undefined,
    keywords: boolean,
  ): Promise<PartitionState> {
    const head = headBytes === null ? EMPTY_HEAD : decodeJson<Head>(headBytes, this.headKey(part))
    const segmentValues = await Promise.all(
      Array.from({ length: head.segments }, (_, i) => this.mustGet(this.segmentKey(part, head, i), part)),
    )
    let segmentBytes = 0
    let capacity = 0
    const segments = segmentValues.map((bytes, i) => {
      segmentBytes += bytes.byteLength
      const decoded = decodeOps(bytes, dimensions, this.segmentKey(part, head, i)).ops
      capacity += decoded.length
      return decoded
    })
    const partition = new Partition(part, dimensions, capacity + 16, { keywords })
    let keywordSnapshot: KeywordIndex | undefined
    if (keywords && head.kw) {
      const bytes = await this.readCache(Array.from({ length: head.kw.chunks }, (_, i) => this.keywordKey(part, head, i)))
      try {
        keywordSnapshot = bytes && KeywordIndex.restore(bytes)
      } catch {
        keywordSnapshot = undefined // a cache: rebuilt from the records below
      }
    }
    for (const ops of segments) partition.apply(ops, { keywords: keywordSnapshot === undefined })
    if (keywordSnapshot && !partition.attachKeywords(keywordSnapshot)) partition.rebuildKeywords()

    const { entries, nextSeq, logBytes, partedEntries } = await this.readLog(part, head.logFrom, dimensions)
    if (ann && head.ann?.factory === ann.name && head.ann.chunks > 0) {
      const bytes = await this.readCache(Array.from({ length: head.ann.chunks }, (_, i) => this.annKey(part, head, i)))
      try {
        partition.ann = bytes && (await ann.restore(dimensions, bytes))
      } catch {
        partition.ann = undefined
      }
      // The snapshot is a cache: one that is unreadable or does not match the records is rebuilt later.
      if (partition.ann && partition.ann.size !== partition.size) partition.disposeAnn()
    }
    for (const ops of entries) partition.apply(ops)
    partition.finishLoad()
    const logRecords = entries.reduce((n, ops) => n + ops.length, 0)
    return { partition, head, headBytes, nextSeq, logEntries: entries.length, logRecords, logBytes, segmentBytes, partedEntries }
  }

  private async mustGet(key: string, part: string): Promise<Uint8Array> {
    const bytes = await storageCall(`reading ${key}`, () => this.storage.get(key))
    if (bytes === null) {
      const lost = new StorageError(`partition ${part}: "${key}" is referenced by the partition head but missing; the storage lost data`)
      throw new MovedWhileLoading(lost.message, { cause: lost })
    }
    return bytes
  }

  /** Reads consecutive log entries from `from` until the first missing one, a window at a time. */
  private async readLog(
    part: string,
    from: number,
    dimensions: number,
  ): Promise<{ entries: RecordOp[][]; nextSeq: number; logBytes: number; partedEntries: Map<number, number> }> {
    const entries: RecordOp[][] = []
    const partedEntries = new Map<number, number>()
    let seq = from
    let logBytes = 0
    for (;;) {
      const window = await Promise.all(
        Array.from({ length: LOG_PROBE_WINDOW }, (_, i) =>
          storageCall(`reading log of partition ${part}`, () => this.storage.get(this.logKey(part, seq + i))),
        ),
      )
      for (let bytes of window) {
        if (bytes === null) return { entries, nextSeq: seq, logBytes, partedEntries }
        const parts = manifestParts(bytes)
        if (parts !== undefined) {
          const at = seq
          bytes = concatBytes(await Promise.all(Array.from({ length: parts }, (_, i) => this.mustGet(this.logPartKey(part, at, i), part))))
          partedEntries.set(seq, parts)
        }
        logBytes += bytes.byteLength
        entries.push(decodeOps(bytes, dimensions, this.logKey(part, seq)).ops)
        seq++
      }
    }
  }

  /**
   * Persists one write batch. The log entry is the commit point, written last (or together, when the
   * driver's batch is atomic). `newIds`/`removedIds` maintain the id pointers.
   */
  async append(state: PartitionState, ops: RecordOp[], newIds: string[], removedIds: string[], isNewPartition: boolean): Promise<number> {
    const part = state.partition.key
    const entry = encodeOps(ops, state.partition.dimensions)
    const pointer = new TextEncoder().encode(part)
    const before: KeyValueOp[] = []
    if (isNewPartition) before.push({ key: this.markerKey(part), value: encodeJson({ created: Date.now() }) })
    for (const id of newIds) before.push({ key: this.idKey(id), value: pointer })
    // A batch too large for one value goes in parts; the manifest written last stays the commit point.
    const parts = entry.byteLength > this.chunkBytes ? split(entry, this.chunkBytes) : undefined
    if (parts)
      parts.forEach((value, i) => {
        before.push({ key: this.logPartKey(part, state.nextSeq, i), value })
      })
    const commit: KeyValueOp = { key: this.logKey(part, state.nextSeq), value: parts ? manifest(parts.length) : entry }
    const after: KeyValueOp[] = removedIds.map((id) => ({ key: this.idKey(id), value: null }))
    const committed = await storageCall(`writing to partition ${part}`, async () => {
      if (this.storage.commitIf) {
        // Only on a free sequence number and an unchanged head: else another writer got there first.
        return this.storage.commitIf(
          [...before, commit, ...after],
          [
            { key: commit.key, equals: null },
            { key: this.headKey(part), equals: state.headBytes },
          ],
        )
      }
      if (this.storage.atomicBatch && this.storage.batch) {
        await this.storage.batch([...before, commit, ...after])
      } else {
        await writeBatch(this.storage, before)
        await this.storage.set(commit.key, commit.value!)
        // A failure from here on is after the commit point: the write stands, pointers are repaired lazily.
        await writeBatch(this.storage, after).catch(() => undefined)
      }
      return true
    })
    if (!committed) throw new WriteConflict(`log entry ${state.nextSeq} of ${part}`)
    if (parts) state.partedEntries.set(state.nextSeq, parts.length)
    state.nextSeq++
    state.logEntries++
    state.logRecords += ops.length
    state.logBytes += entry.byteLength
    return entry.byteLength
  }

  /**
   * Writes a new generation (segments + ANN and keyword caches) under a fresh tag, switches the head to
   * it (compare-and-set where the storage can), then removes what the old head referenced.
   */
  async compact(state: PartitionState, ann: AnnIndexFactory | undefined): Promise<void> {
    const { partition, head } = state
    const part = partition.key
    const next: Head = { v: 1, gen: head.gen + 1, tag: randomTag(), segments: 0, logFrom: state.nextSeq }
    const segments = encodeOpsChunked(partition.snapshotOps(), partition.dimensions, this.chunkBytes)
    const annBytes = ann && partition.ann ? partition.ann.serialize() : undefined
    const annChunks = annBytes ? split(annBytes, this.chunkBytes) : []
    const keywordChunks = partition.keywords ? split(partition.keywords.serialize(), this.chunkBytes) : []
    next.segments = segments.length
    if (ann && annChunks.length > 0) next.ann = { factory: ann.name, chunks: annChunks.length }
    if (keywordChunks.length > 0) next.kw = { chunks: keywordChunks.length }
    const written: KeyValueOp[] = [
      ...segments.map((value, i) => ({ key: this.segmentKey(part, next, i), value })),
      ...annChunks.map((value, i) => ({ key: this.annKey(part, next, i), value })),
      ...keywordChunks.map((value, i) => ({ key: this.keywordKey(part, next, i), value })),
    ]
    await storageCall(`compacting partition ${part}`, () => writeBatch(this.storage, written))
    const nextBytes = encodeJson(next)
    const switched = await storageCall(`switching partition ${part} to generation ${next.gen}`, async () => {
      const headOp = [{ key: this.headKey(part), value: nextBytes }]
      if (this.storage.commitIf) return this.storage.commitIf(headOp, [{ key: this.headKey(part), equals: state.headBytes }])
      await this.storage.set(this.headKey(part), nextBytes)
      return true
    })
    if (!switched) {
      await writeBatch(
        this.storage,
        written.map(({ key }) => ({ key, value: null })),
      ).catch(() => undefined)
      throw new WriteConflict(`generation ${next.gen} of ${part}`)
    }
    state.head = next
    state.headBytes = nextBytes
    state.logEntries = 0
    state.logRecords = 0
    state.logBytes = 0
    state.segmentBytes = segments.reduce((n, s) => n + s.byteLength, 0)
    const garbage: KeyValueOp[] = []
    for (let i = 0; i < head.segments; i++) garbage.push({ key: this.segmentKey(part, head, i), value: null })
    for (let i = 0; i < (head.ann?.chunks ?? 0); i++) garbage.push({ key: this.annKey(part, head, i), value: null })
    for (let i = 0; i < (head.kw?.chunks ?? 0); i++) garbage.push({ key: this.keywordKey(part, head, i), value: null })
    for (let seq = head.logFrom; seq < next.logFrom; seq++) {
      garbage.push({ key: this.logKey(part, seq), value: null })
      for (let i = 0; i < (state.partedEntries.get(seq) ?? 0); i++) garbage.push({ key: this.logPartKey(part, seq, i), value: null })
      state.partedEntries.delete(seq)
    }
    // Garbage left by a crash here is never read again (the head no longer points at it).
    await writeBatch(this.storage, garbage).catch(() => undefined)
  }
}

/** Copies, not views: IndexedDB's structured clone of a view would store its whole buffer. */
function split(bytes: Uint8Array, size: number): Uint8Array[] {
  const out: Uint8Array[] = []
  for (let at = 0; at < bytes.byteLength; at += size) out.push(bytes.slice(at, Math.min(at + size, bytes.byteLength)))
  return out
}
