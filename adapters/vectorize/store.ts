import {
  ConfigError,
  DimensionMismatchError,
  Lazy,
  RemoteError,
  type Payload,
  type ScoredRecord,
  type StoredRecord,
  ValidationError,
  type VectorListPage,
  type VectorListQuery,
  type VectorRecord,
  type VectorSearchQuery,
  type VectorStore,
  type VectorStoreInit,
} from '../../src/internal.ts'
import { euclideanScore, type Metric } from '../shared/metric.ts'
import { listWithPostFilter, scoreEveryPage, searchWithPostFilter, type ServicePage } from '../shared/post-filter.ts'
import { uuidV5 } from '../shared/uuid-v5.ts'
import { assertUniformDimensions, checkDimensions, chunk, fromJsonVector, jsonBytes, toJsonVector } from '../shared/vectors.ts'
import {
  SERVICE,
  type VectorizeBinding,
  type VectorizeFilter,
  type VectorizeMatch,
  type VectorizeMetadata,
  VectorizeRestClient,
  type VectorizeVector,
} from './api.ts'
import type { VectorizeConfig } from './config.ts'
import { compileVectorizeFilter, type MetadataIndexType } from './filter.ts'

/** Vectorize's documented limits (developers.cloudflare.com/vectorize/platform/limits). */
export const VECTORIZE_LIMITS = {
  maxDimensions: 1536,
  /** topK with returnValues false and returnMetadata 'none' or 'indexed'. */
  maxTopK: 100,
  /** topK with returnValues true or returnMetadata 'all'. */
  maxTopKWithData: 20,
  maxMetadataBytes: 10 * 1024,
  maxIdBytes: 64,
  maxNamespaceBytes: 64,
  /** Vectors per upsert through a binding (the REST API takes 5000). */
  maxUpsertBatch: 1000,
  /** A filter's JSON. */
  maxFilterBytes: 2048,
} as const
/** Ids per getByIds / deleteByIds call (kept small: the ids travel in one request). */
const ID_BATCH = 20

/** The full payload, JSON-encoded (Vectorize metadata cannot hold null or lists of non-strings). */
const PAYLOAD_KEY = '_em_p'
/** The caller's id (the stored id is a UUIDv5 of namespace and id, at most 64 bytes whatever the id). */
const ID_KEY = '_em_id'
/** A 32-bit number from the stored id: listing pages through ranges of it (needs a number metadata index). */
export const HASH_KEY = '_em_h'
/** A stamp per write, so the adapter can tell when its write became visible. */
const WRITE_KEY = '_em_w'
export const DEFAULT_INDEXED_FIELDS: Readonly<Record<string, MetadataIndexType>> = {
  user_id: 'string',
  agent_id: 'string',
  run_id: 'string',
}

const ID_NAMESPACE = '2f7d0c1e-8a4b-5c3d-9e6f-0a1b2c3d4e5f'
const HASH_SPACE = 2 ** 32

const METRICS: Record<string, Metric> = { cosine: 'cosine', euclidean: 'euclidean', 'dot-product': 'dot' }

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms))
const byteLength = (value: string): number => new TextEncoder().encode(value).byteLength

/** Turns a binding's thrown error (a plain Error, e.g. "VECTOR_QUERY_ERROR (code = 40006): ...") into a typed one. */
function fromBinding(err: unknown, context: string): unknown {
  if (err instanceof RemoteError || err instanceof ValidationError) return err
  const message = err instanceof Error ? err.message : String(err)
  const dims = /expected (\d+) dimensions,? and got (\d+)/i.exec(message)
  if (dims) return new DimensionMismatchError(Number(dims[1]), Number(dims[2]), context, { cause: err })
  return new RemoteError(SERVICE, 0, `${context}: ${message}`, { cause: err })
}

export class VectorizeVectorStore implements VectorStore {
  readonly name = 'vectorize'
  readonly namespace: string
  private readonly api: VectorizeBinding
  private readonly binding: boolean
  private readonly indexedFields: Readonly<Record<string, MetadataIndexType>>
  private readonly configuredMetric: Metric | undefined
  private readonly visibilityTimeoutMs: number
  private readonly visibilityPollMs: number
  private readonly info = new Lazy(async () => {
    const described = await this.call('describe the index', () => this.api.describe())
    const dimensions = described.dimensions ?? described.config?.dimensions
    if (typeof dimensions !== 'number') throw new RemoteError(SERVICE, 0, 'describe() reported no dimensions')
    const reported = described.config?.metric
    const metric = reported === undefined ? (this.configuredMetric ?? 'cosine') : METRICS[reported]
    if (!metric) throw new ConfigError('metric', `Vectorize metric "${reported}" is not supported`)
    if (this.configuredMetric && this.configuredMetric !== metric) {
      throw new ConfigError('metric', `the index uses ${reported}, the config says ${this.configuredMetric}`)
    }
    return { dimensions, metric }
  })

  constructor(config: VectorizeConfig, collection: string) {
    this.namespace = config.namespace ?? collection
    if (byteLength(this.namespace) > VECTORIZE_LIMITS.maxNamespaceBytes) {
      throw new ConfigError(
        'namespace',
        `"${this.namespace}" is over ${VECTORIZE_LIMITS.maxNamespaceBytes} bytes; set vectorStore.config.namespace`,
      )
    }
    this.binding = config.index !== undefined
    this.api =
      config.index ??
      new VectorizeRestClient({
        accountId: config.accountId!,
        apiToken: config.apiToken!,
        indexName: config.indexName!,
        apiBase: config.apiBase,
        timeoutMs: config.timeoutMs,
        maxRetries: config.maxRetries,
        retryBaseDelayMs: config.retryBaseDelayMs,
      })
    this.indexedFields = config.indexedFields ?? DEFAULT_INDEXED_FIELDS
    this.configuredMetric = config.metric ? METRICS[config.metric] : undefined
    this.visibilityTimeoutMs = config.visibilityTimeoutMs ?? 60_000
    this.visibilityPollMs = config.visibilityPollMs ?? 500
  }

  get dimensions(): number | undefined {
    return this.info.current?.dimensions
  }

  get metric(): Metric | undefined {
    return this.info.current?.metric
  }

  /** Calls the binding or the REST client; a binding's plain errors become typed errors. */
  private async call<T>(context: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run()
    } catch (err) {
      throw this.binding ? fromBinding(err, context) : err
    }
  }

  async init(options: VectorStoreInit = {}): Promise<void> {
    const info = await this.info.get()
    if (options.dimensions !== undefined && options.dimensions !== info.dimensions) {
      throw new DimensionMismatchError(info.dimensions, options.dimensions, 'Vectorize index')
    }
  }

  private storedId(id: string): string {
    return uuidV5(`${this.namespace}\u0000${id}`, ID_NAMESPACE)
  }

  private static hashOf(storedId: string): number {
    return Number.parseInt(storedId.slice(0, 8), 16)
  }

  private encode(record: VectorRecord, stamp: string): VectorizeVector {
    if (typeof record.id !== 'string' || record.id.length === 0) throw new ValidationError('record ids must be non-empty strings')
    const id = this.storedId(record.id)
    const metadata: VectorizeMetadata = {
      [PAYLOAD_KEY]: JSON.stringify(record.payload),
      [ID_KEY]: record.id,
      [HASH_KEY]: VectorizeVectorStore.hashOf(id),
      [WRITE_KEY]: stamp,
    }
    for (const field of Object.keys(this.indexedFields)) {
      const value = record.payload[field]
      if (value === undefined || value === null) continue
      if (typeof value === 'object') {
        throw new ValidationError(
          `payload field "${field}" of "${record.id}" has a Vectorize metadata index (indexedFields); it must hold a string, number or boolean`,
        )
      }
      metadata[field] = value
    }
    const size = jsonBytes(metadata)
    if (size > VECTORIZE_LIMITS.maxMetadataBytes) {
      throw new ValidationError(
        `payload of "${record.id}" is ${size} bytes as Vectorize metadata; Vectorize stores at most ${VECTORIZE_LIMITS.maxMetadataBytes} bytes per vector`,
      )
    }
    return { id, namespace: this.namespace, values: toJsonVector(record.vector, `record "${record.id}"`), metadata }
  }

  private decode(
    vector: { id: string; metadata?: VectorizeMetadata; values?: unknown; namespace?: string },
    includeVectors: boolean,
  ): StoredRecord | null {
    const metadata = vector.metadata ?? {}
    const id = metadata[ID_KEY]
    const payload = metadata[PAYLOAD_KEY]
    if (typeof id !== 'string' || typeof payload !== 'string' || this.storedId(id) !== vector.id) return null
    const record: StoredRecord = { id, payload: JSON.parse(payload) as Payload }
    if (includeVectors) {
      const values = fromJsonVector(
        Array.isArray(vector.values) ? vector.values : vector.values ? Array.from(vector.values as Float32Array) : undefined,
      )
      if (values) record.vector = values
    }
    return record
  }

  async upsert(records: VectorRecord[]): Promise<void> {
    if (records.length === 0) return
    const { dimensions } = await this.info.get()
    assertUniformDimensions(records, 'upsert')
    const stamp = crypto.randomUUID()
    // Last write of an id wins, as in one upsert call to Vectorize.
    const byId = new Map<string, VectorizeVector>()
    for (const record of records) {
      checkDimensions(dimensions, record.vector, `upsert of "${record.id}"`)
      byId.set(record.id, this.encode(record, stamp))
    }
    const vectors = [...byId.values()]
    for (const batch of chunk(vectors, VECTORIZE_LIMITS.maxUpsertBatch)) {
      await this.call('upsert', () => this.api.upsert(batch))
    }
    await this.waitUntil(
      vectors.map((v) => v.id),
      (found) => found?.metadata?.[WRITE_KEY] === stamp,
      'upsert',
    )
  }

  /**
   * Vectorize applies mutations asynchronously (usually within seconds). Reads after a write must see it,
   * so the write returns once getByIds shows every written vector (or shows a deleted one gone).
   */
  private async waitUntil(ids: string[], visible: (found: VectorizeVector | undefined) => boolean, what: string): Promise<void> {
    if (this.visibilityTimeoutMs === 0) return
    const deadline = Date.now() + this.visibilityTimeoutMs
    let pending = [...new Set(ids)]
    for (;;) {
      const found = await this.fetchStored(pending)
      pending = pending.filter((id) => !visible(found.get(id)))
      if (pending.length === 0) return
      if (Date.now() >= deadline) {
        throw new RemoteError(
          SERVICE,
          0,
          `${what}: ${pending.length} vector(s) not visible after ${this.visibilityTimeoutMs} ms (Vectorize applies writes asynchronously; they may still appear)`,
        )
      }
      await sleep(this.visibilityPollMs)
    }
  }

  private async fetchStored(storedIds: string[]): Promise<Map<string, VectorizeVector>> {
    const found = new Map<string, VectorizeVector>()
    for (const batch of chunk(storedIds, ID_BATCH)) {
      const vectors = await this.call('getByIds', () => this.api.getByIds(batch))
      for (const vector of vectors ?? []) found.set(vector.id, vector)
    }
    return found
  }

  async get(ids: string[], options: { includeVectors?: boolean } = {}): Promise<(StoredRecord | null)[]> {
    if (ids.length === 0) return []
    const includeVectors = options.includeVectors ?? false
    const found = await this.fetchStored([...new Set(ids.map((id) => this.storedId(id)))])
    return ids.map((id) => {
      const vector = found.get(this.storedId(id))
      return vector ? this.decode(vector, includeVectors) : null
    })
  }

  private score(raw: number, metric: Metric): number {
    // Vectorize reports cosine similarity, the Euclidean (L2) distance, and for dot-product the negative
    // dot product (smaller is closer). Scores here are higher-is-better (adapters/shared/metric.ts).
    if (metric === 'euclidean') return euclideanScore(raw * raw)
    if (metric === 'dot') return -raw
    return raw
  }

  /** The native filter, shrunk to Vectorize's 2 KiB filter limit by dropping conditions (the post-filter keeps results exact). */
  private fitFilter(filter: VectorizeFilter | undefined, extra: VectorizeFilter = {}): VectorizeFilter | undefined {
    const merged: VectorizeFilter = { ...(filter ?? {}), ...extra }
    const keys = Object.keys(filter ?? {})
    while (keys.length > 0 && jsonBytes(merged) > VECTORIZE_LIMITS.maxFilterBytes) delete merged[keys.pop()!]
    return Object.keys(merged).length > 0 ? merged : undefined
  }

  async search(query: VectorSearchQuery): Promise<ScoredRecord[]> {
    const { dimensions, metric } = await this.info.get()
    checkDimensions(dimensions, query.vector, 'search query')
    const vector = toJsonVector(query.vector, 'search query')
    return searchWithPostFilter({
      query,
      compiled: compileVectorizeFilter(query.filter, this.indexedFields),
      maxTopK: VECTORIZE_LIMITS.maxTopK,
      ask: async (k, native) => {
        // Up to 20 results come with their metadata; more are read back by id (topK 100 allows no metadata).
        const withMetadata = k <= VECTORIZE_LIMITS.maxTopKWithData
        const filter = this.fitFilter(native)
        const result = await this.call('query', () =>
          this.api.query(vector, {
            topK: k,
            namespace: this.namespace,
            returnValues: false,
            returnMetadata: withMetadata ? 'all' : 'none',
            ...(filter ? { filter } : {}),
          }),
        )
        const matches: VectorizeMatch[] = result.matches ?? []
        const stored = withMetadata ? undefined : await this.fetchStored(matches.map((m) => m.id))
        const records = matches.flatMap((m) => {
          const decoded = this.decode(stored ? { ...m, metadata: stored.get(m.id)?.metadata } : m, false)
          return decoded ? [{ ...decoded, score: this.score(m.score, metric) }] : []
        })
        return { records, candidates: matches.length }
      },
      scan: (native) => scoreEveryPage((cursor) => this.page(native, cursor, true), query.vector, metric),
    })
  }

  /**
   * One page of the namespace's records matching the native filter. Vectorize has no listing with
   * metadata, so pages are ranges of the `_em_h` hash: a range is queried (topK 100, no metadata) and
   * halved until it holds fewer than 100 vectors, which are then read by id. Order: hash, then id.
   */
  private async page(native: VectorizeFilter | undefined, cursor: string | undefined, includeVectors: boolean): Promise<ServicePage> {
    const { dimensions } = await this.info.get()
    const probe = new Array<number>(dimensions).fill(0)
    probe[0] = 1
    const low = cursor === undefined ? 0 : Number(cursor)
    if (!Number.isInteger(low) || low < 0 || low > HASH_SPACE) throw new ValidationError('invalid Vectorize list cursor')
    let high = HASH_SPACE
    let matches: VectorizeMatch[]
    for (;;) {
      const filter = this.fitFilter(native, { [HASH_KEY]: { $gte: low, $lt: high } })
      const result = await this.call('query (listing)', () =>
        this.api.query(probe, {
          topK: VECTORIZE_LIMITS.maxTopK,
          namespace: this.namespace,
          returnValues: false,
          returnMetadata: 'none',
          filter,
        }),
      )
      matches = result.matches ?? []
      if (matches.length < VECTORIZE_LIMITS.maxTopK) break
      if (high - low <= 1) throw new RemoteError(SERVICE, 0, `more than ${VECTORIZE_LIMITS.maxTopK} vectors share one listing hash`)
      high = low + Math.floor((high - low) / 2)
    }
    const ids = matches
      .map((m) => m.id)
      .sort((a, b) => VectorizeVectorStore.hashOf(a) - VectorizeVectorStore.hashOf(b) || (a < b ? -1 : a > b ? 1 : 0))
    const found = ids.length > 0 ? await this.fetchStored(ids) : new Map<string, VectorizeVector>()
    const records = ids.flatMap((id) => {
      const vector = found.get(id)
      const decoded = vector ? this.decode(vector, includeVectors) : null
      return decoded ? [decoded] : []
    })
    return high < HASH_SPACE ? { records, next: String(high) } : { records }
  }

  async list(query: VectorListQuery): Promise<VectorListPage> {
    return listWithPostFilter({
      query,
      compiled: compileVectorizeFilter(query.filter, this.indexedFields),
      pageSize: () => VECTORIZE_LIMITS.maxTopK,
      fetchPage: (native, cursor) => this.page(native, cursor, false),
    })
  }

  async delete(ids: string[]): Promise<void> {
    if (ids.length === 0) return
    await this.info.get()
    const stored = [...new Set(ids.map((id) => this.storedId(id)))]
    for (const batch of chunk(stored, ID_BATCH)) await this.call('deleteByIds', () => this.api.deleteByIds(batch))
    await this.waitUntil(stored, (found) => found === undefined, 'delete')
  }

  /** Deletes every vector of this store's namespace. */
  async reset(): Promise<void> {
    await this.info.get()
    const ids: string[] = []
    let cursor: string | undefined
    do {
      const page = await this.page(undefined, cursor, false)
      ids.push(...page.records.map((r) => r.id))
      cursor = page.next
    } while (cursor !== undefined)
    await this.delete(ids)
  }
}
