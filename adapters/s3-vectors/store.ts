import {
  awsCredentialsFrom,
  ConfigError,
  DimensionMismatchError,
  HttpClient,
  Lazy,
  type Payload,
  RemoteError,
  type ScoredRecord,
  SingleFlight,
  sha256Hex,
  sigV4,
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
import { listWithPostFilter, scoreEveryPage, searchWithPostFilter, type ServicePage } from '../shared/post-filter.ts'
import { encodeShape } from '../shared/shape.ts'
import { payloadTokens } from '../shared/tokens.ts'
import { assertUniformDimensions, checkDimensions, chunk, fromJsonVector, jsonBytes, toJsonVector } from '../shared/vectors.ts'
import type { S3VectorsConfig } from './config.ts'
import { compileS3VectorsFilter, type S3Filter, SENTINEL, TAGS_LIST_KEY, TOKENS_KEY } from './filter.ts'

const SERVICE = 'S3 Vectors'
const PAYLOAD_KEY = 'em_payload'
/** Documented limits: 500 vectors per PutVectors/DeleteVectors, 100 keys per GetVectors, 1000 per ListVectors page, topK ≤ 100. */
const PUT_BATCH = 500
const DELETE_BATCH = 500
const GET_BATCH = 100
const LIST_PAGE = 1000
const MAX_TOP_K = 100
const MAX_REQUEST_BYTES = 15 * 1024 * 1024
const MAX_KEY_LENGTH = 1024

interface OutputVector {
  key: string
  data?: { float32?: number[] }
  metadata?: Record<string, unknown>
  distance?: number
}

/**
 * The index of a Memory collection: `<prefix>-<collection>` when that is a valid index name (lowercase
 * letters and digits in dash-separated words, at most 63 characters), else `<prefix>--<hash>`.
 */
export function indexNameFor(prefix: string, collection: string): string {
  const plain = `${prefix}-${collection}`
  if (/^[a-z0-9]+(-[a-z0-9]+)*$/.test(collection) && plain.length <= 63) return plain
  return `${prefix}--${sha256Hex(collection).slice(0, 24)}`
}

export class S3VectorsVectorStore implements VectorStore {
  readonly name = 's3_vectors'
  readonly bucket: string
  /** The index holding this Memory collection. */
  readonly index: string
  private readonly http: HttpClient
  private state: { dimensions: number } | undefined
  private readonly discovered = new Lazy(async () => {
    try {
      await this.adopt()
    } catch (err) {
      if (err instanceof RemoteError && err.status === 404 && /index/i.test(err.serviceMessage)) return
      throw err
    }
  })
  private readonly creation = new SingleFlight<void>()

  constructor(config: S3VectorsConfig, collection: string) {
    if (collection.length === 0) throw new ConfigError('collection', 'the Memory collection must not be empty')
    this.bucket = config.vectorBucketName
    this.index = indexNameFor(config.indexPrefix ?? 'edgemem', collection)
    const credentials = awsCredentialsFrom(config, 'vectorStore.config')
    this.http = new HttpClient({
      service: SERVICE,
      baseUrl: config.endpoint ?? `https://s3vectors.${config.region}.api.aws`,
      prepare: sigV4({ ...credentials, service: 's3vectors', region: config.region }),
      ...transportFrom(config),
    })
  }

  get dimensions(): number | undefined {
    return this.state?.dimensions
  }

  /** Every operation is `POST /<Operation>` with a JSON body naming the bucket and index. */
  private call<T>(operation: string, body: Record<string, unknown> = {}): Promise<T> {
    return this.http.request<T>({
      method: 'POST',
      path: `/${operation}`,
      body: { vectorBucketName: this.bucket, indexName: this.index, ...body },
    })
  }

  async init(options: VectorStoreInit = {}): Promise<void> {
    const { dimensions } = options
    await this.discovered.get()
    if (!this.state && dimensions !== undefined) await this.creation.run(() => this.create(dimensions))
    if (dimensions !== undefined && this.state && dimensions !== this.state.dimensions) {
      throw new DimensionMismatchError(this.state.dimensions, dimensions, `S3 Vectors index "${this.index}"`)
    }
  }

  private async adopt(): Promise<void> {
    const { index } = await this.call<{
      index: {
        dimension: number
        distanceMetric: string
        dataType: string
        metadataConfiguration?: { nonFilterableMetadataKeys?: string[] }
      }
    }>('GetIndex')
    if (index.distanceMetric !== 'cosine') {
      throw new ConfigError(
        'indexPrefix',
        `S3 Vectors index "${this.index}" uses ${index.distanceMetric} distance; edgemem creates and reads cosine indexes`,
      )
    }
    if (!index.metadataConfiguration?.nonFilterableMetadataKeys?.includes(PAYLOAD_KEY)) {
      throw new ConfigError(
        'indexPrefix',
        `S3 Vectors index "${this.index}" was not created by edgemem (${PAYLOAD_KEY} is not non-filterable); use another indexPrefix`,
      )
    }
    this.state = { dimensions: index.dimension }
  }

  private async create(dimensions: number): Promise<void> {
    try {
      await this.call('CreateIndex', {
        dataType: 'float32',
        dimension: dimensions,
        distanceMetric: 'cosine',
        metadataConfiguration: { nonFilterableMetadataKeys: [PAYLOAD_KEY] },
      })
    } catch (err) {
      // Created meanwhile by another client: use it.
      if (err instanceof RemoteError && err.status === 409) return this.adopt()
      throw err
    }
    this.state = { dimensions }
  }

  private async ready(dimensionsForCreate?: number): Promise<{ dimensions: number } | undefined> {
    if (!this.state) await this.init(dimensionsForCreate !== undefined ? { dimensions: dimensionsForCreate } : {})
    return this.state
  }

  async upsert(records: VectorRecord[]): Promise<void> {
    if (records.length === 0) return
    const first = assertUniformDimensions(records, 'upsert')
    const state = (await this.ready(this.state?.dimensions ?? first))!
    const vectors = records.map((record) => {
      if (typeof record.id !== 'string' || record.id.length === 0 || record.id.length > MAX_KEY_LENGTH) {
        throw new ValidationError(`record ids must be strings of 1 to ${MAX_KEY_LENGTH} characters (S3 Vectors keys)`)
      }
      checkDimensions(state.dimensions, record.vector, `upsert of "${record.id}"`)
      return {
        key: record.id,
        data: { float32: toJsonVector(record.vector, `record "${record.id}"`) },
        metadata: {
          [PAYLOAD_KEY]: JSON.stringify(record.payload),
          [TAGS_LIST_KEY]: [SENTINEL, ...encodeShape(record.payload).tags],
          [TOKENS_KEY]: [SENTINEL, ...payloadTokens(record.payload)],
        },
      }
    })
    for (const batch of chunk(vectors, PUT_BATCH, MAX_REQUEST_BYTES, jsonBytes)) await this.call('PutVectors', { vectors: batch })
  }

  private decode(vector: OutputVector, includeVectors: boolean): StoredRecord | null {
    const raw = vector.metadata?.[PAYLOAD_KEY]
    if (typeof raw !== 'string') return null
    const record: StoredRecord = { id: vector.key, payload: JSON.parse(raw) as Payload }
    if (includeVectors) {
      const data = fromJsonVector(vector.data?.float32)
      if (data) record.vector = data
    }
    return record
  }

  async get(ids: string[], options: { includeVectors?: boolean } = {}): Promise<(StoredRecord | null)[]> {
    if (ids.length === 0) return []
    if (!(await this.ready())) return ids.map(() => null)
    const includeVectors = options.includeVectors ?? false
    const found = new Map<string, StoredRecord>()
    for (const batch of chunk([...new Set(ids)], GET_BATCH)) {
      const { vectors } = await this.call<{ vectors: OutputVector[] }>('GetVectors', {
        keys: batch,
        returnData: includeVectors,
        returnMetadata: true,
      })
      for (const vector of vectors) {
        const record = this.decode(vector, includeVectors)
        if (record) found.set(record.id, record)
      }
    }
    return ids.map((id) => {
      const record = found.get(id)
      return record ? { ...record, payload: structuredClone(record.payload) } : null
    })
  }

  async search(query: VectorSearchQuery): Promise<ScoredRecord[]> {
    const state = await this.ready()
    if (!state) return []
    checkDimensions(state.dimensions, query.vector, 'search query')
    const vector = toJsonVector(query.vector, 'search query')
    return searchWithPostFilter({
      query,
      compiled: compileS3VectorsFilter(query.filter),
      maxTopK: MAX_TOP_K,
      ask: async (k, native) => {
        const out: ScoredRecord[] = []
        let nextToken: string | undefined
        // Results beyond the service's page size arrive in pages (`nextToken`, same query repeated).
        do {
          const page: { vectors: OutputVector[]; nextToken?: string } = await this.call('QueryVectors', {
            topK: k,
            queryVector: { float32: vector },
            ...(native ? { filter: native } : {}),
            returnMetadata: true,
            returnDistance: true,
            ...(nextToken ? { nextToken } : {}),
          })
          for (const hit of page.vectors) {
            const record = this.decode(hit, false)
            // Cosine distance is 1 - cosine similarity.
            if (record) out.push({ ...record, score: 1 - (hit.distance ?? 1) })
          }
          nextToken = page.nextToken
        } while (nextToken && out.length < k)
        return out
      },
      scan: () => scoreEveryPage((token) => this.listPage(token, LIST_PAGE, true), query.vector, 'cosine'),
    })
  }

  /** One page of ListVectors (no filter: the service lists every vector of the index). */
  private async listPage(token: string | undefined, size: number, withVectors: boolean): Promise<ServicePage> {
    const page = await this.call<{ vectors: OutputVector[]; nextToken?: string }>('ListVectors', {
      maxResults: size,
      returnData: withVectors,
      returnMetadata: true,
      ...(token ? { nextToken: token } : {}),
    })
    const records = page.vectors.map((v) => this.decode(v, withVectors)).filter((r): r is StoredRecord => r !== null)
    return page.nextToken ? { records, next: page.nextToken } : { records }
  }

  async list(query: VectorListQuery): Promise<VectorListPage> {
    if (!(await this.ready())) return { records: [] }
    return listWithPostFilter<S3Filter>({
      query,
      compiled: compileS3VectorsFilter(query.filter),
      // ListVectors takes no filter: pages are read whole and filtered locally.
      pageSize: (native, exact) => (native === undefined && exact ? Math.min(Math.max(query.limit, 1), LIST_PAGE) : LIST_PAGE),
      fetchPage: (_native, token, size) => this.listPage(token, size, false),
    })
  }

  async delete(ids: string[]): Promise<void> {
    if (ids.length === 0 || !(await this.ready())) return
    for (const batch of chunk([...new Set(ids)], DELETE_BATCH)) await this.call('DeleteVectors', { keys: batch })
  }

  /** Deletes the Memory collection's index and creates it again empty, with the same dimensions. */
  async reset(): Promise<void> {
    const state = await this.ready()
    if (!state) return
    try {
      await this.call('DeleteIndex')
    } catch (err) {
      if (!(err instanceof RemoteError && err.status === 404)) throw err
    }
    this.state = undefined
    await this.creation.run(() => this.create(state.dimensions))
  }
}
