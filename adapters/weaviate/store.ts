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
import { payloadTokens } from '../shared/tokens.ts'
import { uuidV5 } from '../shared/uuid-v5.ts'
import { assertUniformDimensions, checkDimensions, chunk, fromJsonVector, jsonBytes, toJsonVector } from '../shared/vectors.ts'
import type { WeaviateConfig } from './config.ts'
import { compileWeaviateFilter, TAGS_PROPERTY, TOKENS_PROPERTY, toGraphQL, toRestWhere, type WeaviateWhere } from './filter.ts'

const SERVICE = 'Weaviate'
const DEFAULT_CLASS = 'Edgemem'
/** UUIDv5 namespace of object ids (a fixed random UUID: changing it would orphan stored objects). */
export const OBJECT_ID_NAMESPACE = '6f1d3c2a-94b7-4e0f-8a5d-2c7e9b1f4a38'
const NS = 'emNs'
const ID = 'emId'
const PAYLOAD = 'emPayload'
/** Objects per batch import: Weaviate's clients send 100-200 per request. */
const WRITE_BATCH = 200
const MAX_REQUEST_BYTES = 8 * 1024 * 1024
/** QUERY_MAXIMUM_RESULTS (default 10 000) caps limit + offset of a query and the objects of one batch delete. */
const QUERY_MAXIMUM_RESULTS = 10_000
const PAGE = 500
const ID_BATCH = 500
/** The class description records the embedding size (Weaviate learns it only from the first object). */
const DESCRIPTION = (dimensions: number) => `edgemem memories (dimensions: ${dimensions})`
const DIMENSIONS_IN_DESCRIPTION = /\(dimensions: (\d+)\)/

const METRICS: Record<string, Metric> = { cosine: 'cosine', dot: 'dot', 'l2-squared': 'euclidean' }

interface WeaviateProperty {
  name: string
  dataType: string[]
}
interface WeaviateClass {
  class: string
  description?: string
  vectorizer?: string
  vectorIndexConfig?: { distance?: string }
  properties?: WeaviateProperty[]
}
interface GraphQLObject {
  emId?: string | null
  emNs?: string | null
  emPayload?: string | null
  _additional?: { id?: string; distance?: number | null; vector?: number[] | null }
}
interface GraphQLAnswer {
  data?: { Get?: Record<string, GraphQLObject[] | null> | null } | null
  errors?: { message?: string }[]
}
interface BatchObjectResult {
  id?: string
  result?: { errors?: { error?: { message?: string }[] } | null } | null
}

function properties(): Record<string, unknown>[] {
  const text = (name: string, filterable: boolean) => ({
    name,
    dataType: ['text'],
    tokenization: 'field',
    indexFilterable: filterable,
    indexSearchable: false,
  })
  return [
    text(NS, true),
    text(ID, false),
    text(PAYLOAD, false),
    { name: TAGS_PROPERTY, dataType: ['text[]'], tokenization: 'field', indexFilterable: true, indexSearchable: false },
    { name: TOKENS_PROPERTY, dataType: ['text[]'], tokenization: 'field', indexFilterable: true, indexSearchable: false },
  ]
}
const REQUIRED = [NS, ID, PAYLOAD, TAGS_PROPERTY, TOKENS_PROPERTY]

/** Weaviate refuses a vector of another length: `... has a vector with length 3. Existing nodes have vectors with length 8`. */
function dimensionError(err: unknown, context: string): unknown {
  if (err instanceof RemoteError) {
    const match = /vector with length (\d+)\. Existing nodes have vectors with length (\d+)/i.exec(err.serviceMessage)
    if (match) return new DimensionMismatchError(Number(match[2]), Number(match[1]), context)
  }
  return err
}

/** Weaviate capitalises the first letter of class names. */
export const weaviateClassName = (name: string): string => name.charAt(0).toUpperCase() + name.slice(1)

export class WeaviateVectorStore implements VectorStore {
  readonly name = 'weaviate'
  readonly className: string
  /** The Memory collection, stored in every object (`emNs`). */
  readonly namespace: string
  private readonly http: HttpClient
  private readonly config: WeaviateConfig
  private state: { dimensions: number; metric: Metric } | undefined
  private readonly discovered = new Lazy(async () => {
    let definition: WeaviateClass
    try {
      definition = await this.http.request<WeaviateClass>({ method: 'GET', path: `/v1/schema/${encodeURIComponent(this.className)}` })
    } catch (err) {
      // A missing class is created on the first init with dimensions.
      if (err instanceof RemoteError && err.status === 404) return
      throw err
    }
    this.adopt(definition)
  })
  private readonly creation = new SingleFlight<void>()

  constructor(config: WeaviateConfig, namespace: string) {
    if (namespace.length === 0) throw new ConfigError('collection', 'the Memory collection must not be empty')
    // `field` tokenization trims the tenant property: "a" and "a " would be one tenant to Weaviate's filters.
    if (namespace !== namespace.trim())
      throw new ConfigError('collection', 'the Memory collection must not start or end with whitespace for the Weaviate adapter')
    this.config = config
    this.className = weaviateClassName(config.className ?? DEFAULT_CLASS)
    this.namespace = namespace
    this.http = new HttpClient({
      service: SERVICE,
      baseUrl: config.url,
      headers: config.apiKey ? { authorization: `Bearer ${config.apiKey}` } : {},
      ...transportFrom(config),
    })
  }

  get dimensions(): number | undefined {
    return this.state?.dimensions
  }

  get metric(): Metric | undefined {
    return this.state?.metric
  }

  objectId(id: string): string {
    return uuidV5(`${this.namespace}\u0000${id}`, OBJECT_ID_NAMESPACE)
  }

  async init(options: VectorStoreInit = {}): Promise<void> {
    const { dimensions } = options
    await this.discovered.get()
    if (!this.state && dimensions !== undefined) await this.creation.run(() => this.create(dimensions))
    if (dimensions !== undefined && this.state && dimensions !== this.state.dimensions) {
      throw new DimensionMismatchError(this.state.dimensions, dimensions, `Weaviate class "${this.className}"`)
    }
  }

  private adopt(definition: WeaviateClass): void {
    const names = (definition.properties ?? []).map((p) => p.name)
    const missing = REQUIRED.filter((name) => !names.includes(name))
    const dimensions = DIMENSIONS_IN_DESCRIPTION.exec(definition.description ?? '')
    if (missing.length > 0 || !dimensions) {
      throw new ConfigError(
        'className',
        `Weaviate class "${this.className}" was not created by edgemem (missing ${missing.length > 0 ? `properties: ${missing.join(', ')}` : 'the dimensions in its description'}); use another className`,
      )
    }
    const distance = definition.vectorIndexConfig?.distance ?? 'cosine'
    const metric = METRICS[distance]
    if (!metric) {
      throw new ConfigError(
        'className',
        `Weaviate class "${this.className}" uses the ${distance} distance; edgemem supports cosine, dot and l2-squared`,
      )
    }
    this.state = { dimensions: Number(dimensions[1]), metric }
  }

  private async create(dimensions: number): Promise<void> {
    const distance = this.config.distance ?? 'cosine'
    const definition = {
      class: this.className,
      description: DESCRIPTION(dimensions),
      vectorizer: 'none',
      vectorIndexType: 'hnsw',
      vectorIndexConfig: { distance },
      properties: properties(),
    }
    try {
      await this.http.request({ method: 'POST', path: '/v1/schema', body: definition })
    } catch (err) {
      // Created meanwhile by another process: adopt what it made.
      if (err instanceof RemoteError && err.status === 422 && /already exists/i.test(err.serviceMessage)) {
        return this.adopt(
          await this.http.request<WeaviateClass>({ method: 'GET', path: `/v1/schema/${encodeURIComponent(this.className)}` }),
        )
      }
      throw err
    }
    this.state = { dimensions, metric: METRICS[distance]! }
  }

  private async ready(dimensionsForCreate?: number): Promise<{ dimensions: number; metric: Metric } | undefined> {
    if (!this.state) await this.init(dimensionsForCreate !== undefined ? { dimensions: dimensionsForCreate } : {})
    return this.state
  }

  /** A GraphQL `Get` of this class; GraphQL errors arrive with HTTP 200 and an `errors` list. */
  private async graphqlGet(args: Record<string, unknown>, withVector: boolean, withDistance: boolean): Promise<GraphQLObject[]> {
    const argument = Object.entries(args)
      .map(([k, v]) => `${k}: ${toGraphQL(v)}`)
      .join(', ')
    const additional = ['id', ...(withDistance ? ['distance'] : []), ...(withVector ? ['vector'] : [])].join(' ')
    const query = `{ Get { ${this.className}(${argument}) { ${NS} ${ID} ${PAYLOAD} _additional { ${additional} } } } }`
    const answer = await this.http.request<GraphQLAnswer>({ method: 'POST', path: '/v1/graphql', body: { query } })
    if (answer.errors && answer.errors.length > 0) {
      const message = answer.errors.map((e) => e.message ?? 'unknown error').join('; ')
      throw new RemoteError(SERVICE, 200, message, { body: answer })
    }
    return answer.data?.Get?.[this.className] ?? []
  }

  private decode(object: GraphQLObject, includeVectors: boolean): StoredRecord | null {
    if (object.emNs !== this.namespace || typeof object.emId !== 'string' || typeof object.emPayload !== 'string') return null
    const record: StoredRecord = { id: object.emId, payload: JSON.parse(object.emPayload) as Payload }
    if (includeVectors) {
      const vector = fromJsonVector(object._additional?.vector)
      if (vector) record.vector = vector
    }
    return record
  }

  private where(native: WeaviateWhere | undefined): WeaviateWhere {
    const tenant: WeaviateWhere = { operator: 'Equal', path: [NS], valueText: this.namespace }
    return native ? { operator: 'And', operands: [tenant, native] } : tenant
  }

  async upsert(records: VectorRecord[]): Promise<void> {
    if (records.length === 0) return
    const first = assertUniformDimensions(records, 'upsert')
    const state = (await this.ready(this.state?.dimensions ?? first))!
    const objects = records.map((record) => {
      if (typeof record.id !== 'string' || record.id.length === 0) throw new ValidationError('record ids must be non-empty strings')
      checkDimensions(state.dimensions, record.vector, `upsert of "${record.id}"`)
      return {
        class: this.className,
        id: this.objectId(record.id),
        vector: toJsonVector(record.vector, `record "${record.id}"`),
        properties: {
          [NS]: this.namespace,
          [ID]: record.id,
          [PAYLOAD]: JSON.stringify(record.payload),
          [TAGS_PROPERTY]: encodeShape(record.payload).tags,
          [TOKENS_PROPERTY]: payloadTokens(record.payload),
        },
      }
    })
    for (const batch of chunk(objects, WRITE_BATCH, MAX_REQUEST_BYTES, jsonBytes)) {
      // A batch import replaces an object with the same id whole. It answers 200 with one result per
      // object; a refused object carries its own errors.
      const results = await this.http.request<BatchObjectResult[]>({ method: 'POST', path: '/v1/batch/objects', body: { objects: batch } })
      const failed = results.find((r) => (r.result?.errors?.error?.length ?? 0) > 0)
      if (failed) {
        const message = failed.result!.errors!.error!.map((e) => e.message ?? 'unknown error').join('; ')
        throw dimensionError(new RemoteError(SERVICE, 200, message, { body: failed }), `Weaviate import into "${this.className}"`)
      }
    }
  }

  async get(ids: string[], options: { includeVectors?: boolean } = {}): Promise<(StoredRecord | null)[]> {
    if (ids.length === 0) return []
    if (!(await this.ready())) return ids.map(() => null)
    const includeVectors = options.includeVectors ?? false
    const found = new Map<string, StoredRecord>()
    for (const batch of chunk([...new Set(ids)], ID_BATCH)) {
      const objects = await this.graphqlGet(
        {
          where: this.where({ operator: 'ContainsAny', path: ['id'], valueText: batch.map((id) => this.objectId(id)) }),
          limit: batch.length,
        },
        includeVectors,
        false,
      )
      for (const object of objects) {
        const record = this.decode(object, includeVectors)
        if (record) found.set(record.id, record)
      }
    }
    return ids.map((id) => {
      const record = found.get(id)
      return record ? { ...record, payload: structuredClone(record.payload) } : null
    })
  }

  /** Weaviate reports distances: cosine 1 − cos, dot −(a·b), l2-squared the squared Euclidean distance. */
  private score(distance: number, metric: Metric): number {
    if (metric === 'cosine') return 1 - distance
    if (metric === 'dot') return -distance
    return euclideanScore(distance)
  }

  async search(query: VectorSearchQuery): Promise<ScoredRecord[]> {
    const state = await this.ready()
    if (!state) return []
    checkDimensions(state.dimensions, query.vector, 'search query')
    const vector = toJsonVector(query.vector, 'search query')
    return searchWithPostFilter({
      query,
      compiled: compileWeaviateFilter(query.filter),
      maxTopK: QUERY_MAXIMUM_RESULTS,
      ask: async (k, native) => {
        const objects = await this.graphqlGet({ nearVector: { vector }, where: this.where(native), limit: k }, false, true)
        const out: ScoredRecord[] = []
        for (const object of objects) {
          const record = this.decode(object, false)
          const distance = object._additional?.distance
          if (record && typeof distance === 'number') out.push({ ...record, score: this.score(distance, state.metric) })
        }
        return out
      },
      scan: (native) => scoreEveryPage((offset) => this.page(this.where(native), offset, PAGE, true), query.vector, state.metric),
    })
  }

  /**
   * One page of a filtered `Get` by limit/offset (Weaviate's `after` cursor does not combine with
   * `where`); the cursor is the next offset. limit + offset stop at QUERY_MAXIMUM_RESULTS.
   */
  private async page(where: WeaviateWhere, cursor: string | undefined, limit: number, withVectors: boolean): Promise<ServicePage> {
    const offset = cursor === undefined ? 0 : Number(cursor)
    const size = Math.min(limit, QUERY_MAXIMUM_RESULTS - offset)
    if (size <= 0) {
      throw new RemoteError(
        SERVICE,
        0,
        `more than ${QUERY_MAXIMUM_RESULTS} objects match; Weaviate pages a filtered query only up to QUERY_MAXIMUM_RESULTS (raise it on the server or narrow the filter)`,
      )
    }
    const objects = await this.graphqlGet({ where, limit: size, offset }, withVectors, false)
    const records = objects.map((o) => this.decode(o, withVectors)).filter((r): r is StoredRecord => r !== null)
    return objects.length < size ? { records } : { records, next: String(offset + objects.length) }
  }

  async list(query: VectorListQuery): Promise<VectorListPage> {
    if (!(await this.ready())) return { records: [] }
    return listWithPostFilter({
      query,
      compiled: compileWeaviateFilter(query.filter),
      pageSize: (_native, exact) => (exact ? Math.min(Math.max(query.limit, 1), PAGE) : PAGE),
      fetchPage: (native, cursor, pageSize) => this.page(this.where(native), cursor, pageSize, false),
    })
  }

  /** A batch delete by `where`; it removes at most QUERY_MAXIMUM_RESULTS objects per request, so it repeats while it was full. */
  private async deleteWhere(where: WeaviateWhere): Promise<void> {
    for (;;) {
      const answer = await this.http.request<{ results?: { matches?: number; limit?: number; failed?: number; objects?: unknown[] } }>({
        method: 'DELETE',
        path: '/v1/batch/objects',
        body: { match: { class: this.className, where: toRestWhere(where) }, output: 'minimal', dryRun: false },
      })
      const results = answer.results ?? {}
      if ((results.failed ?? 0) > 0) {
        throw new RemoteError(SERVICE, 200, `batch delete: ${results.failed} of ${results.matches ?? '?'} objects were not deleted`, {
          body: answer,
        })
      }
      if ((results.matches ?? 0) < (results.limit ?? QUERY_MAXIMUM_RESULTS) || (results.matches ?? 0) === 0) return
    }
  }

  async delete(ids: string[]): Promise<void> {
    if (ids.length === 0 || !(await this.ready())) return
    for (const batch of chunk([...new Set(ids)], ID_BATCH)) {
      await this.deleteWhere(this.where({ operator: 'ContainsAny', path: ['id'], valueText: batch.map((id) => this.objectId(id)) }))
    }
  }

  /** Deletes this Memory collection's objects only; the class and other tenants stay. */
  async reset(): Promise<void> {
    if (!(await this.ready())) return
    await this.deleteWhere(this.where(undefined))
  }
}
