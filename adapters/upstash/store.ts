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
import { assertNoReservedKeys, decodeShape, encodeShape, TAGS_KEY } from '../shared/shape.ts'
import { assertUniformDimensions, checkDimensions, chunk, fromJsonVector, jsonBytes, toJsonVector } from '../shared/vectors.ts'
import { UPSTASH_NAMESPACE, type UpstashConfig } from './config.ts'
import { compileUpstashFilter } from './filter.ts'

const SERVICE = 'Upstash Vector'
/** Per the REST docs: 1000 vectors per upsert, 48 KB metadata per vector. */
const MAX_BATCH = 1000
const MAX_METADATA_BYTES = 48 * 1024
/** Keep one request well below typical edge body limits. */
const MAX_REQUEST_BYTES = 8 * 1024 * 1024
/** Largest topK asked for when over-fetching; beyond it the exact fallback scan runs. */
const MAX_TOP_K = 1000
const RANGE_PAGE = 1000

interface UpstashInfo {
  dimension: number
  similarityFunction: 'COSINE' | 'EUCLIDEAN' | 'DOT_PRODUCT'
}
interface UpstashVector {
  id: string
  score?: number
  vector?: number[]
  metadata?: Record<string, unknown>
}

const METRICS: Record<UpstashInfo['similarityFunction'], Metric> = { COSINE: 'cosine', EUCLIDEAN: 'euclidean', DOT_PRODUCT: 'dot' }

/** Upstash answers 422 `Invalid vector dimension: 2, expected: 256`. */
function dimensionError(err: unknown, context: string): unknown {
  if (err instanceof RemoteError) {
    const match = /dimension:?\s*(\d+),\s*expected:?\s*(\d+)/i.exec(err.serviceMessage)
    if (match) return new DimensionMismatchError(Number(match[2]), Number(match[1]), context)
  }
  return err
}

/** Reads on a namespace that does not exist yet mean "no records" to us. */
function isUnknownNamespace(err: unknown): boolean {
  return err instanceof RemoteError && err.status === 404 && /namespace/i.test(err.serviceMessage)
}

export class UpstashVectorStore implements VectorStore {
  readonly name = 'upstash'
  readonly namespace: string
  private readonly http: HttpClient
  /** The index's dimensions and metric, read once (POST /info). */
  private readonly info = new Lazy(async () => {
    const { result } = await this.http.request<{ result: UpstashInfo }>({ method: 'POST', path: '/info', body: [] })
    const metric = METRICS[result.similarityFunction]
    if (!metric) throw new RemoteError(SERVICE, 200, `unknown similarity function ${String(result.similarityFunction)}`)
    return { dimensions: result.dimension, metric }
  })

  constructor(config: UpstashConfig, collection: string) {
    const namespace = config.namespace ?? collection
    if (!UPSTASH_NAMESPACE.test(namespace)) {
      throw new ConfigError(
        'namespace',
        `"${namespace}" cannot be an Upstash namespace (letters, digits, "_" and "-"); set vectorStore.config.namespace`,
      )
    }
    this.namespace = namespace
    this.http = new HttpClient({
      service: SERVICE,
      baseUrl: config.url,
      headers: { Authorization: `Bearer ${config.token}` },
      ...transportFrom(config),
    })
  }

  get dimensions(): number | undefined {
    return this.info.current?.dimensions
  }

  get metric(): Metric | undefined {
    return this.info.current?.metric
  }

  private path(command: string): string {
    return this.namespace === '' ? `/${command}` : `/${command}/${this.namespace}`
  }

  private async call<T>(command: string, body: unknown): Promise<T> {
    const response = await this.http.request<{ result: T }>({ method: 'POST', path: this.path(command), body })
    return response.result
  }

  async init(options: VectorStoreInit = {}): Promise<void> {
    const info = await this.info.get()
    if (options.dimensions !== undefined && options.dimensions !== info.dimensions) {
      throw new DimensionMismatchError(info.dimensions, options.dimensions, `Upstash index at namespace "${this.namespace}"`)
    }
  }

  private ready(): Promise<{ dimensions: number; metric: Metric }> {
    return this.info.get()
  }

  async upsert(records: VectorRecord[]): Promise<void> {
    if (records.length === 0) return
    const { dimensions } = await this.ready()
    assertUniformDimensions(records, 'upsert')
    const bodies = records.map((record) => {
      checkDimensions(dimensions, record.vector, `upsert of "${record.id}"`)
      if (typeof record.id !== 'string' || record.id.length === 0) throw new ValidationError('record ids must be non-empty strings')
      assertNoReservedKeys(record.payload, [TAGS_KEY], SERVICE)
      const { fields, tags } = encodeShape(record.payload)
      const metadata = { ...fields, [TAGS_KEY]: tags }
      const size = jsonBytes(metadata)
      if (size > MAX_METADATA_BYTES) {
        throw new ValidationError(
          `payload of "${record.id}" is ${size} bytes as JSON; Upstash Vector stores at most ${MAX_METADATA_BYTES} bytes of metadata per vector`,
        )
      }
      return { id: record.id, vector: toJsonVector(record.vector, `record "${record.id}"`), metadata }
    })
    for (const batch of chunk(bodies, MAX_BATCH, MAX_REQUEST_BYTES, jsonBytes)) {
      try {
        await this.call('upsert', batch)
      } catch (err) {
        throw dimensionError(err, `Upstash upsert into namespace "${this.namespace}"`)
      }
    }
  }

  private decode(vector: UpstashVector, includeVectors: boolean): StoredRecord {
    const record: StoredRecord = { id: vector.id, payload: decodeShape(vector.metadata ?? {}, [TAGS_KEY]) }
    if (includeVectors) {
      const values = fromJsonVector(vector.vector)
      if (values) record.vector = values
    }
    return record
  }

  async get(ids: string[], options: { includeVectors?: boolean } = {}): Promise<(StoredRecord | null)[]> {
    if (ids.length === 0) return []
    await this.ready()
    const includeVectors = options.includeVectors ?? false
    const out: (StoredRecord | null)[] = []
    for (const batch of chunk(ids, MAX_BATCH)) {
      let result: (UpstashVector | null)[]
      try {
        result = await this.call<(UpstashVector | null)[]>('fetch', { ids: batch, includeMetadata: true, includeVectors })
      } catch (err) {
        if (!isUnknownNamespace(err)) throw err
        result = batch.map(() => null)
      }
      for (const item of result) out.push(item ? this.decode(item, includeVectors) : null)
    }
    return out
  }

  /** Upstash normalises scores to 0..1; convert back to the scale documented in shared/metric.ts. */
  private score(raw: number, metric: Metric): number {
    if (metric === 'euclidean') return euclideanScore(1 / raw - 1)
    return 2 * raw - 1
  }

  async search(query: VectorSearchQuery): Promise<ScoredRecord[]> {
    const { dimensions, metric } = await this.ready()
    checkDimensions(dimensions, query.vector, 'search query')
    const vector = toJsonVector(query.vector, 'search query')
    return searchWithPostFilter({
      query,
      compiled: compileUpstashFilter(query.filter),
      maxTopK: MAX_TOP_K,
      ask: async (k, filter) => {
        let result: UpstashVector[]
        try {
          result = await this.call<UpstashVector[]>('query', {
            vector,
            topK: k,
            includeMetadata: true,
            ...(filter !== undefined ? { filter } : {}),
          })
        } catch (err) {
          if (isUnknownNamespace(err)) return []
          throw dimensionError(err, 'Upstash query')
        }
        return result.map((item) => ({ ...this.decode(item, false), score: this.score(item.score ?? 0, metric) }))
      },
      scan: () => scoreEveryPage((cursor) => this.rangePage(cursor, RANGE_PAGE, true), query.vector, metric),
    })
  }

  private async rangePage(cursor: string | undefined, limit: number, includeVectors: boolean): Promise<ServicePage> {
    let result: { nextCursor: string; vectors: UpstashVector[] }
    try {
      result = await this.call('range', { cursor: cursor ?? '0', limit, includeMetadata: true, includeVectors })
    } catch (err) {
      if (isUnknownNamespace(err)) return { records: [] }
      throw err
    }
    const records = result.vectors.map((item) => this.decode(item, includeVectors))
    return result.nextCursor === '' || result.nextCursor === undefined ? { records } : { records, next: result.nextCursor }
  }

  /**
   * Upstash's range takes no filter, so listing walks the namespace in range order and filters locally:
   * the cost grows with the namespace, not with the result (documented in docs/adapters/upstash.md).
   */
  async list(query: VectorListQuery): Promise<VectorListPage> {
    await this.ready()
    return listWithPostFilter({
      query,
      compiled: compileUpstashFilter(query.filter),
      pageSize: () => RANGE_PAGE,
      fetchPage: (_native, cursor, pageSize) => this.rangePage(cursor, pageSize, false),
    })
  }

  async delete(ids: string[]): Promise<void> {
    if (ids.length === 0) return
    for (const batch of chunk(ids, MAX_BATCH)) {
      try {
        await this.call('delete', { ids: batch })
      } catch (err) {
        if (!isUnknownNamespace(err)) throw err
      }
    }
  }

  /** Resets this store's namespace only. */
  async reset(): Promise<void> {
    try {
      await this.call('reset', [])
    } catch (err) {
      if (!isUnknownNamespace(err)) throw err
    }
  }
}
