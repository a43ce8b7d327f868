import { StorageError } from '../../errors.ts'
import type { KeyValueOp, KeyValueStore } from '../../interfaces/key-value-store.ts'
import { bytesEqual, concatBytes } from '../../util/bytes.ts'
import { decodeJson, encodeJson, storageCall, writeBatch } from '../../util/kv.ts'

/**
 * Crash-safe persistence of one graph partition in key-value storage, the same scheme as the vector
 * store's partitions (src/local/partition-storage.ts), for JSON state:
 *
 *   <base>/p/<part>/head                 {v, gen, tag, chunks, logFrom}  (commit point of a compaction)
 *   <base>/p/<part>/snap/<gen>.<tag>/<i>  snapshot of the partition, chunked below the value limit
 *   <base>/p/<part>/log/<seq>            one write batch each (commit point of a write); a batch larger
 *                                        than one value is written as parts <seq>/<i> first, then a
 *                                        small manifest at <seq>
 *   <base>/parts/<part>                  marker: the partition exists (for scope-less reads and reset)
 *
 * A crash between any two storage writes loses no acknowledged write and leaves a loadable state:
 * readers trust only the head and the log entries; parts and chunks nobody references are ignored.
 * Several writers are safe where the storage has `commitIf`: a log entry commits only if its sequence
 * number is free and the head is unchanged, so a writer that lost a race reloads and retries.
 */
export interface GraphHead {
  v: 1
  gen: number
  tag: string
  chunks: number
  logFrom: number
}

export interface LoadedLog<S> {
  state: S
  headBytes: Uint8Array | null
  head: GraphHead
  nextSeq: number
  logEntries: number
  logBytes: number
}

export class GraphWriteConflict extends Error {}

const EMPTY_HEAD: GraphHead = { v: 1, gen: 0, tag: '', chunks: 0, logFrom: 0 }
const MAX_LOAD_ATTEMPTS = 8

function randomTag(): string {
  let tag = ''
  for (const b of crypto.getRandomValues(new Uint8Array(6))) tag += b.toString(16).padStart(2, '0')
  return tag
}

function split(bytes: Uint8Array, size: number): Uint8Array[] {
  const out: Uint8Array[] = []
  for (let i = 0; i < bytes.byteLength; i += size) out.push(bytes.subarray(i, Math.min(bytes.byteLength, i + size)))
  return out.length > 0 ? out : [new Uint8Array(0)]
}

/** Moves between stored bytes and the partition's state; `apply` replays one log entry's operations. */
export interface GraphCodec<S, O> {
  empty(): S
  fromSnapshot(json: unknown): S
  toSnapshot(state: S): unknown
  apply(state: S, ops: O[]): void
}

export class GraphLog<S, O> {
  private readonly storage: KeyValueStore
  private readonly base: string
  private readonly codec: GraphCodec<S, O>
  private readonly chunkBytes: number

  constructor(storage: KeyValueStore, base: string, codec: GraphCodec<S, O>, chunkBytes?: number) {
    this.storage = storage
    this.base = base
    this.codec = codec
    // Parts and chunks are raw slices of one JSON value: the storage's value limit is the only bound.
    this.chunkBytes = Math.max(64, chunkBytes ?? Math.min(storage.maxValueBytes ?? Infinity, 1024 * 1024))
  }

  private prefix(part: string): string {
    return `${this.base}/p/${part}`
  }
  private headKey(part: string): string {
    return `${this.prefix(part)}/head`
  }
  private logPrefix(part: string): string {
    return `${this.prefix(part)}/log/`
  }
  private logKey(part: string, seq: number): string {
    return `${this.logPrefix(part)}${String(seq).padStart(12, '0')}`
  }
  private snapKey(part: string, head: GraphHead, i: number): string {
    return `${this.prefix(part)}/snap/${head.gen}.${head.tag}/${i}`
  }
  private markerKey(part: string): string {
    return `${this.base}/parts/${part}`
  }

  async partitions(): Promise<string[]> {
    const prefix = `${this.base}/parts/`
    const keys = await storageCall('listing graph partitions', () => this.storage.list(prefix))
    return keys.map((k) => k.slice(prefix.length))
  }

  readHead(part: string): Promise<Uint8Array | null> {
    return storageCall(`reading graph head of ${part}`, () => this.storage.get(this.headKey(part)))
  }

  /** Loads head, snapshot and log; starts over when a compaction moved the head meanwhile. */
  async load(part: string): Promise<LoadedLog<S>> {
    for (let attempt = 1; ; attempt++) {
      const headBytes = await this.readHead(part)
      const loaded = await this.loadFrom(part, headBytes)
      if (loaded && (attempt === MAX_LOAD_ATTEMPTS || bytesEqual(await this.readHead(part), headBytes))) return loaded
      if (!loaded && attempt === MAX_LOAD_ATTEMPTS) {
        throw new StorageError(`graph partition ${part}: a snapshot chunk the head names is missing (corrupted storage?)`)
      }
    }
  }

  private async loadFrom(part: string, headBytes: Uint8Array | null): Promise<LoadedLog<S> | undefined> {
    const head = headBytes === null ? EMPTY_HEAD : decodeJson<GraphHead>(headBytes, this.headKey(part))
    let state: S
    if (head.chunks === 0) state = this.codec.empty()
    else {
      const chunks = await storageCall(`reading graph snapshot of ${part}`, () =>
        Promise.all(Array.from({ length: head.chunks }, (_, i) => this.storage.get(this.snapKey(part, head, i)))),
      )
      if (chunks.some((c) => c === null)) return undefined
      state = this.codec.fromSnapshot(decodeJson(concatBytes(chunks as Uint8Array[]), this.snapKey(part, head, 0)))
    }
    const prefix = this.logPrefix(part)
    const keys = await storageCall(`listing graph log of ${part}`, () => this.storage.list(prefix))
    const seqs = keys
      .map((k) => k.slice(prefix.length))
      .filter((rest) => /^\d{12}$/.test(rest))
      .map(Number)
      .filter((seq) => seq >= head.logFrom)
      .sort((a, b) => a - b)
    const loaded: LoadedLog<S> = { state, headBytes, head, nextSeq: head.logFrom, logEntries: 0, logBytes: 0 }
    for (const seq of seqs) {
      if (seq !== loaded.nextSeq) break // entries are contiguous; a gap is a write that never committed
      const ops = await this.readEntry(part, seq)
      if (ops === undefined) return undefined
      this.codec.apply(state, ops.ops)
      loaded.nextSeq++
      loaded.logEntries++
      loaded.logBytes += ops.bytes
    }
    return loaded
  }

  private async readEntry(part: string, seq: number): Promise<{ ops: O[]; bytes: number } | undefined> {
    const key = this.logKey(part, seq)
    const bytes = await storageCall(`reading graph log entry ${key}`, () => this.storage.get(key))
    if (bytes === null) return undefined
    const value = decodeJson<{ ops?: O[]; parts?: number }>(bytes, key)
    if (value.parts === undefined) return { ops: value.ops ?? [], bytes: bytes.byteLength }
    const parts = await storageCall(`reading graph log entry ${key}`, () =>
      Promise.all(Array.from({ length: value.parts! }, (_, i) => this.storage.get(`${key}/${i}`))),
    )
    if (parts.some((p) => p === null)) throw new StorageError(`graph log entry ${key}: a part is missing (corrupted storage?)`)
    const whole = concatBytes(parts as Uint8Array[])
    return { ops: decodeJson<{ ops: O[] }>(whole, key).ops, bytes: whole.byteLength }
  }

  /** Brings a loaded partition up to date with entries other writers appended; false when the head moved. */
  async catchUp(part: string, loaded: LoadedLog<S>): Promise<boolean> {
    if (!bytesEqual(await this.readHead(part), loaded.headBytes)) return false
    for (;;) {
      const entry = await this.readEntry(part, loaded.nextSeq)
      if (entry === undefined) return true
      this.codec.apply(loaded.state, entry.ops)
      loaded.nextSeq++
      loaded.logEntries++
      loaded.logBytes += entry.bytes
    }
  }

  /**
   * Appends one batch of operations as the next log entry (its commit point). Throws GraphWriteConflict
   * when another writer took the sequence number or compacted first; the caller reloads and retries.
   */
  async append(part: string, loaded: LoadedLog<S>, ops: O[]): Promise<number> {
    const seq = loaded.nextSeq
    const key = this.logKey(part, seq)
    const body = encodeJson({ ops })
    if (loaded.nextSeq === 0 && loaded.headBytes === null) {
      await storageCall('writing graph partition marker', () => this.storage.set(this.markerKey(part), new Uint8Array([1])))
    }
    let value = body
    if (body.byteLength > this.chunkBytes) {
      const parts = split(body, this.chunkBytes)
      await storageCall(`writing graph log entry ${key}`, () =>
        writeBatch(
          this.storage,
          parts.map((p, i) => ({ key: `${key}/${i}`, value: p })),
        ),
      )
      value = encodeJson({ parts: parts.length })
    }
    if (this.storage.commitIf) {
      const done = await storageCall(`committing graph log entry ${key}`, () =>
        this.storage.commitIf!(
          [{ key, value }],
          [
            { key, equals: null },
            { key: this.headKey(part), equals: loaded.headBytes },
          ],
        ),
      )
      if (!done) throw new GraphWriteConflict(`graph partition ${part} changed meanwhile`)
    } else {
      await storageCall(`writing graph log entry ${key}`, () => this.storage.set(key, value))
    }
    loaded.nextSeq++
    loaded.logEntries++
    loaded.logBytes += body.byteLength
    return body.byteLength
  }

  /**
   * Writes the state as a new snapshot generation, switches the head to it (the commit point), then
   * removes the log entries and chunks the old head covered. Returns false when another writer moved
   * the head first (nothing of ours is then referenced).
   */
  async compact(part: string, loaded: LoadedLog<S>): Promise<boolean> {
    const head: GraphHead = { v: 1, gen: loaded.head.gen + 1, tag: randomTag(), chunks: 0, logFrom: loaded.nextSeq }
    const chunks = split(encodeJson(this.codec.toSnapshot(loaded.state) as object), this.chunkBytes)
    head.chunks = chunks.length
    await storageCall(`writing graph snapshot of ${part}`, () =>
      writeBatch(
        this.storage,
        chunks.map((value, i) => ({ key: this.snapKey(part, head, i), value })),
      ),
    )
    const headBytes = encodeJson(head)
    const headOp: KeyValueOp = { key: this.headKey(part), value: headBytes }
    let switched = true
    if (this.storage.commitIf) {
      switched = await storageCall(`switching graph head of ${part}`, () =>
        this.storage.commitIf!([headOp], [{ key: this.headKey(part), equals: loaded.headBytes }]),
      )
    } else {
      await storageCall(`switching graph head of ${part}`, () => this.storage.set(headOp.key, headBytes))
    }
    if (!switched) {
      await writeBatch(
        this.storage,
        chunks.map((_, i) => ({ key: this.snapKey(part, head, i), value: null })),
      ).catch(() => undefined)
      return false
    }
    const old = loaded.head
    loaded.head = head
    loaded.headBytes = headBytes
    loaded.logEntries = 0
    loaded.logBytes = 0
    // Cleanup of what the old head covered: garbage once the new head is written, so failures are harmless.
    try {
      const logKeys = (await this.storage.list(this.logPrefix(part))).filter((k) => {
        const seq = Number(k.slice(this.logPrefix(part).length).slice(0, 12))
        return seq < head.logFrom
      })
      const snapKeys = Array.from({ length: old.chunks }, (_, i) => this.snapKey(part, old, i))
      await writeBatch(
        this.storage,
        [...logKeys, ...snapKeys].map((key) => ({ key, value: null })),
      )
    } catch {
      // left for the next compaction or reset; readers ignore it
    }
    return true
  }
}
