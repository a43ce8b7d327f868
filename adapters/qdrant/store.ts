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
import { euclideanScore, type Metric } from '../shared/metric.ts'
import { listWithPostFilter, scoreEveryPage, searchWithPostFilter, type ServicePage } from '../shared/post-filter.ts'
import { assertNoReservedKeys, decodeShape, encodeShape, TAGS_KEY } from '../shared/shape.ts'
import { uuidV5 } from '../shared/uuid-v5.ts'
import { assertUniformDimensions, checkDimensions, chunk, fromJsonVector, jsonBytes, toJsonVector } from '../shared/vectors.ts'
import type { QdrantConfig } from './config.ts'
import { compileQdrantFilter, type QdrantCondition } from './filter.ts'

const SERVICE = 'Qdrant'
/** The original id (Qdrant ids are uint64 or UUID only; ours map to UUIDv5). */
export const ID_KEY = '_em_id'
/** The Memory collection the point belongs to: the tenant key several Memory collections share a Qdrant collection by. */
export const NAMESPACE_KEY = '_em_ns'
const OWN_KEYS = [TAGS_KEY, ID_KEY, NAMESPACE_KEY]
/** UUIDv5 namespace of edgemem point ids (a fixed random UUID: changing it would orphan stored points). */
export const POINT_ID_NAMESPACE = '6f1c2b8e-4c1e-4d55-9a0e-5f3f2a9d7c41'
const DEFAULT_COLLECTION = 'edgemem'
const UPSERT_BATCH = 256
const MAX_REQUEST_BYTES = 16 * 1024 * 1024
const MAX_TOP_K = 10_000
const SCROLL_PAGE = 256

/** Scope fields get tenant indexes; the rest are fields edgemem itself filters on. */
const BUILTIN_INDEXES: [string, unknown][] = [
  [NAMESPACE_KEY, { type: 'keyword', is_tenant: true }],
  ['user_id', { type: 'keyword', is_tenant: true }],
  ['agent_id', { type: 'keyword', is_tenant: true }],
  ['run_id', { type: 'keyword', is_tenant: true }],
  [TAGS_KEY, 'keyword'],
  ['created_at', 'float'],
  ['updated_at', 'float'],
  ['expires_at', 'float'],
]

const METRICS: Record<string, Metric> = { Cosine: 'cosine', Dot: 'dot', Euclid: 'euclidean' }

interface QdrantPoint {
  id: string | number
  score?: number
  payload?: Record<string, unknown>
  vector?: number[] | Record<string, unknown>
}

/** Qdrant answers 400 `Wrong input: Vector dimension error: expected dim: 4, got 3`. */
function dimensionError(err: unknown, context: string): unknown {
  if (err instanceof RemoteError) {
    const match = /expected dim:\s*(\d+),\s*got\s*(\d+)/i.exec(err.serviceMessage)
    if (match) return new DimensionMismatchError(Number(match[1]), Number(match[2]), context)
  }
  return err
}

const isMissingCollection = (err: unknown): boolean =>
  err instanceof RemoteError && err.status === 404 && /collection/i.test(err.serviceMessage)

export class QdrantVectorStore implements VectorStore {
  readonly name = 'qdrant'
  readonly collection: string
  /** The Memory collection, stored in every point's payload. */
  readonly namespace: string
  private readonly http: HttpClient
  private readonly config: QdrantConfig
  private state: { dimensions: number; metric: Metric } | undefined
  /** Whether the collection exists (adopted when it does), read once. */
  private readonly discovered = new Lazy(async () => {
    const { exists } = await this.call<{ exists: boolean }>('GET', '/exists')
    if (exists) await this.adopt()
  })
  /** Creating the collection: callers arriving meanwhile share the attempt. */
  private readonly creation = new SingleFlight<void>()

  constructor(config: QdrantConfig, namespace: string) {
    if (namespace.length === 0) throw new ConfigError('collection', 'the Memory collection must not be empty')
    this.config = config
    this.collection = config.collection ?? DEFAULT_COLLECTION
    this.namespace = namespace
    this.http = new HttpClient({
      service: SERVICE,
      baseUrl: config.url,
      headers: config.apiKey ? { 'api-key': config.apiKey } : {},
      ...transportFrom(config),
    })
  }

  get dimensions(): number | undefined {
    return this.state?.dimensions
  }

  get metric(): Metric | undefined {
    return this.state?.metric
  }

  private get base(): string {
    return `/collections/${encodeURIComponent(this.collection)}`
  }

  private async call<T>(
    method: 'GET' | 'POST' | 'PUT' | 'DELETE',
    path: string,
    body?: unknown,
    query?: Record<string, string>,
  ): Promise<T> {
    const response = await this.http.request<{ result: T }>({ method, path: this.base + path, body, ...(query ? { query } : {}) })
    return response.result
  }

  pointId(id: string): string {
    return uuidV5(`${this.namespace}\u0000${id}`, POINT_ID_NAMESPACE)
  }

  /** Reads the collection if it exists; creates it (with indexes) when `dimensions` is known. */
  async init(options: VectorStoreInit = {}): Promise<void> {
    const { dimensions } = options
    await this.discovered.get()
    if (!this.state && dimensions !== undefined) await this.creation.run(() => this.create(dimensions))
    if (dimensions !== undefined && this.state && dimensions !== this.state.dimensions) {
      throw new DimensionMismatchError(this.state.dimensions, dimensions, `Qdrant collection "${this.collection}"`)
    }
  }

  private async adopt(): Promise<void> {
    const info = await this.call<{
      config: { params: { vectors: { size?: number; distance?: string } } }
      payload_schema?: Record<string, unknown>
    }>('GET', '')
    const vectors = info.config.params.vectors
    if (typeof vectors.size !== 'number' || typeof vectors.distance !== 'string') {
      throw new ConfigError(
        'collection',
        `Qdrant collection "${this.collection}" uses named vectors; edgemem needs a collection with one unnamed vector`,
      )
    }
    const metric = METRICS[vectors.distance]
    if (!metric)
      throw new ConfigError(
        'collection',
        `Qdrant collection "${this.collection}" uses ${vectors.distance} distance, which has no cosine equivalent; use Cosine, Dot or Euclid`,
      )
    this.state = { dimensions: vectors.size, metric }
    // A collection created elsewhere may lack our indexes (strict mode would then reject our filters).
    await this.ensureIndexes(Object.keys(info.payload_schema ?? {}))
  }

  private async create(dimensions: number): Promise<void> {
    const distance = this.config.distance ?? 'Cosine'
    try {
      await this.call('PUT', '', { vectors: { size: dimensions, distance } })
    } catch (err) {
      // Another process created it first: use theirs.
      if (err instanceof RemoteError && err.status === 409) return this.adopt()
      throw err
    }
    this.state = { dimensions, metric: METRICS[distance]! }
    await this.ensureIndexes([])
  }

  private async ensureIndexes(existing: string[]): Promise<void> {
    const wanted: [string, unknown][] = [...BUILTIN_INDEXES, ...Object.entries(this.config.payloadIndexes ?? {})]
    for (const [field, schema] of wanted) {
      if (existing.includes(field)) continue
      await this.call('PUT', '/index', { field_name: field, field_schema: schema }, { wait: 'true' })
    }
  }

  /** The collection's state once it exists; created first when `dimensionsForCreate` is given. */
  private async ready(dimensionsForCreate?: number): Promise<{ dimensions: number; metric: Metric } | undefined> {
    if (!this.state) await this.init(dimensionsForCreate !== undefined ? { dimensions: dimensionsForCreate } : {})
    return this.state
  }

  async upsert(records: VectorRecord[]): Promise<void> {
    if (records.length === 0) return
    const first = assertUniformDimensions(records, 'upsert')
    const state = (await this.ready(this.state?.dimensions ?? first))!
    const points = records.map((record) => {
      if (typeof record.id !== 'string' || record.id.length === 0) throw new ValidationError('record ids must be non-empty strings')
      checkDimensions(state.dimensions, record.vector, `upsert of "${record.id}"`)
      assertNoReservedKeys(record.payload, OWN_KEYS, SERVICE)
      const { fields, tags } = encodeShape(record.payload)
      return {
        id: this.pointId(record.id),
        vector: toJsonVector(record.vector, `record "${record.id}"`),
        payload: { ...fields, [TAGS_KEY]: tags, [ID_KEY]: record.id, [NAMESPACE_KEY]: this.namespace },
      }
    })
    for (const batch of chunk(points, UPSERT_BATCH, MAX_REQUEST_BYTES, jsonBytes)) {
      try {
        await this.call('PUT', '/points', { points: batch }, { wait: 'true' })
      } catch (err) {
        throw dimensionError(err, `Qdrant upsert into "${this.collection}"`)
      }
    }
  }

  private decode(point: QdrantPoint, includeVectors: boolean): StoredRecord | null {
    const payload = point.payload ?? {}
    if (payload[NAMESPACE_KEY] !== this.namespace || typeof payload[ID_KEY] !== 'string') return null
    const record: StoredRecord = { id: payload[ID_KEY] as string, payload: decodeShape(payload, OWN_KEYS) }
    if (includeVectors) {
      const vector = fromJsonVector(point.vector)
      if (vector) record.vector = vector
    }
    return record
  }

  async get(ids: string[], options: { includeVectors?: boolean } = {}): Promise<(StoredRecord | null)[]> {
    if (ids.length === 0) return []
    if (!(await this.ready())) return ids.map(() => null)
    const includeVectors = options.includeVectors ?? false
    const found = new Map<string, StoredRecord>()
    for (const batch of chunk(ids, 1000)) {
      let points: QdrantPoint[]
      try {
        points = await this.call<QdrantPoint[]>('POST', '/points', {
          ids: batch.map((id) => this.pointId(id)),
          with_payload: true,
          with_vector: includeVectors,
        })
      } catch (err) {
        if (isMissingCollection(err)) return ids.map(() => null)
        throw err
      }
      for (const point of points) {
        const record = this.decode(point, includeVectors)
        if (record) found.set(record.id, record)
      }
    }
    return ids.map((id) => found.get(id) ?? null)
  }

  private tenantFilter(native: QdrantCondition | undefined): QdrantCondition {
    const tenant = { key: NAMESPACE_KEY, match: { value: this.namespace } }
    return { must: native ? [tenant, native] : [tenant] }
  }

  private score(raw: number, metric: Metric): number {
    // Qdrant reports the distance itself for Euclid (lower is better).
    return metric === 'euclidean' ? euclideanScore(raw * raw) : raw
  }

  async search(query: VectorSearchQuery): Promise<ScoredRecord[]> {
    const state = await this.ready()
    if (!state) return []
    checkDimensions(state.dimensions, query.vector, 'search query')
    const vector = toJsonVector(query.vector, 'search query')
    return searchWithPostFilter({
      query,
      compiled: compileQdrantFilter(query.filter),
      maxTopK: MAX_TOP_K,
      ask: async (k, native) => {
        let result: { points: QdrantPoint[] }
        try {
          result = await this.call('POST', '/points/query', {
            query: vector,
            limit: k,
            filter: this.tenantFilter(native),
            with_payload: true,
            with_vector: false,
          })
        } catch (err) {
          if (isMissingCollection(err)) return []
          throw dimensionError(err, 'Qdrant query')
        }
        const out: ScoredRecord[] = []
        for (const point of result.points) {
          const record = this.decode(point, false)
          if (record) out.push({ ...record, score: this.score(point.score ?? 0, state.metric) })
        }
        return out
      },
      scan: (native) =>
        scoreEveryPage((offset) => this.scrollPage(this.tenantFilter(native), offset, SCROLL_PAGE, true), query.vector, state.metric),
    })
  }

  private async scrollPage(filter: QdrantCondition, offset: string | undefined, limit: number, withVector: boolean): Promise<ServicePage> {
    let result: { points: QdrantPoint[]; next_page_offset: string | number | null }
    try {
      result = await this.call('POST', '/points/scroll', {
        filter,
        limit,
        with_payload: true,
        with_vector: withVector,
        ...(offset !== undefined ? { offset } : {}),
      })
    } catch (err) {
      if (isMissingCollection(err)) return { records: [] }
      throw err
    }
    const records = result.points.map((p) => this.decode(p, withVector)).filter((r): r is StoredRecord => r !== null)
    const next = result.next_page_offset
    return next === null || next === undefined ? { records } : { records, next: String(next) }
  }

  async list(query: VectorListQuery): Promise<VectorListPage> {
    if (!(await this.ready())) return { records: [] }
    return listWithPostFilter({
      query,
      compiled: compileQdrantFilter(query.filter),
      pageSize: (_native, exact) => (exact ? Math.min(Math.max(query.limit, 1), SCROLL_PAGE * 4) : SCROLL_PAGE),
      fetchPage: (native, cursor, pageSize) => this.scrollPage(this.tenantFilter(native), cursor, pageSize, false),
    })
  }

  async delete(ids: string[]): Promise<void> {
    if (ids.length === 0 || !(await this.ready())) return
    for (const batch of chunk(ids, 1000)) {
      try {
        await this.call('POST', '/points/delete', { points: batch.map((id) => this.pointId(id)) }, { wait: 'true' })
      } catch (err) {
        if (!isMissingCollection(err)) throw err
      }
    }
  }

  /** Deletes this Memory collection's points only; the Qdrant collection and other tenants stay. */
  async reset(): Promise<void> {
    if (!(await this.ready())) return
    try {
      await this.call('POST', '/points/delete', { filter: this.tenantFilter(undefined) }, { wait: 'true' })
    } catch (err) {
      if (!isMissingCollection(err)) throw err
    }
  }
}
