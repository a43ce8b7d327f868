import {
  ConfigError,
  DimensionMismatchError,
  HttpClient,
  Lazy,
  type Payload,
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
import { encodeShape } from '../shared/shape.ts'
import { uuidV5 } from '../shared/uuid-v5.ts'
import { assertUniformDimensions, checkDimensions, chunk, fromJsonVector, jsonBytes, toJsonVector } from '../shared/vectors.ts'
import type { MilvusConfig } from './config.ts'
import { compileMilvusFilter, type MilvusExpr, milvusString, PAYLOAD_FIELD, SHAPE_FIELD } from './filter.ts'

const SERVICE = 'Milvus'
const DEFAULT_COLLECTION = 'edgemem'
/** UUIDv5 namespace of primary keys (a fixed random UUID: changing it would orphan stored entities). */
export const PRIMARY_KEY_NAMESPACE = '9c4e2b7a-31d5-4f86-b0a9-5e7d13c8f264'
const PK = 'id'
const VECTOR = 'vector'
const NS = 'ns'
const RID = 'rid'
/** VarChar limits of the fields the adapter creates. */
const MAX_NS_BYTES = 1024
const MAX_RID_BYTES = 65_535
/** Milvus's default limit of one JSON value (proxy `maxJSONFieldLength`... documented as 65 536 bytes). */
const MAX_JSON_BYTES = 65_536
/** Rows per write and bytes per request (the proxy's gRPC limit is 64 MB; Zilliz Cloud's requests are smaller). */
const WRITE_BATCH = 500
const MAX_REQUEST_BYTES = 8 * 1024 * 1024
/** `limit + offset` of a search or query is at most 16 384. */
const MAX_RESULTS = 16_384
const PAGE = 500
const ID_BATCH = 500
const OUTPUT = [RID, NS, PAYLOAD_FIELD]
const encoder = new TextEncoder()

const METRICS: Record<string, Metric> = { COSINE: 'cosine', IP: 'dot', L2: 'euclidean' }

interface Envelope<T> {
  code: number
  data?: T
  message?: string
}
interface DescribedField {
  name: string
  type: string
  primaryKey?: boolean
  params?: { key: string; value: string }[]
}
interface Described {
  collectionName: string
  fields: DescribedField[]
  indexes?: { fieldName: string; indexName?: string; metricType?: string }[]
  load?: string
}
interface Row {
  id?: string
  distance?: number
  rid?: string
  ns?: string
  metadata?: unknown
  vector?: number[]
}

/** Milvus's codes for a missing collection (100, "collection not found[...]"). */
const isMissingCollection = (err: unknown): boolean =>
  err instanceof RemoteError && (err.body as { code?: number } | undefined)?.code === 100

/** `the dim (3) of field data(vector) is not equal to schema dim (8)`. */
function dimensionError(err: unknown, context: string): unknown {
  if (err instanceof RemoteError) {
    const match = /dim \((\d+)\) of field data\(\w+\) is not equal to schema dim \((\d+)\)/i.exec(err.serviceMessage)
    if (match) return new DimensionMismatchError(Number(match[2]), Number(match[1]), context)
  }
  return err
}

export class MilvusVectorStore implements VectorStore {
  readonly name = 'milvus'
  readonly collection: string
  /** The Memory collection, stored in every entity (`ns`). */
  readonly namespace: string
  private readonly http: HttpClient
  private readonly config: MilvusConfig
  private state: { dimensions: number; metric: Metric } | undefined
  private readonly discovered = new Lazy(async () => {
    let described: Described
    try {
      described = await this.call<Described>('collections/describe', {})
    } catch (err) {
      // A missing collection is created on the first init with dimensions.
      if (isMissingCollection(err)) return
      throw err
    }
    await this.adopt(described)
  })
  private readonly creation = new SingleFlight<void>()

  constructor(config: MilvusConfig, namespace: string) {
    if (namespace.length === 0) throw new ConfigError('collection', 'the Memory collection must not be empty')
    if (encoder.encode(namespace).byteLength > MAX_NS_BYTES)
      throw new ConfigError('collection', `the Memory collection must be at most ${MAX_NS_BYTES} bytes for Milvus`)
    this.config = config
    this.collection = config.collection ?? DEFAULT_COLLECTION
    this.namespace = namespace
    this.http = new HttpClient({
      service: SERVICE,
      baseUrl: config.url,
      headers: config.token ? { authorization: `Bearer ${config.token}` } : {},
      ...transportFrom(config),
    })
  }

  get dimensions(): number | undefined {
    return this.state?.dimensions
  }

  get metric(): Metric | undefined {
    return this.state?.metric
  }

  primaryKey(id: string): string {
    return uuidV5(`${this.namespace}\u0000${id}`, PRIMARY_KEY_NAMESPACE)
  }

  /**
   * One RESTful v2 call: Milvus answers HTTP 200 with `{code, data, message}`. Success is code 0 (the first
   * 2.4 releases said 200); any other code is an error.
   */
  private async call<T>(path: string, body: Record<string, unknown>): Promise<T> {
    const envelope = await this.http.request<Envelope<T>>({
      method: 'POST',
      path: `/v2/vectordb/${path}`,
      body: { ...(this.config.database ? { dbName: this.config.database } : {}), collectionName: this.collection, ...body },
    })
    if (envelope.code !== 0 && envelope.code !== 200) {
      throw new RemoteError(SERVICE, 200, envelope.message || `error code ${envelope.code}`, { body: envelope })
    }
    return envelope.data as T
  }

  async init(options: VectorStoreInit = {}): Promise<void> {
    const { dimensions } = options
    await this.discovered.get()
    if (!this.state && dimensions !== undefined) await this.creation.run(() => this.create(dimensions))
    if (dimensions !== undefined && this.state && dimensions !== this.state.dimensions) {
      throw new DimensionMismatchError(this.state.dimensions, dimensions, `Milvus collection "${this.collection}"`)
    }
  }

  private async adopt(described: Described): Promise<void> {
    const field = (name: string) => described.fields.find((f) => f.name === name)
    // Some versions report the type with its parameter (`FloatVector(8)`, `VarChar(64)`), others in `params`.
    const is = (name: string, type: string) => new RegExp(`^${type}(\\(\\d+\\))?$`).test(field(name)?.type ?? '')
    const vector = field(VECTOR)
    const dim = Number(vector?.params?.find((p) => p.key === 'dim')?.value ?? /\((\d+)\)$/.exec(vector?.type ?? '')?.[1])
    const ok =
      field(PK)?.primaryKey === true &&
      is(PK, 'VarChar') &&
      is(VECTOR, 'FloatVector') &&
      is(NS, 'VarChar') &&
      is(RID, 'VarChar') &&
      is(PAYLOAD_FIELD, 'JSON') &&
      is(SHAPE_FIELD, 'JSON') &&
      Number.isInteger(dim)
    if (!ok) {
      throw new ConfigError(
        'collection',
        `Milvus collection "${this.collection}" was not created by edgemem (expected fields ${[PK, VECTOR, NS, RID, PAYLOAD_FIELD, SHAPE_FIELD].join(', ')}); use another collection name`,
      )
    }
    const metricType = described.indexes?.find((i) => i.fieldName === VECTOR)?.metricType ?? ''
    const metric = METRICS[metricType.toUpperCase()]
    if (!metric) {
      throw new ConfigError(
        'collection',
        `Milvus collection "${this.collection}" has ${metricType ? `the ${metricType} metric` : 'no index on its vector field'}; edgemem supports COSINE, IP and L2`,
      )
    }
    if (described.load !== undefined && described.load !== 'LoadStateLoaded') await this.load()
    this.state = { dimensions: dim, metric }
  }

  /** Loads a released collection (searches and queries need it) and waits until it is loaded. */
  private async load(): Promise<void> {
    await this.call('collections/load', {})
    for (let attempt = 0; attempt < 120; attempt++) {
      const { loadState } = await this.call<{ loadState?: string }>('collections/get_load_state', {})
      if (loadState === 'LoadStateLoaded') return
      await new Promise((resolve) => setTimeout(resolve, 500))
    }
    throw new RemoteError(SERVICE, 0, `collection "${this.collection}" did not finish loading within 60 s`)
  }

  private async create(dimensions: number): Promise<void> {
    const metricType = this.config.metric ?? 'COSINE'
    const varchar = (fieldName: string, maxLength: number, primary = false) => ({
      fieldName,
      dataType: 'VarChar',
      ...(primary ? { isPrimary: true } : {}),
      elementTypeParams: { max_length: maxLength },
    })
    try {
      await this.call('collections/create', {
        schema: {
          autoID: false,
          enableDynamicField: false,
          fields: [
            varchar(PK, 64, true),
            { fieldName: VECTOR, dataType: 'FloatVector', elementTypeParams: { dim: dimensions } },
            varchar(NS, MAX_NS_BYTES),
            varchar(RID, MAX_RID_BYTES),
            { fieldName: PAYLOAD_FIELD, dataType: 'JSON' },
            { fieldName: SHAPE_FIELD, dataType: 'JSON' },
          ],
        },
        // With an index the collection is created loaded.
        indexParams: [{ fieldName: VECTOR, indexName: VECTOR, metricType, indexType: 'AUTOINDEX' }],
        params: { consistencyLevel: 'Strong' },
      })
    } catch (err) {
      // Created meanwhile by another process with another definition: adopt what exists (or say why not).
      if (!(err instanceof RemoteError) || err.status !== 200) throw err
      return this.adopt(await this.call<Described>('collections/describe', {}))
    }
    this.state = { dimensions, metric: METRICS[metricType]! }
  }

  private async ready(dimensionsForCreate?: number): Promise<{ dimensions: number; metric: Metric } | undefined> {
    if (!this.state) await this.init(dimensionsForCreate !== undefined ? { dimensions: dimensionsForCreate } : {})
    return this.state
  }

  private filter(native: MilvusExpr | undefined): MilvusExpr {
    const tenant = `${NS} == ${milvusString(this.namespace)}`
    return native === undefined ? tenant : `${tenant} and (${native})`
  }

  async upsert(records: VectorRecord[]): Promise<void> {
    if (records.length === 0) return
    const first = assertUniformDimensions(records, 'upsert')
    const state = (await this.ready(this.state?.dimensions ?? first))!
    const rows = records.map((record) => {
      if (typeof record.id !== 'string' || record.id.length === 0) throw new ValidationError('record ids must be non-empty strings')
      if (encoder.encode(record.id).byteLength > MAX_RID_BYTES)
        throw new ValidationError(`record id "${record.id.slice(0, 40)}…" is longer than Milvus's ${MAX_RID_BYTES} bytes`)
      checkDimensions(state.dimensions, record.vector, `upsert of "${record.id}"`)
      const metadata = JSON.stringify(record.payload)
      if (encoder.encode(metadata).byteLength > MAX_JSON_BYTES)
        throw new ValidationError(`the payload of "${record.id}" is larger than a Milvus JSON field (${MAX_JSON_BYTES} bytes)`)
      return {
        [PK]: this.primaryKey(record.id),
        [VECTOR]: toJsonVector(record.vector, `record "${record.id}"`),
        [NS]: this.namespace,
        [RID]: record.id,
        [PAYLOAD_FIELD]: record.payload,
        [SHAPE_FIELD]: { t: encodeShape(record.payload).tags },
      }
    })
    for (const batch of chunk(rows, WRITE_BATCH, MAX_REQUEST_BYTES, jsonBytes)) {
      try {
        // An upsert replaces the entity of an existing primary key whole.
        await this.call('entities/upsert', { data: batch })
      } catch (err) {
        throw dimensionError(err, `Milvus upsert into "${this.collection}"`)
      }
    }
  }

  private decode(row: Row, includeVectors: boolean): StoredRecord | null {
    if (row.ns !== this.namespace || typeof row.rid !== 'string') return null
    const metadata = typeof row.metadata === 'string' ? (JSON.parse(row.metadata) as unknown) : row.metadata
    if (metadata === null || typeof metadata !== 'object' || Array.isArray(metadata)) return null
    const record: StoredRecord = { id: row.rid, payload: metadata as Payload }
    if (includeVectors) {
      const vector = fromJsonVector(row.vector)
      if (vector) record.vector = vector
    }
    return record
  }

  async get(ids: string[], options: { includeVectors?: boolean } = {}): Promise<(StoredRecord | null)[]> {
    if (ids.length === 0) return []
    if (!(await this.ready())) return ids.map(() => null)
    const includeVectors = options.includeVectors ?? false
    const found = new Map<string, StoredRecord>()
    for (const batch of chunk([...new Set(ids)], ID_BATCH)) {
      const rows = await this.call<Row[]>('entities/get', {
        id: batch.map((id) => this.primaryKey(id)),
        outputFields: includeVectors ? [...OUTPUT, VECTOR] : OUTPUT,
        consistencyLevel: 'Strong',
      })
      for (const row of rows ?? []) {
        const record = this.decode(row, includeVectors)
        if (record) found.set(record.id, record)
      }
    }
    return ids.map((id) => {
      const record = found.get(id)
      return record ? { ...record, payload: structuredClone(record.payload) } : null
    })
  }

  /** Milvus reports COSINE and IP as similarities (the score itself) and L2 as the squared distance. */
  private score(distance: number, metric: Metric): number {
    return metric === 'euclidean' ? euclideanScore(distance) : distance
  }

  async search(query: VectorSearchQuery): Promise<ScoredRecord[]> {
    const state = await this.ready()
    if (!state) return []
    checkDimensions(state.dimensions, query.vector, 'search query')
    const vector = toJsonVector(query.vector, 'search query')
    return searchWithPostFilter({
      query,
      compiled: compileMilvusFilter(query.filter),
      maxTopK: MAX_RESULTS,
      ask: async (k, native) => {
        let rows: Row[]
        try {
          rows = await this.call<Row[]>('entities/search', {
            data: [vector],
            annsField: VECTOR,
            filter: this.filter(native),
            limit: k,
            outputFields: OUTPUT,
            consistencyLevel: 'Strong',
          })
        } catch (err) {
          throw dimensionError(err, 'Milvus search')
        }
        const out: ScoredRecord[] = []
        for (const row of rows ?? []) {
          const record = this.decode(row, false)
          if (record && typeof row.distance === 'number') out.push({ ...record, score: this.score(row.distance, state.metric) })
        }
        return out
      },
      scan: (native) => scoreEveryPage((after) => this.page(this.filter(native), after, PAGE, true), query.vector, state.metric),
    })
  }

  /**
   * One page in primary-key order after the key `after` (keyset paging, as Milvus's query iterators do:
   * a query with a limit answers in primary-key order, and offsets stop at 16 384).
   */
  private async page(filter: MilvusExpr, after: string | undefined, size: number, withVectors: boolean): Promise<ServicePage> {
    const rows =
      (await this.call<Row[]>('entities/query', {
        filter: after === undefined ? filter : `${filter} and ${PK} > ${milvusString(after)}`,
        outputFields: withVectors ? [PK, ...OUTPUT, VECTOR] : [PK, ...OUTPUT],
        limit: size,
        consistencyLevel: 'Strong',
      })) ?? []
    const records = rows.map((r) => this.decode(r, withVectors)).filter((r): r is StoredRecord => r !== null)
    const last = rows[rows.length - 1]
    return rows.length < size || typeof last?.id !== 'string' ? { records } : { records, next: last.id }
  }

  async list(query: VectorListQuery): Promise<VectorListPage> {
    if (!(await this.ready())) return { records: [] }
    return listWithPostFilter({
      query,
      compiled: compileMilvusFilter(query.filter),
      pageSize: (_native, exact) => (exact ? Math.min(Math.max(query.limit, 1), PAGE) : PAGE),
      fetchPage: (native, cursor, pageSize) => this.page(this.filter(native), cursor, pageSize, false),
    })
  }

  async delete(ids: string[]): Promise<void> {
    if (ids.length === 0 || !(await this.ready())) return
    for (const batch of chunk([...new Set(ids)], ID_BATCH)) {
      await this.call('entities/delete', { filter: `${PK} in [${batch.map((id) => milvusString(this.primaryKey(id))).join(', ')}]` })
    }
  }

  /** Deletes this Memory collection's entities only; the collection and other tenants stay. */
  async reset(): Promise<void> {
    if (!(await this.ready())) return
    await this.call('entities/delete', { filter: this.filter(undefined) })
  }
}
