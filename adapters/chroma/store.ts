import {
  ConfigError,
  DimensionMismatchError,
  HttpClient,
  Lazy,
  RemoteError,
  type ScoredRecord,
  SingleFlight,
  type StoredRecord,
  transportFrom,
  ValidationError,
  type VectorListPage,
  type VectorListQuery,
  type VectorRecord,
  type VectorSearchQuery,
  type VectorStore,
  type VectorStoreInit,
} from '../../src/internal.ts'
import type { Metric } from '../shared/metric.ts'
import { listWithPostFilter, scoreEveryPage, searchWithPostFilter, type ServicePage } from '../shared/post-filter.ts'
import { assertNoReservedKeys } from '../shared/shape.ts'
import { uuidV5 } from '../shared/uuid-v5.ts'
import { assertUniformDimensions, checkDimensions, chunk, fromJsonVector, jsonBytes, toJsonVector } from '../shared/vectors.ts'
import type { ChromaConfig } from './config.ts'
import { compileChromaFilter, type ChromaWhere } from './filter.ts'
import { decodeMetadata, encodeMetadata } from './metadata.ts'

const SERVICE = 'Chroma'
/** The original id (kept in metadata: record ids are UUIDv5 of namespace and id). */
export const ID_KEY = '_em_id'
/** The Memory collection the record belongs to: several Memory collections share one Chroma collection. */
export const NAMESPACE_KEY = '_em_ns'
const OWN_KEYS = [ID_KEY, NAMESPACE_KEY]
/** Collection metadata naming the embedding size (Chroma reports `dimension` only after the first write). */
export const DIMENSIONS_KEY = 'edgemem_dimensions'
/** UUIDv5 namespace of edgemem record ids (a fixed random UUID: changing it would orphan stored records). */
export const RECORD_ID_NAMESPACE = '2b0c6f55-8d0e-4f4a-a4f5-0c8f6f7d9e13'
const DEFAULT_TENANT = 'default_tenant'
const DEFAULT_DATABASE = 'default_database'
const DEFAULT_COLLECTION = 'edgemem'
/** Records per write: below Chroma Cloud's 300 and a local server's max_batch_size. */
const WRITE_BATCH = 250
const MAX_REQUEST_BYTES = 8 * 1024 * 1024
const MAX_TOP_K = 10_000
const PAGE = 256

const METRICS: Record<string, Metric> = { cosine: 'cosine', ip: 'dot', l2: 'euclidean' }

interface ChromaCollection {
  id: string
  name: string
  dimension?: number | null
  metadata?: Record<string, unknown> | null
  configuration_json?: { hnsw?: { space?: string } | null; spann?: { space?: string } | null } | null
}

interface GetResult {
  ids: string[]
  metadatas?: (Record<string, unknown> | null)[] | null
  embeddings?: (number[] | null)[] | null
}

interface QueryResult {
  ids: string[][]
  distances?: (number | null)[][] | null
  metadatas?: (Record<string, unknown> | null)[][] | null
}

/** Chroma answers 400 `Collection expecting embedding with dimension of 8, got 3`. */
function dimensionError(err: unknown, context: string): unknown {
  if (err instanceof RemoteError) {
    const match = /dimension of (\d+), got (\d+)/i.exec(err.serviceMessage)
    if (match) return new DimensionMismatchError(Number(match[1]), Number(match[2]), context)
  }
  return err
}

const isNotFound = (err: unknown, what: RegExp): boolean =>
  err instanceof RemoteError && err.status === 404 && what.test(err.serviceMessage)
const isMissingCollection = (err: unknown): boolean => isNotFound(err, /collection/i)

/** Chroma's error body is `{error: "<ErrorCode>Error", message}`: the message is the service's own words. */
function chromaMessage(_status: number, body: unknown): string | undefined {
  const b = body as { error?: unknown; message?: unknown } | undefined
  if (b && typeof b.message === 'string' && b.message.length > 0) return b.message
  return undefined
}

export class ChromaVectorStore implements VectorStore {
  readonly name = 'chroma'
  readonly collection: string
  readonly namespace: string
  private readonly http: HttpClient
  private readonly config: ChromaConfig
  private readonly tenant: string
  private readonly database: string
  private state: { id: string; dimensions: number; metric: Metric } | undefined
  private readonly discovered = new Lazy(async () => {
    try {
      this.adopt(
        await this.http.request<ChromaCollection>({
          method: 'GET',
          path: `${this.databasePath}/collections/${encodeURIComponent(this.collection)}`,
        }),
      )
    } catch (err) {
      // A missing collection (or database) is created on the first init with dimensions.
      if (!isNotFound(err, /collection|database/i)) throw err
    }
  })
  private readonly creation = new SingleFlight<void>()

  constructor(config: ChromaConfig, namespace: string) {
    if (namespace.length === 0) throw new ConfigError('collection', 'the Memory collection must not be empty')
    this.config = config
    this.collection = config.collection ?? DEFAULT_COLLECTION
    this.tenant = config.tenant ?? DEFAULT_TENANT
    this.database = config.database ?? DEFAULT_DATABASE
    this.namespace = namespace
    this.http = new HttpClient({
      service: SERVICE,
      baseUrl: config.url,
      headers: config.apiKey ? { 'x-chroma-token': config.apiKey } : {},
      errorMessage: chromaMessage,
      ...transportFrom(config),
    })
  }

  get dimensions(): number | undefined {
    return this.state?.dimensions
  }

  get metric(): Metric | undefined {
    return this.state?.metric
  }

  private get databasePath(): string {
    return `/api/v2/tenants/${encodeURIComponent(this.tenant)}/databases/${encodeURIComponent(this.database)}`
  }

  private async call<T>(id: string, operation: 'upsert' | 'get' | 'query' | 'delete', body: unknown): Promise<T> {
    return this.http.request<T>({ method: 'POST', path: `${this.databasePath}/collections/${encodeURIComponent(id)}/${operation}`, body })
  }

  recordId(id: string): string {
    return uuidV5(`${this.namespace}\u0000${id}`, RECORD_ID_NAMESPACE)
  }

  async init(options: VectorStoreInit = {}): Promise<void> {
    const { dimensions } = options
    await this.discovered.get()
    if (!this.state && dimensions !== undefined) await this.creation.run(() => this.create(dimensions))
    if (dimensions !== undefined && this.state && dimensions !== this.state.dimensions) {
      throw new DimensionMismatchError(this.state.dimensions, dimensions, `Chroma collection "${this.collection}"`)
    }
  }

  private adopt(collection: ChromaCollection): void {
    const metadata = collection.metadata ?? {}
    const dimensions = typeof collection.dimension === 'number' ? collection.dimension : metadata[DIMENSIONS_KEY]
    const space =
      collection.configuration_json?.hnsw?.space ??
      collection.configuration_json?.spann?.space ??
      (metadata['hnsw:space'] as string | undefined) ??
      'l2'
    const metric = METRICS[space]
    if (!metric)
      throw new ConfigError(
        'collection',
        `Chroma collection "${this.collection}" uses the "${space}" space; edgemem supports cosine, ip and l2`,
      )
    if (typeof dimensions !== 'number') {
      throw new ConfigError(
        'collection',
        `Chroma collection "${this.collection}" holds no embeddings and no "${DIMENSIONS_KEY}" metadata; give the Memory an embedder with known dimensions or use a new collection`,
      )
    }
    this.state = { id: collection.id, dimensions, metric }
  }

  private async create(dimensions: number): Promise<void> {
    const space = this.config.space ?? 'cosine'
    const body = {
      name: this.collection,
      metadata: { [DIMENSIONS_KEY]: dimensions },
      configuration: { hnsw: { space } },
      get_or_create: true,
    }
    let collection: ChromaCollection
    try {
      collection = await this.http.request<ChromaCollection>({ method: 'POST', path: `${this.databasePath}/collections`, body })
    } catch (err) {
      if (!isNotFound(err, /database/i)) throw err
      await this.createDatabase()
      collection = await this.http.request<ChromaCollection>({ method: 'POST', path: `${this.databasePath}/collections`, body })
    }
    // get_or_create returns an existing collection unchanged (another process created it first): adopt what it says.
    this.adopt({ ...collection, metadata: { [DIMENSIONS_KEY]: dimensions, ...collection.metadata } })
  }

  private async createDatabase(): Promise<void> {
    try {
      await this.http.request({
        method: 'POST',
        path: `/api/v2/tenants/${encodeURIComponent(this.tenant)}/databases`,
        body: { name: this.database },
      })
    } catch (err) {
      // Created meanwhile by someone else.
      if (!(err instanceof RemoteError && err.status === 409)) throw err
    }
  }

  private async ready(dimensionsForCreate?: number): Promise<{ id: string; dimensions: number; metric: Metric } | undefined> {
    if (!this.state) await this.init(dimensionsForCreate !== undefined ? { dimensions: dimensionsForCreate } : {})
    return this.state
  }

  async upsert(records: VectorRecord[]): Promise<void> {
    if (records.length === 0) return
    const first = assertUniformDimensions(records, 'upsert')
    const state = (await this.ready(this.state?.dimensions ?? first))!
    const rows = records.map((record) => {
      if (typeof record.id !== 'string' || record.id.length === 0) throw new ValidationError('record ids must be non-empty strings')
      checkDimensions(state.dimensions, record.vector, `upsert of "${record.id}"`)
      assertNoReservedKeys(record.payload, OWN_KEYS, SERVICE)
      return {
        id: this.recordId(record.id),
        embedding: toJsonVector(record.vector, `record "${record.id}"`),
        metadata: { ...encodeMetadata(record.payload), [ID_KEY]: record.id, [NAMESPACE_KEY]: this.namespace },
      }
    })
    for (const batch of chunk(rows, WRITE_BATCH, MAX_REQUEST_BYTES, jsonBytes)) {
      // Chroma's upsert merges metadata into an existing record: keys the new payload lacks are sent as
      // null (which deletes them), so the record is replaced whole.
      const existing = await this.call<GetResult>(state.id, 'get', { ids: batch.map((r) => r.id), include: ['metadatas'] })
      const stale = new Map(existing.ids.map((id, i) => [id, Object.keys(existing.metadatas?.[i] ?? {})]))
      try {
        await this.call(state.id, 'upsert', {
          ids: batch.map((r) => r.id),
          embeddings: batch.map((r) => r.embedding),
          metadatas: batch.map((r) => {
            const removed = (stale.get(r.id) ?? []).filter((key) => !Object.hasOwn(r.metadata, key))
            return removed.length === 0 ? r.metadata : { ...r.metadata, ...Object.fromEntries(removed.map((key) => [key, null])) }
          }),
        })
      } catch (err) {
        throw dimensionError(err, `Chroma upsert into "${this.collection}"`)
      }
    }
  }

  private decode(metadata: Record<string, unknown> | null | undefined, embedding: unknown, includeVectors: boolean): StoredRecord | null {
    if (!metadata || metadata[NAMESPACE_KEY] !== this.namespace || typeof metadata[ID_KEY] !== 'string') return null
    const record: StoredRecord = { id: metadata[ID_KEY], payload: decodeMetadata(metadata, OWN_KEYS) }
    if (includeVectors) {
      const vector = fromJsonVector(embedding)
      if (vector) record.vector = vector
    }
    return record
  }

  private decodeGet(result: GetResult, includeVectors: boolean): StoredRecord[] {
    const out: StoredRecord[] = []
    result.ids.forEach((_, i) => {
      const record = this.decode(result.metadatas?.[i], result.embeddings?.[i], includeVectors)
      if (record) out.push(record)
    })
    return out
  }

  private include(includeVectors: boolean): string[] {
    return includeVectors ? ['metadatas', 'embeddings'] : ['metadatas']
  }

  async get(ids: string[], options: { includeVectors?: boolean } = {}): Promise<(StoredRecord | null)[]> {
    if (ids.length === 0) return []
    const state = await this.ready()
    if (!state) return ids.map(() => null)
    const includeVectors = options.includeVectors ?? false
    const found = new Map<string, StoredRecord>()
    for (const batch of chunk([...new Set(ids)], WRITE_BATCH)) {
      let result: GetResult
      try {
        result = await this.call<GetResult>(state.id, 'get', {
          ids: batch.map((id) => this.recordId(id)),
          include: this.include(includeVectors),
        })
      } catch (err) {
        if (isMissingCollection(err)) return ids.map(() => null)
        throw err
      }
      for (const record of this.decodeGet(result, includeVectors)) found.set(record.id, record)
    }
    return ids.map((id) => found.get(id) ?? null)
  }

  private where(native: ChromaWhere | undefined): ChromaWhere {
    const tenant = { [NAMESPACE_KEY]: { $eq: this.namespace } }
    return native ? { $and: [tenant, native] } : tenant
  }

  /** Chroma reports distances: l2 is the squared Euclidean distance, cosine 1 − cos, ip 1 − dot. */
  private score(distance: number, metric: Metric): number {
    return metric === 'euclidean' ? 1 - distance / 2 : 1 - distance
  }

  async search(query: VectorSearchQuery): Promise<ScoredRecord[]> {
    const state = await this.ready()
    if (!state) return []
    checkDimensions(state.dimensions, query.vector, 'search query')
    const vector = toJsonVector(query.vector, 'search query')
    return searchWithPostFilter({
      query,
      compiled: compileChromaFilter(query.filter),
      maxTopK: MAX_TOP_K,
      ask: async (k, native) => {
        let result: QueryResult
        try {
          result = await this.call<QueryResult>(state.id, 'query', {
            query_embeddings: [vector],
            n_results: k,
            where: this.where(native),
            include: ['metadatas', 'distances'],
          })
        } catch (err) {
          if (isMissingCollection(err)) return []
          throw dimensionError(err, 'Chroma query')
        }
        const out: ScoredRecord[] = []
        const ids = result.ids[0] ?? []
        ids.forEach((_, i) => {
          const record = this.decode(result.metadatas?.[0]?.[i], undefined, false)
          const distance = result.distances?.[0]?.[i]
          if (record && typeof distance === 'number') out.push({ ...record, score: this.score(distance, state.metric) })
        })
        return out
      },
      scan: (native) => scoreEveryPage((offset) => this.page(state.id, this.where(native), offset, PAGE, true), query.vector, state.metric),
    })
  }

  /** One page of `get` under the filter; Chroma pages by limit/offset in its storage order, the cursor is the next offset. */
  private async page(
    id: string,
    where: ChromaWhere,
    cursor: string | undefined,
    limit: number,
    withVectors: boolean,
  ): Promise<ServicePage> {
    const offset = cursor === undefined ? 0 : Number(cursor)
    let result: GetResult
    try {
      result = await this.call<GetResult>(id, 'get', { where, limit, offset, include: this.include(withVectors) })
    } catch (err) {
      if (isMissingCollection(err)) return { records: [] }
      throw err
    }
    const records = this.decodeGet(result, withVectors)
    return result.ids.length < limit ? { records } : { records, next: String(offset + result.ids.length) }
  }

  async list(query: VectorListQuery): Promise<VectorListPage> {
    const state = await this.ready()
    if (!state) return { records: [] }
    return listWithPostFilter({
      query,
      compiled: compileChromaFilter(query.filter),
      pageSize: (_native, exact) => (exact ? Math.min(Math.max(query.limit, 1), PAGE * 4) : PAGE),
      fetchPage: (native, cursor, pageSize) => this.page(state.id, this.where(native), cursor, pageSize, false),
    })
  }

  async delete(ids: string[]): Promise<void> {
    if (ids.length === 0) return
    const state = await this.ready()
    if (!state) return
    for (const batch of chunk([...new Set(ids)], WRITE_BATCH)) {
      try {
        await this.call(state.id, 'delete', { ids: batch.map((id) => this.recordId(id)) })
      } catch (err) {
        if (!isMissingCollection(err)) throw err
      }
    }
  }

  /** Deletes this Memory collection's records only; the Chroma collection and other tenants stay. */
  async reset(): Promise<void> {
    const state = await this.ready()
    if (!state) return
    try {
      await this.call(state.id, 'delete', { where: this.where(undefined) })
    } catch (err) {
      if (!isMissingCollection(err)) throw err
    }
  }
}
