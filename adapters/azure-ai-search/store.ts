import {
  backoffMs,
  ConfigError,
  DimensionMismatchError,
  HttpClient,
  Lazy,
  type Payload,
  RemoteError,
  type RetryPolicy,
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
import { localScore, type Metric } from '../shared/metric.ts'
import { listWithPostFilter, scoreEveryPage, searchWithPostFilter, type ServicePage } from '../shared/post-filter.ts'
import { encodeShape } from '../shared/shape.ts'
import { uuidV5 } from '../shared/uuid-v5.ts'
import { assertUniformDimensions, checkDimensions, chunk, fromJsonVector, jsonBytes, toJsonVector } from '../shared/vectors.ts'
import type { AzureAiSearchConfig } from './config.ts'
import { payloadTokens } from '../shared/tokens.ts'
import { type AzureExpr, compileAzureFilter, odataString, TAGS_FIELD, TOKENS_FIELD } from './filter.ts'

const SERVICE = 'Azure AI Search'
const DEFAULT_INDEX = 'edgemem'
const DEFAULT_API_VERSION = '2024-07-01'
/** Document keys allow letters, digits, `_`, `-`, `=` only: ours are UUIDv5 of (Memory collection, id). */
export const KEY_NAMESPACE = '3a0f6c52-8f1e-4b7d-9e2a-7c5d1b9e4f60'
const VECTOR_FIELD = 'em_vector'
const PROFILE = 'em-profile'
const ALGORITHM = 'em-hnsw'
/** The documented limits of one indexing request: 1000 documents, 16 MB. */
const UPLOAD_BATCH = 1000
const MAX_REQUEST_BYTES = 15 * 1024 * 1024
/** `top` of one search response is at most 1000. */
const MAX_TOP_K = 1000
const PAGE = 1000
const SELECT = 'id,em_ns,em_id,em_payload'

/** The fields edgemem reads and writes; an index created elsewhere must have them. */
function indexFields(dimensions: number): Record<string, unknown>[] {
  const plain = { searchable: false, sortable: false, facetable: false }
  return [
    { name: 'id', type: 'Edm.String', key: true, filterable: true, sortable: true, searchable: false, facetable: false },
    { name: 'em_ns', type: 'Edm.String', filterable: true, ...plain },
    { name: 'em_id', type: 'Edm.String', filterable: false, ...plain },
    { name: 'em_payload', type: 'Edm.String', filterable: false, ...plain },
    { name: TAGS_FIELD, type: 'Collection(Edm.String)', filterable: true, retrievable: false, searchable: false, facetable: false },
    { name: TOKENS_FIELD, type: 'Collection(Edm.String)', filterable: true, retrievable: false, searchable: false, facetable: false },
    { name: VECTOR_FIELD, type: 'Collection(Edm.Single)', searchable: true, retrievable: true, dimensions, vectorSearchProfile: PROFILE },
  ]
}
const REQUIRED = ['id', 'em_ns', 'em_id', 'em_payload', TAGS_FIELD, TOKENS_FIELD, VECTOR_FIELD]

interface IndexField {
  name: string
  type: string
  key?: boolean
  dimensions?: number
  vectorSearchProfile?: string
}
interface IndexDefinition {
  fields: IndexField[]
  vectorSearch?: {
    profiles?: { name: string; algorithm: string }[]
    algorithms?: { name: string; kind: string; hnswParameters?: { metric?: string }; exhaustiveKnnParameters?: { metric?: string } }[]
  }
}
interface SearchDocument {
  '@search.score'?: number
  id: string
  em_ns?: string
  em_id?: string
  em_payload?: string
  em_vector?: number[]
}
interface IndexingResult {
  key: string
  status: boolean
  errorMessage?: string | null
  statusCode: number
}

const METRICS: Record<string, Metric> = { cosine: 'cosine', euclidean: 'euclidean' }

/**
 * Azure answers 400 `... The vector field 'v', with dimension of '1536', expects a length of '1536'.
 * However, the provided vector has a length of '3072'. ...`.
 */
function dimensionError(err: unknown, context: string): unknown {
  if (err instanceof RemoteError) {
    const match = /expects a length of '(\d+)'.*?provided vector has a length of '(\d+)'/is.exec(err.serviceMessage)
    if (match) return new DimensionMismatchError(Number(match[1]), Number(match[2]), context)
  }
  return err
}

/** Per-document statuses of a 207 worth sending again. */
const TRANSIENT_DOCUMENT_STATUS = [409, 422, 503]

const isMissingIndex = (err: unknown): boolean => err instanceof RemoteError && err.status === 404

export class AzureAiSearchVectorStore implements VectorStore {
  readonly name = 'azure_ai_search'
  readonly index: string
  /** The Memory collection, stored in every document (`em_ns`). */
  readonly namespace: string
  private readonly http: HttpClient
  private readonly config: AzureAiSearchConfig
  private readonly apiVersion: string
  private readonly retry: RetryPolicy
  private state: { dimensions: number; metric: Metric } | undefined
  /** Whether the index exists (adopted when it does), read once. */
  private readonly discovered = new Lazy(async () => {
    let definition: IndexDefinition
    try {
      definition = await this.call<IndexDefinition>('GET', '')
    } catch (err) {
      if (isMissingIndex(err)) return
      throw err
    }
    this.adopt(definition)
  })
  private readonly creation = new SingleFlight<void>()

  constructor(config: AzureAiSearchConfig, namespace: string) {
    if (namespace.length === 0) throw new ConfigError('collection', 'the Memory collection must not be empty')
    this.config = config
    this.index = config.index ?? DEFAULT_INDEX
    this.namespace = namespace
    this.apiVersion = config.apiVersion ?? DEFAULT_API_VERSION
    const transport = transportFrom(config)
    this.retry = transport.retry
    this.http = new HttpClient({ service: SERVICE, baseUrl: config.endpoint, headers: { 'api-key': config.apiKey }, ...transport })
  }

  get dimensions(): number | undefined {
    return this.state?.dimensions
  }

  get metric(): Metric | undefined {
    return this.state?.metric
  }

  private async call<T>(method: 'GET' | 'POST' | 'PUT', path: string, body?: unknown, headers?: Record<string, string>): Promise<T> {
    return this.http.request<T>({
      method,
      path: `/indexes/${encodeURIComponent(this.index)}${path}`,
      query: { 'api-version': this.apiVersion },
      body,
      ...(headers ? { headers } : {}),
    })
  }

  documentKey(id: string): string {
    return uuidV5(`${this.namespace}\u0000${id}`, KEY_NAMESPACE)
  }

  async init(options: VectorStoreInit = {}): Promise<void> {
    const { dimensions } = options
    await this.discovered.get()
    if (!this.state && dimensions !== undefined) await this.creation.run(() => this.create(dimensions))
    if (dimensions !== undefined && this.state && dimensions !== this.state.dimensions) {
      throw new DimensionMismatchError(this.state.dimensions, dimensions, `Azure AI Search index "${this.index}"`)
    }
  }

  private adopt(definition: IndexDefinition): void {
    const names = definition.fields.map((f) => f.name)
    const missing = REQUIRED.filter((name) => !names.includes(name))
    const vector = definition.fields.find((f) => f.name === VECTOR_FIELD)
    if (missing.length > 0 || !vector || typeof vector.dimensions !== 'number') {
      throw new ConfigError(
        'index',
        `Azure AI Search index "${this.index}" was not created by edgemem (missing fields: ${missing.join(', ') || VECTOR_FIELD}); use another index name`,
      )
    }
    const profile = definition.vectorSearch?.profiles?.find((p) => p.name === vector.vectorSearchProfile)
    const algorithm = definition.vectorSearch?.algorithms?.find((a) => a.name === profile?.algorithm)
    const metricName = algorithm?.hnswParameters?.metric ?? algorithm?.exhaustiveKnnParameters?.metric ?? 'cosine'
    const metric = METRICS[metricName]
    if (!metric) {
      throw new ConfigError(
        'index',
        `Azure AI Search index "${this.index}" uses the ${metricName} metric; edgemem converts only cosine and euclidean scores to cosine similarity`,
      )
    }
    this.state = { dimensions: vector.dimensions, metric }
  }

  private async create(dimensions: number): Promise<void> {
    const metric = this.config.metric ?? 'cosine'
    const definition = {
      name: this.index,
      fields: indexFields(dimensions),
      vectorSearch: {
        algorithms: [{ name: ALGORITHM, kind: 'hnsw', hnswParameters: { metric, m: 4, efConstruction: 400, efSearch: 500 } }],
        profiles: [{ name: PROFILE, algorithm: ALGORITHM }],
      },
    }
    try {
      // If-None-Match: * makes the PUT create-only: an index made meanwhile answers 412 and is adopted.
      await this.call('PUT', '', definition, { 'If-None-Match': '*' })
    } catch (err) {
      if (err instanceof RemoteError && err.status === 412) return this.adopt(await this.call<IndexDefinition>('GET', ''))
      throw err
    }
    this.state = { dimensions, metric }
  }

  private async ready(dimensionsForCreate?: number): Promise<{ dimensions: number; metric: Metric } | undefined> {
    if (!this.state) await this.init(dimensionsForCreate !== undefined ? { dimensions: dimensionsForCreate } : {})
    return this.state
  }

  /**
   * Sends one indexing batch. A 207 lists per-document results: documents refused with a transient status
   * (409/422 version conflicts, 503 throttling, per the service's guidance) are sent again with the shared
   * backoff, at most `maxRetries` times; any other refusal fails the call with the service's message.
   */
  private async indexBatch(actions: Record<string, unknown>[], context: string): Promise<void> {
    let pending = actions
    for (let retry = 0; ; retry++) {
      let result: { value: IndexingResult[] }
      try {
        result = await this.call('POST', '/docs/index', { value: pending })
      } catch (err) {
        throw dimensionError(err, context)
      }
      const failed = result.value.filter((r) => !r.status)
      if (failed.length === 0) return
      const first = failed[0]!
      const transient = failed.every((r) => TRANSIENT_DOCUMENT_STATUS.includes(r.statusCode))
      if (!transient || retry >= this.retry.maxRetries) {
        throw new RemoteError(SERVICE, first.statusCode, first.errorMessage ?? `document ${first.key} was not indexed`)
      }
      const keys = new Set(failed.map((r) => r.key))
      pending = pending.filter((action) => keys.has(action.id as string))
      await new Promise((resolve) => setTimeout(resolve, backoffMs(retry, this.retry)))
    }
  }

  async upsert(records: VectorRecord[]): Promise<void> {
    if (records.length === 0) return
    const first = assertUniformDimensions(records, 'upsert')
    const state = (await this.ready(this.state?.dimensions ?? first))!
    const documents = records.map((record) => {
      if (typeof record.id !== 'string' || record.id.length === 0) throw new ValidationError('record ids must be non-empty strings')
      checkDimensions(state.dimensions, record.vector, `upsert of "${record.id}"`)
      return {
        '@search.action': 'upload',
        id: this.documentKey(record.id),
        em_ns: this.namespace,
        em_id: record.id,
        em_payload: JSON.stringify(record.payload),
        [TAGS_FIELD]: encodeShape(record.payload).tags,
        [TOKENS_FIELD]: payloadTokens(record.payload),
        [VECTOR_FIELD]: toJsonVector(record.vector, `record "${record.id}"`),
      }
    })
    for (const batch of chunk(documents, UPLOAD_BATCH, MAX_REQUEST_BYTES, jsonBytes)) {
      await this.indexBatch(batch, `Azure AI Search upload into "${this.index}"`)
    }
  }

  private decode(doc: SearchDocument, includeVectors: boolean): StoredRecord | null {
    if (doc.em_ns !== this.namespace || typeof doc.em_id !== 'string' || typeof doc.em_payload !== 'string') return null
    const record: StoredRecord = { id: doc.em_id, payload: JSON.parse(doc.em_payload) as Payload }
    if (includeVectors) {
      const vector = fromJsonVector(doc.em_vector)
      if (vector) record.vector = vector
    }
    return record
  }

  private tenantFilter(native: AzureExpr | undefined): string {
    const tenant = `em_ns eq ${odataString(this.namespace)}`
    return native === undefined ? tenant : `${tenant} and (${native})`
  }

  private async query(body: Record<string, unknown>): Promise<SearchDocument[]> {
    try {
      return (await this.call<{ value: SearchDocument[] }>('POST', '/docs/search', body)).value
    } catch (err) {
      if (isMissingIndex(err)) return []
      throw err
    }
  }

  async get(ids: string[], options: { includeVectors?: boolean } = {}): Promise<(StoredRecord | null)[]> {
    if (ids.length === 0) return []
    if (!(await this.ready())) return ids.map(() => null)
    const includeVectors = options.includeVectors ?? false
    const found = new Map<string, StoredRecord>()
    for (const batch of chunk([...new Set(ids)], PAGE)) {
      const docs = await this.query({
        search: '*',
        filter: this.tenantFilter(`search.in(id, ${odataString(batch.map((id) => this.documentKey(id)).join(','))}, ',')`),
        select: includeVectors ? `${SELECT},${VECTOR_FIELD}` : SELECT,
        top: batch.length,
      })
      for (const doc of docs) {
        const record = this.decode(doc, includeVectors)
        if (record) found.set(record.id, record)
      }
    }
    return ids.map((id) => {
      const record = found.get(id)
      return record ? { ...record, payload: structuredClone(record.payload) } : null
    })
  }

  /**
   * The reported score. Cosine: the documented `@search.score = 1 / (1 + (1 - cos))` converted back.
   * Euclidean: the docs give no formula, so the hit's vector is fetched and `1 - d²/2` computed here.
   */
  private score(doc: SearchDocument, metric: Metric, query: Float32Array): number {
    if (metric === 'euclidean') return localScore('euclidean', query, doc.em_vector ?? [])
    return 2 - 1 / (doc['@search.score'] ?? 0.5)
  }

  async search(query: VectorSearchQuery): Promise<ScoredRecord[]> {
    const state = await this.ready()
    if (!state) return []
    checkDimensions(state.dimensions, query.vector, 'search query')
    const vector = toJsonVector(query.vector, 'search query')
    return searchWithPostFilter({
      query,
      compiled: compileAzureFilter(query.filter),
      maxTopK: MAX_TOP_K,
      ask: async (k, native) => {
        let docs: SearchDocument[]
        try {
          docs = await this.query({
            filter: this.tenantFilter(native),
            select: state.metric === 'euclidean' ? `${SELECT},${VECTOR_FIELD}` : SELECT,
            top: k,
            vectorFilterMode: 'preFilter',
            vectorQueries: [{ kind: 'vector', vector, k, fields: VECTOR_FIELD }],
          })
        } catch (err) {
          throw dimensionError(err, 'Azure AI Search query')
        }
        const out: ScoredRecord[] = []
        for (const doc of docs) {
          const record = this.decode(doc, false)
          if (record) out.push({ ...record, score: this.score(doc, state.metric, query.vector) })
        }
        return out
      },
      scan: (native) => scoreEveryPage((after) => this.page(this.tenantFilter(native), after, PAGE, true), query.vector, state.metric),
    })
  }

  /**
   * One page in key order after the key `after`: keyset paging (`$skip` stops at 100 000), so the
   * service cursor is the last key of the page.
   */
  private async page(filter: string, after: string | undefined, size: number, withVectors: boolean): Promise<ServicePage> {
    const docs = await this.query({
      search: '*',
      filter: after === undefined ? filter : `${filter} and id gt ${odataString(after)}`,
      orderby: 'id asc',
      select: withVectors ? `${SELECT},${VECTOR_FIELD}` : SELECT,
      top: size,
    })
    const records = docs.map((d) => this.decode(d, withVectors)).filter((r): r is StoredRecord => r !== null)
    const last = docs[docs.length - 1]
    return docs.length < size || !last ? { records } : { records, next: last.id }
  }

  async list(query: VectorListQuery): Promise<VectorListPage> {
    if (!(await this.ready())) return { records: [] }
    return listWithPostFilter({
      query,
      compiled: compileAzureFilter(query.filter),
      pageSize: (_native, exact) => (exact ? Math.min(Math.max(query.limit, 1), PAGE) : PAGE),
      fetchPage: (native, cursor, pageSize) => this.page(this.tenantFilter(native), cursor, pageSize, false),
    })
  }

  async delete(ids: string[]): Promise<void> {
    if (ids.length === 0 || !(await this.ready())) return
    for (const batch of chunk([...new Set(ids)], UPLOAD_BATCH)) {
      try {
        await this.indexBatch(
          batch.map((id) => ({ '@search.action': 'delete', id: this.documentKey(id) })),
          'Azure AI Search delete',
        )
      } catch (err) {
        if (!isMissingIndex(err)) throw err
      }
    }
  }

  /** Deletes this Memory collection's documents only (the service has no delete-by-filter: keys are listed first). */
  async reset(): Promise<void> {
    if (!(await this.ready())) return
    let after: string | undefined
    for (;;) {
      const docs = await this.query({
        search: '*',
        filter: after === undefined ? this.tenantFilter(undefined) : `${this.tenantFilter(undefined)} and id gt ${odataString(after)}`,
        orderby: 'id asc',
        select: 'id',
        top: PAGE,
      })
      if (docs.length === 0) return
      await this.indexBatch(
        docs.map((d) => ({ '@search.action': 'delete', id: d.id })),
        'Azure AI Search reset',
      )
      if (docs.length < PAGE) return
      after = docs[docs.length - 1]!.id
    }
  }
}
