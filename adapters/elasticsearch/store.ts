import {
  bytesToBase64,
  ConfigError,
  DimensionMismatchError,
  HttpClient,
  Lazy,
  RemoteError,
  type ScoredRecord,
  SingleFlight,
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
import type { Metric } from '../shared/metric.ts'
import { listWithPostFilter, scoreEveryPage, searchWithPostFilter, type ServicePage } from '../shared/post-filter.ts'
import { TAGS_KEY } from '../shared/shape.ts'
import { uuidV5 } from '../shared/uuid-v5.ts'
import { assertUniformDimensions, checkDimensions, chunk, fromJsonVector, jsonBytes, toJsonVector } from '../shared/vectors.ts'
import type { ElasticsearchConfig, OpenSearchConfig } from './config.ts'
import { decodePayload, encodeDocument, ID_KEY, KEYWORD_LIMIT, NAMESPACE_KEY, PAYLOAD_KEY, VECTOR_KEY } from './document.ts'
import { compileSearchEngineFilter, type QueryDsl } from './filter.ts'

export type Flavor = 'elasticsearch' | 'opensearch'

/** UUIDv5 namespace of edgemem document ids (a fixed random UUID: changing it would orphan stored documents). */
export const DOCUMENT_ID_NAMESPACE = '9d3f0a62-7b1e-4c4f-8f6e-3a5d2c1b0e74'
const DEFAULT_INDEX = 'edgemem'
const BULK_DOCUMENTS = 500
/** Below the 10 MB request limit of the smallest Amazon OpenSearch Service instances. */
const MAX_BULK_BYTES = 8 * 1024 * 1024
/** `index.max_result_window` and the kNN `k` / `num_candidates` cap. */
const MAX_TOP_K = 10_000
const PAGE = 500
const SOURCE = [ID_KEY, NAMESPACE_KEY, TAGS_KEY, PAYLOAD_KEY]

/**
 * Scores, converted to ours (docs/adapters/elasticsearch.md): Elasticsearch cosine and OpenSearch
 * cosinesimil report (1 + cos) / 2, dot_product (1 + dot) / 2, l2_norm / l2 1 / (1 + d²), and
 * max_inner_product / innerproduct dot + 1 when dot > 0, else 1 / (1 − dot).
 */
type ScoreFormula = 'half' | 'l2' | 'inner'
interface IndexState {
  dimensions: number
  metric: Metric
  formula: ScoreFormula
}

const ES_SIMILARITY: Record<Metric, string> = { cosine: 'cosine', dot: 'max_inner_product', euclidean: 'l2_norm' }
const OS_SPACE: Record<Metric, string> = { cosine: 'cosinesimil', dot: 'innerproduct', euclidean: 'l2' }
const FROM_ES: Record<string, [Metric, ScoreFormula]> = {
  cosine: ['cosine', 'half'],
  dot_product: ['dot', 'half'],
  l2_norm: ['euclidean', 'l2'],
  max_inner_product: ['dot', 'inner'],
}
const FROM_OS: Record<string, [Metric, ScoreFormula]> = {
  cosinesimil: ['cosine', 'half'],
  l2: ['euclidean', 'l2'],
  innerproduct: ['dot', 'inner'],
}

/** Our score (cosine for unit vectors, adapters/shared/metric.ts) from the engine's. */
function fromEngineScore(score: number, state: IndexState): number {
  switch (state.formula) {
    case 'half':
      return 2 * score - 1
    case 'l2':
      return 1 - (1 / score - 1) / 2
    case 'inner':
      return score > 1 ? score - 1 : 1 - 1 / score
  }
}

interface Hit {
  _id: string
  _score?: number | null
  _source?: Record<string, unknown>
  sort?: unknown[]
}

interface BulkItem {
  status: number
  error?: { type?: string; reason?: string }
}

/** `{error: {type, reason}, status}`: the reason, prefixed with its type (`index_not_found_exception: no such index [x]`). */
function engineMessage(_status: number, body: unknown): string | undefined {
  const error = (body as { error?: unknown } | undefined)?.error
  if (typeof error === 'string') return error
  if (error && typeof error === 'object') {
    const { type, reason } = error as { type?: unknown; reason?: unknown }
    if (typeof reason === 'string') return typeof type === 'string' ? `${type}: ${reason}` : reason
  }
  const message = (body as { message?: unknown } | undefined)?.message
  return typeof message === 'string' ? message : undefined
}

/** Elasticsearch: `...has a different number of dimensions [3] than defined in the mapping [8]`; OpenSearch: `Vector dimension mismatch. Expected: 8, Given: 3`. */
function dimensionError(err: unknown, context: string): unknown {
  if (err instanceof RemoteError) {
    const es = /different number of dimensions \[(\d+)\] than defined in the mapping \[(\d+)\]/.exec(err.serviceMessage)
    if (es) return new DimensionMismatchError(Number(es[2]), Number(es[1]), context)
    const os = /Expected:\s*(\d+),\s*Given:\s*(\d+)/i.exec(err.serviceMessage)
    if (os) return new DimensionMismatchError(Number(os[1]), Number(os[2]), context)
  }
  return err
}

const isMissingIndex = (err: unknown): boolean =>
  err instanceof RemoteError && err.status === 404 && /index_not_found/.test(err.serviceMessage)

export class SearchEngineVectorStore implements VectorStore {
  readonly name: Flavor
  readonly index: string
  readonly namespace: string
  private readonly flavor: Flavor
  private readonly config: ElasticsearchConfig | OpenSearchConfig
  private readonly http: HttpClient
  private state: IndexState | undefined
  private readonly discovered = new Lazy(async () => {
    let mapping: Record<string, { mappings?: { properties?: Record<string, Record<string, unknown>> } }>
    try {
      mapping = await this.http.request({ method: 'GET', path: `${this.base}/_mapping` })
    } catch (err) {
      if (isMissingIndex(err)) return
      throw err
    }
    this.adopt(Object.values(mapping)[0]?.mappings?.properties?.[VECTOR_KEY])
  })
  private readonly creation = new SingleFlight<void>()

  constructor(flavor: Flavor, config: ElasticsearchConfig | OpenSearchConfig, namespace: string) {
    if (namespace.length === 0) throw new ConfigError('collection', 'the Memory collection must not be empty')
    this.flavor = flavor
    this.name = flavor
    this.config = config
    this.index = config.index ?? DEFAULT_INDEX
    this.namespace = namespace
    const headers: Record<string, string> = {}
    const apiKey = flavor === 'elasticsearch' ? (config as ElasticsearchConfig).apiKey : undefined
    if (apiKey) headers.Authorization = `ApiKey ${apiKey}`
    else if (config.username !== undefined)
      headers.Authorization = `Basic ${bytesToBase64(new TextEncoder().encode(`${config.username}:${config.password ?? ''}`))}`
    const aws = flavor === 'opensearch' ? (config as OpenSearchConfig).aws : undefined
    this.http = new HttpClient({
      service: flavor === 'elasticsearch' ? 'Elasticsearch' : 'OpenSearch',
      baseUrl: config.url,
      headers,
      errorMessage: engineMessage,
      ...(aws
        ? {
            prepare: sigV4({
              service: aws.service ?? 'es',
              region: aws.region,
              accessKeyId: aws.accessKeyId,
              secretAccessKey: aws.secretAccessKey,
              sessionToken: aws.sessionToken,
            }),
          }
        : {}),
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
    return `/${encodeURIComponent(this.index)}`
  }

  documentId(id: string): string {
    return uuidV5(`${this.namespace}\u0000${id}`, DOCUMENT_ID_NAMESPACE)
  }

  async init(options: VectorStoreInit = {}): Promise<void> {
    const { dimensions } = options
    await this.discovered.get()
    if (!this.state && dimensions !== undefined) await this.creation.run(() => this.create(dimensions))
    if (dimensions !== undefined && this.state && dimensions !== this.state.dimensions) {
      throw new DimensionMismatchError(this.state.dimensions, dimensions, `${this.flavor} index "${this.index}"`)
    }
  }

  private adopt(field: Record<string, unknown> | undefined): void {
    const where = `${this.flavor} index "${this.index}"`
    if (this.flavor === 'elasticsearch') {
      if (field?.type !== 'dense_vector' || typeof field.dims !== 'number')
        throw new ConfigError('index', `${where} has no dense_vector field "${VECTOR_KEY}"; use a new index for edgemem`)
      const similarity = (field.similarity as string | undefined) ?? 'cosine'
      const found = FROM_ES[similarity]
      if (!found)
        throw new ConfigError(
          'index',
          `${where} uses similarity "${similarity}"; edgemem supports cosine, dot_product, l2_norm, max_inner_product`,
        )
      this.state = { dimensions: field.dims, metric: found[0], formula: found[1] }
    } else {
      if (field?.type !== 'knn_vector' || typeof field.dimension !== 'number')
        throw new ConfigError('index', `${where} has no knn_vector field "${VECTOR_KEY}"; use a new index for edgemem`)
      const method = field.method as { space_type?: string } | undefined
      const space = method?.space_type ?? (field.space_type as string | undefined) ?? 'l2'
      const found = FROM_OS[space]
      if (!found) throw new ConfigError('index', `${where} uses space "${space}"; edgemem supports cosinesimil, innerproduct, l2`)
      this.state = { dimensions: field.dimension, metric: found[0], formula: found[1] }
    }
  }

  private mapping(dimensions: number): Record<string, unknown> {
    const metric = this.config.metric ?? 'cosine'
    const vector =
      this.flavor === 'elasticsearch'
        ? { type: 'dense_vector', dims: dimensions, index: true, similarity: ES_SIMILARITY[metric] }
        : {
            type: 'knn_vector',
            dimension: dimensions,
            method: { name: 'hnsw', engine: (this.config as OpenSearchConfig).engine ?? 'lucene', space_type: OS_SPACE[metric] },
          }
    return {
      dynamic_templates: [
        { em_strings: { path_match: 's.*', mapping: { type: 'keyword', ignore_above: KEYWORD_LIMIT } } },
        { em_numbers: { path_match: 'n.*', mapping: { type: 'double' } } },
        { em_booleans: { path_match: 'b.*', mapping: { type: 'boolean' } } },
      ],
      properties: {
        [ID_KEY]: { type: 'keyword' },
        [NAMESPACE_KEY]: { type: 'keyword' },
        [TAGS_KEY]: { type: 'keyword' },
        [PAYLOAD_KEY]: { type: 'object', enabled: false },
        s: { type: 'object' },
        n: { type: 'object' },
        b: { type: 'object' },
        [VECTOR_KEY]: vector,
      },
    }
  }

  private async create(dimensions: number): Promise<void> {
    const settings: Record<string, unknown> = { 'index.mapping.total_fields.limit': 5000 }
    if (this.flavor === 'opensearch') settings['index.knn'] = true
    try {
      await this.http.request({ method: 'PUT', path: this.base, body: { settings, mappings: this.mapping(dimensions) } })
    } catch (err) {
      // Another process created it first: use theirs.
      if (err instanceof RemoteError && err.status === 400 && /resource_already_exists/.test(err.serviceMessage)) {
        const mapping = await this.http.request<Record<string, { mappings?: { properties?: Record<string, Record<string, unknown>> } }>>({
          method: 'GET',
          path: `${this.base}/_mapping`,
        })
        return this.adopt(Object.values(mapping)[0]?.mappings?.properties?.[VECTOR_KEY])
      }
      throw err
    }
    const metric = this.config.metric ?? 'cosine'
    const formula: ScoreFormula = metric === 'euclidean' ? 'l2' : metric === 'dot' ? 'inner' : 'half'
    this.state = { dimensions, metric, formula }
  }

  private async ready(dimensionsForCreate?: number): Promise<IndexState | undefined> {
    if (!this.state) await this.init(dimensionsForCreate !== undefined ? { dimensions: dimensionsForCreate } : {})
    return this.state
  }

  private get refresh(): Record<string, string> {
    return this.config.refresh === false ? {} : { refresh: 'wait_for' }
  }

  /** One `_bulk` request; a 200 answer can still carry failed items, reported as the first item's error. */
  private async bulk(lines: unknown[], context: string): Promise<void> {
    const data = `${lines.map((line) => JSON.stringify(line)).join('\n')}\n`
    const result = await this.http.request<{ errors: boolean; items: Record<string, BulkItem>[] }>({
      method: 'POST',
      path: '/_bulk',
      query: this.refresh,
      rawBody: { contentType: 'application/x-ndjson', data },
    })
    if (!result.errors) return
    for (const item of result.items) {
      const outcome = Object.values(item)[0]
      if (outcome?.error) {
        const message = outcome.error.reason ? `${outcome.error.type}: ${outcome.error.reason}` : String(outcome.error.type)
        throw dimensionError(new RemoteError(this.http.service, outcome.status, message), context)
      }
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
        id: this.documentId(record.id),
        source: {
          ...encodeDocument(record.payload),
          [ID_KEY]: record.id,
          [NAMESPACE_KEY]: this.namespace,
          [VECTOR_KEY]: toJsonVector(record.vector, `record "${record.id}"`),
        },
      }
    })
    for (const batch of chunk(documents, BULK_DOCUMENTS, MAX_BULK_BYTES, (d) => jsonBytes(d.source) + 100)) {
      const lines = batch.flatMap((d) => [{ index: { _index: this.index, _id: d.id } }, d.source])
      await this.bulk(lines, `${this.flavor} upsert into "${this.index}"`)
    }
  }

  private decode(hit: Hit, includeVectors: boolean): StoredRecord | null {
    const source = hit._source
    if (!source || source[NAMESPACE_KEY] !== this.namespace || typeof source[ID_KEY] !== 'string') return null
    const record: StoredRecord = { id: source[ID_KEY], payload: decodePayload(source) }
    if (includeVectors) {
      const vector = fromJsonVector(source[VECTOR_KEY])
      if (vector) record.vector = vector
    }
    return record
  }

  /** Fields to return; naming the vector explicitly also brings it back where _source excludes vectors by default (Elasticsearch 9.2+). */
  private source(includeVectors: boolean): string[] {
    return includeVectors ? [...SOURCE, VECTOR_KEY] : SOURCE
  }

  async get(ids: string[], options: { includeVectors?: boolean } = {}): Promise<(StoredRecord | null)[]> {
    if (ids.length === 0) return []
    if (!(await this.ready())) return ids.map(() => null)
    const includeVectors = options.includeVectors ?? false
    const found = new Map<string, StoredRecord>()
    for (const batch of chunk([...new Set(ids)], 1000)) {
      let result: { docs: (Hit & { found?: boolean })[] }
      try {
        result = await this.http.request({
          method: 'POST',
          path: `${this.base}/_mget`,
          body: { docs: batch.map((id) => ({ _id: this.documentId(id), _source: this.source(includeVectors) })) },
        })
      } catch (err) {
        if (isMissingIndex(err)) return ids.map(() => null)
        throw err
      }
      for (const doc of result.docs) {
        const record = doc.found ? this.decode(doc, includeVectors) : null
        if (record) found.set(record.id, record)
      }
    }
    return ids.map((id) => found.get(id) ?? null)
  }

  private filter(native: QueryDsl | undefined): QueryDsl {
    const tenant = { term: { [NAMESPACE_KEY]: this.namespace } }
    return { bool: { filter: native ? [tenant, native] : [tenant] } }
  }

  private knnBody(vector: number[], k: number, filter: QueryDsl): Record<string, unknown> {
    const source = { _source: this.source(false) }
    if (this.flavor === 'elasticsearch') {
      return {
        size: k,
        knn: { field: VECTOR_KEY, query_vector: vector, k, num_candidates: Math.min(MAX_TOP_K, Math.max(k, 100)), filter },
        ...source,
      }
    }
    return { size: k, query: { knn: { [VECTOR_KEY]: { vector, k, filter } } }, ...source }
  }

  async search(query: VectorSearchQuery): Promise<ScoredRecord[]> {
    const state = await this.ready()
    if (!state) return []
    checkDimensions(state.dimensions, query.vector, 'search query')
    const vector = toJsonVector(query.vector, 'search query')
    return searchWithPostFilter({
      query,
      compiled: compileSearchEngineFilter(query.filter),
      maxTopK: MAX_TOP_K,
      ask: async (k, native) => {
        let result: { hits: { hits: Hit[] } }
        try {
          result = await this.http.request({
            method: 'POST',
            path: `${this.base}/_search`,
            body: this.knnBody(vector, k, this.filter(native)),
          })
        } catch (err) {
          if (isMissingIndex(err)) return []
          throw dimensionError(err, `${this.flavor} kNN query`)
        }
        const out: ScoredRecord[] = []
        for (const hit of result.hits.hits) {
          const record = this.decode(hit, false)
          if (record) out.push({ ...record, score: fromEngineScore(hit._score ?? 0, state) })
        }
        return out
      },
      scan: (native) => scoreEveryPage((after) => this.page(this.filter(native), after, PAGE, true), query.vector, state.metric),
    })
  }

  /** One page of the documents matching `filter`, sorted by id; the service cursor is the last id (`search_after`). */
  private async page(filter: QueryDsl, after: string | undefined, size: number, includeVectors: boolean): Promise<ServicePage> {
    let result: { hits: { hits: Hit[] } }
    try {
      result = await this.http.request({
        method: 'POST',
        path: `${this.base}/_search`,
        body: {
          size,
          query: filter,
          sort: [{ [ID_KEY]: 'asc' }],
          ...(after !== undefined ? { search_after: [after] } : {}),
          _source: this.source(includeVectors),
        },
      })
    } catch (err) {
      if (isMissingIndex(err)) return { records: [] }
      throw err
    }
    const hits = result.hits.hits
    const records = hits.map((hit) => this.decode(hit, includeVectors)).filter((r): r is StoredRecord => r !== null)
    const last = hits[hits.length - 1]?.sort?.[0]
    return hits.length < size || typeof last !== 'string' ? { records } : { records, next: last }
  }

  async list(query: VectorListQuery): Promise<VectorListPage> {
    if (!(await this.ready())) return { records: [] }
    return listWithPostFilter({
      query,
      compiled: compileSearchEngineFilter(query.filter),
      pageSize: (_native, exact) => (exact ? Math.min(Math.max(query.limit, 1), PAGE * 2) : PAGE),
      fetchPage: (native, cursor, size) => this.page(this.filter(native), cursor, size, false),
    })
  }

  async delete(ids: string[]): Promise<void> {
    if (ids.length === 0 || !(await this.ready())) return
    for (const batch of chunk([...new Set(ids)], BULK_DOCUMENTS)) {
      try {
        // A missing document is a `not_found` result (status 404, no error): not a failure.
        await this.bulk(
          batch.map((id) => ({ delete: { _index: this.index, _id: this.documentId(id) } })),
          `${this.flavor} delete`,
        )
      } catch (err) {
        if (!isMissingIndex(err)) throw err
      }
    }
  }

  /** Deletes this Memory collection's documents only; the index and other tenants stay. */
  async reset(): Promise<void> {
    if (!(await this.ready())) return
    try {
      await this.http.request({
        method: 'POST',
        path: `${this.base}/_delete_by_query`,
        query: { conflicts: 'proceed', ...(this.config.refresh === false ? {} : { refresh: 'true' }) },
        body: { query: { term: { [NAMESPACE_KEY]: this.namespace } } },
      })
    } catch (err) {
      if (!isMissingIndex(err)) throw err
    }
  }
}
