import {
  ConfigError,
  DimensionMismatchError,
  HttpClient,
  Lazy,
  RemoteError,
  type ScoredRecord,
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
import { assertNoReservedKeys, TAGS_KEY } from '../shared/shape.ts'
import { assertUniformDimensions, checkDimensions, chunk, fromJsonVector, jsonBytes, toJsonVector } from '../shared/vectors.ts'
import type { PineconeConfig } from './config.ts'
import { compilePineconeFilter, type PineconeFilter } from './filter.ts'
import { decodeMetadata, encodeMetadata } from './metadata.ts'

const SERVICE = 'Pinecone'
const API_VERSION = '2025-10'
/** Data-plane limits: 1000 records and 2 MB per upsert, 1000 ids per fetch/delete, 40 KB metadata, topK <= 10000. */
const MAX_BATCH = 1000
const MAX_REQUEST_BYTES = 2 * 1024 * 1024 - 64 * 1024
const MAX_METADATA_BYTES = 40 * 1024
const MAX_TOP_K = 10_000
/** Ids per GET /vectors/fetch: the ids travel in the URL, keep it short. */
const FETCH_BATCH = 100
const LIST_PAGE = 100

const METRICS: Record<string, Metric> = { cosine: 'cosine', dotproduct: 'dot', euclidean: 'euclidean' }

interface PineconeVector {
  id: string
  score?: number
  values?: number[]
  metadata?: Record<string, unknown>
}

/** Pinecone answers 400 `Vector dimension 3 does not match the dimension of the index 8`. */
function dimensionError(err: unknown, context: string): unknown {
  if (err instanceof RemoteError) {
    const match = /dimension (\d+) does not match the dimension of the index (\d+)/i.exec(err.serviceMessage)
    if (match) return new DimensionMismatchError(Number(match[2]), Number(match[1]), context)
  }
  return err
}

function baseUrl(host: string): string {
  const withScheme = /^https?:\/\//.test(host) ? host : `https://${host}`
  return withScheme.replace(/\/+$/, '')
}

export class PineconeVectorStore implements VectorStore {
  readonly name = 'pinecone'
  readonly namespace: string
  private readonly http: HttpClient
  /** The index's dimensions and metric, read once. */
  private readonly info = new Lazy(async () => {
    const stats = await this.http.request<{ dimension: number; metric?: string }>({
      method: 'POST',
      path: '/describe_index_stats',
      body: {},
    })
    const metric = METRICS[stats.metric ?? 'cosine']
    if (!metric) throw new ConfigError('host', `Pinecone index metric "${stats.metric}" is not supported`)
    return { dimensions: stats.dimension, metric }
  })

  constructor(config: PineconeConfig, collection: string) {
    this.namespace = config.namespace ?? collection
    this.http = new HttpClient({
      service: SERVICE,
      baseUrl: baseUrl(config.host),
      headers: { 'Api-Key': config.apiKey, 'X-Pinecone-Api-Version': API_VERSION },
      ...transportFrom(config),
    })
  }

  get dimensions(): number | undefined {
    return this.info.current?.dimensions
  }

  get metric(): Metric | undefined {
    return this.info.current?.metric
  }

  async init(options: VectorStoreInit = {}): Promise<void> {
    const info = await this.info.get()
    if (options.dimensions !== undefined && options.dimensions !== info.dimensions) {
      throw new DimensionMismatchError(info.dimensions, options.dimensions, 'Pinecone index')
    }
  }

  private ready(): Promise<{ dimensions: number; metric: Metric }> {
    return this.info.get()
  }

  async upsert(records: VectorRecord[]): Promise<void> {
    if (records.length === 0) return
    const { dimensions } = await this.ready()
    assertUniformDimensions(records, 'upsert')
    const vectors = records.map((record) => {
      if (typeof record.id !== 'string' || record.id.length === 0 || record.id.length > 512) {
        throw new ValidationError(`record id ${JSON.stringify(record.id)}: Pinecone ids are strings of 1 to 512 characters`)
      }
      checkDimensions(dimensions, record.vector, `upsert of "${record.id}"`)
      assertNoReservedKeys(record.payload, [TAGS_KEY], SERVICE)
      const metadata = encodeMetadata(record.payload)
      const size = jsonBytes(metadata)
      if (size > MAX_METADATA_BYTES) {
        throw new ValidationError(
          `payload of "${record.id}" is ${size} bytes as Pinecone metadata; Pinecone stores at most ${MAX_METADATA_BYTES} bytes per record`,
        )
      }
      return { id: record.id, values: toJsonVector(record.vector, `record "${record.id}"`), metadata }
    })
    for (const batch of chunk(vectors, MAX_BATCH, MAX_REQUEST_BYTES, jsonBytes)) {
      try {
        await this.http.request({ method: 'POST', path: '/vectors/upsert', body: { vectors: batch, namespace: this.namespace } })
      } catch (err) {
        throw dimensionError(err, `Pinecone upsert into namespace "${this.namespace}"`)
      }
    }
  }

  private decode(vector: PineconeVector, includeVectors: boolean): StoredRecord {
    const record: StoredRecord = { id: vector.id, payload: decodeMetadata(vector.metadata) }
    if (includeVectors) {
      const values = fromJsonVector(vector.values)
      if (values) record.vector = values
    }
    return record
  }

  private async fetch(ids: string[]): Promise<Map<string, PineconeVector>> {
    const found = new Map<string, PineconeVector>()
    for (const batch of chunk(ids, FETCH_BATCH)) {
      const result = await this.http.request<{ vectors: Record<string, PineconeVector> }>({
        method: 'GET',
        path: '/vectors/fetch',
        query: { ids: batch, namespace: this.namespace },
      })
      for (const vector of Object.values(result.vectors ?? {})) found.set(vector.id, vector)
    }
    return found
  }

  async get(ids: string[], options: { includeVectors?: boolean } = {}): Promise<(StoredRecord | null)[]> {
    if (ids.length === 0) return []
    const includeVectors = options.includeVectors ?? false
    const found = await this.fetch([...new Set(ids)])
    return ids.map((id) => {
      const vector = found.get(id)
      return vector ? this.decode(vector, includeVectors) : null
    })
  }

  private score(raw: number, metric: Metric): number {
    // Pinecone's euclidean score is the squared distance (lower is better).
    return metric === 'euclidean' ? euclideanScore(raw) : raw
  }

  async search(query: VectorSearchQuery): Promise<ScoredRecord[]> {
    const { dimensions, metric } = await this.ready()
    checkDimensions(dimensions, query.vector, 'search query')
    const vector = toJsonVector(query.vector, 'search query')
    return searchWithPostFilter({
      query,
      compiled: compilePineconeFilter(query.filter),
      maxTopK: MAX_TOP_K,
      ask: async (k, filter) => {
        let result: { matches: PineconeVector[] }
        try {
          result = await this.http.request({
            method: 'POST',
            path: '/query',
            body: {
              vector,
              topK: k,
              includeMetadata: true,
              includeValues: false,
              namespace: this.namespace,
              ...(filter ? { filter } : {}),
            },
          })
        } catch (err) {
          throw dimensionError(err, 'Pinecone query')
        }
        return result.matches.map((m) => ({ ...this.decode(m, false), score: this.score(m.score ?? 0, metric) }))
      },
      scan: (filter) => scoreEveryPage((cursor) => this.page(filter, cursor, LIST_PAGE, true), query.vector, metric),
    })
  }

  /**
   * One page of records matching the native filter: fetch_by_metadata when there is a filter, else the
   * id listing plus a fetch (list takes no filter and returns ids only).
   */
  private async page(
    filter: PineconeFilter | undefined,
    token: string | undefined,
    limit: number,
    includeVectors: boolean,
  ): Promise<ServicePage> {
    if (filter) {
      const result = await this.http.request<{ vectors: Record<string, PineconeVector>; pagination?: { next?: string } }>({
        method: 'POST',
        path: '/vectors/fetch_by_metadata',
        body: { filter, namespace: this.namespace, limit, ...(token ? { paginationToken: token } : {}) },
      })
      const vectors = Object.values(result.vectors ?? {}).sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
      const records = vectors.map((v) => this.decode(v, includeVectors))
      return result.pagination?.next ? { records, next: result.pagination.next } : { records }
    }
    const listed = await this.http.request<{ vectors?: { id: string }[]; pagination?: { next?: string } }>({
      method: 'GET',
      path: '/vectors/list',
      query: { namespace: this.namespace, limit: String(Math.min(limit, LIST_PAGE)), ...(token ? { paginationToken: token } : {}) },
    })
    const ids = (listed.vectors ?? []).map((v) => v.id)
    const found = ids.length > 0 ? await this.fetch(ids) : new Map<string, PineconeVector>()
    // A record deleted between list and fetch is simply skipped.
    const records = ids.flatMap((id) => (found.has(id) ? [this.decode(found.get(id)!, includeVectors)] : []))
    return listed.pagination?.next ? { records, next: listed.pagination.next } : { records }
  }

  async list(query: VectorListQuery): Promise<VectorListPage> {
    return listWithPostFilter({
      query,
      compiled: compilePineconeFilter(query.filter),
      pageSize: (filter, exact) => (filter ? (exact ? Math.min(Math.max(query.limit, 1), 1000) : 1000) : LIST_PAGE),
      fetchPage: (filter, cursor, pageSize) => this.page(filter, cursor, pageSize, false),
    })
  }

  async delete(ids: string[]): Promise<void> {
    for (const batch of chunk(ids, MAX_BATCH)) {
      await this.http.request({ method: 'POST', path: '/vectors/delete', body: { ids: batch, namespace: this.namespace } })
    }
  }

  /** Deletes this store's namespace content only. */
  async reset(): Promise<void> {
    try {
      await this.http.request({ method: 'POST', path: '/vectors/delete', body: { deleteAll: true, namespace: this.namespace } })
    } catch (err) {
      // Deleting everything from a namespace that does not exist (yet) leaves the same state.
      if (!(err instanceof RemoteError && err.status === 404)) throw err
    }
  }
}
