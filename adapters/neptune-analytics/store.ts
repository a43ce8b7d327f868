import {
  ConfigError,
  DimensionMismatchError,
  HttpClient,
  Lazy,
  type Payload,
  type ScoredRecord,
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
import { localScore } from '../shared/metric.ts'
import { expr, FALSE, TRUE, type CompiledFilter } from '../shared/nnf.ts'
import { listWithPostFilter, scoreEveryPage, searchWithPostFilter, type ServicePage } from '../shared/post-filter.ts'
import { uuidV5 } from '../shared/uuid-v5.ts'
import { assertUniformDimensions, checkDimensions, chunk, fromJsonVector, jsonBytes } from '../shared/vectors.ts'
import { neptuneAnalyticsQueries, neptuneGraphSigning, SERVICE } from './client.ts'
import type { NeptuneAnalyticsConfig } from './config.ts'
import { compileNeptuneFilter, encodeEntries } from './filter.ts'

/** Node label of edgemem's records. */
export const LABEL = 'EdgememRecord'
/** UUIDv5 namespace of node ids: one node per (Memory collection, record id). */
export const NODE_ID_NAMESPACE = '5d8a3c1e-2b7f-4e6a-8c9d-1f0e3a5b7c92'
const UPSERT_BATCH = 100
const MAX_REQUEST_BYTES = 8 * 1024 * 1024
const MAX_TOP_K = 1000
const PAGE = 500

// Every value is a parameter; integers the adapter itself computes (topK, LIMIT) are written into the
// text because procedure configuration maps and LIMIT take literals.
export const QUERIES = {
  upsert:
    `UNWIND $rows AS row MERGE (n:${LABEL} {\`~id\`: row.key}) ` +
    'SET n.em_ns = row.ns, n.em_id = row.id, n.em_payload = row.payload, n.em_kv = row.kv, n.em_t = row.tags ' +
    'WITH n, row CALL neptune.algo.vectors.upsert(n, row.embedding) YIELD success RETURN count(success) AS written',
  get: `MATCH (n:${LABEL}) WHERE id(n) IN $keys RETURN n.em_ns AS ns, n.em_id AS id, n.em_payload AS payload`,
  getWithVectors: `MATCH (n:${LABEL}) WHERE id(n) IN $keys CALL neptune.algo.vectors.get(n) YIELD embedding RETURN n.em_ns AS ns, n.em_id AS id, n.em_payload AS payload, embedding`,
  search: (k: number, where: string) =>
    `WITH $embedding AS embedding CALL neptune.algo.vectors.topKByEmbedding(embedding, {topK: ${k}}) YIELD node, score ` +
    `WITH node AS n, score WHERE n.em_ns = $ns AND (${where}) CALL neptune.algo.vectors.get(n) YIELD embedding ` +
    'RETURN n.em_id AS id, n.em_payload AS payload, embedding, score',
  page: (limit: number, where: string, withVectors: boolean) =>
    `MATCH (n:${LABEL}) WHERE n.em_ns = $ns AND id(n) > $after AND (${where}) WITH n ORDER BY id(n) LIMIT ${limit} ` +
    (withVectors ? 'CALL neptune.algo.vectors.get(n) YIELD embedding ' : '') +
    `RETURN id(n) AS key, n.em_id AS id, n.em_payload AS payload${withVectors ? ', embedding' : ''}`,
  delete: `MATCH (n:${LABEL}) WHERE id(n) IN $keys DETACH DELETE n`,
  reset: `MATCH (n:${LABEL}) WHERE n.em_ns = $ns DETACH DELETE n`,
  count: (k: number) =>
    `WITH $embedding AS embedding CALL neptune.algo.vectors.topKByEmbedding(embedding, {topK: ${k}}) YIELD node RETURN count(node) AS candidates`,
}

interface Row {
  key?: string
  ns?: string
  id?: string
  payload?: string
  embedding?: number[]
  score?: number
  candidates?: number
}

function unit(vector: Float32Array, what: string): number[] {
  let sum = 0
  for (const x of vector) {
    if (!Number.isFinite(x)) throw new ValidationError(`${what}: vectors must hold finite numbers`)
    sum += x * x
  }
  const norm = Math.sqrt(sum)
  if (norm === 0) throw new ValidationError(`${what}: a zero vector has no direction (Neptune Analytics stores unit vectors here)`)
  return Array.from(vector, (x) => x / norm)
}

export class NeptuneAnalyticsVectorStore implements VectorStore {
  readonly name = 'neptune'
  /** The Memory collection, stored in every node (`em_ns`). */
  readonly namespace: string
  private readonly run: <Row>(query: string, parameters: Record<string, unknown>) => Promise<Row[]>
  private readonly control: HttpClient
  private readonly graphId: string
  private state: { dimensions: number } | undefined
  /** The graph's vector dimension, fixed when the graph was created; read once from the control plane. */
  private readonly discovered = new Lazy(async () => {
    const graph = await this.control.request<{ vectorSearchConfiguration?: { dimension?: number } }>({
      method: 'GET',
      path: `/graphs/${encodeURIComponent(this.graphId)}`,
    })
    const dimension = graph.vectorSearchConfiguration?.dimension
    if (typeof dimension !== 'number') {
      throw new ConfigError(
        'graphId',
        `Neptune Analytics graph ${this.graphId} has no vector search configuration; create it with --vector-search-configuration dimension=<n>`,
      )
    }
    this.state = { dimensions: dimension }
  })

  constructor(config: NeptuneAnalyticsConfig, namespace: string) {
    if (namespace.length === 0) throw new ConfigError('collection', 'the Memory collection must not be empty')
    this.namespace = namespace
    this.graphId = config.graphId
    this.run = neptuneAnalyticsQueries(config, 'vectorStore.config')
    this.control = new HttpClient({
      service: SERVICE,
      baseUrl: config.controlEndpoint ?? `https://neptune-graph.${config.region}.amazonaws.com`,
      prepare: sigV4(neptuneGraphSigning(config, 'vectorStore.config')),
      ...transportFrom(config),
    })
  }

  get dimensions(): number | undefined {
    return this.state?.dimensions
  }

  private query(query: string, parameters: Record<string, unknown>): Promise<Row[]> {
    return this.run<Row>(query, parameters)
  }

  nodeId(id: string): string {
    return uuidV5(`${this.namespace}\u0000${id}`, NODE_ID_NAMESPACE)
  }

  async init(options: VectorStoreInit = {}): Promise<void> {
    await this.discovered.get()
    const { dimensions } = options
    if (dimensions !== undefined && this.state && dimensions !== this.state.dimensions) {
      throw new DimensionMismatchError(this.state.dimensions, dimensions, `Neptune Analytics graph ${this.graphId}`)
    }
  }

  private async ready(): Promise<{ dimensions: number }> {
    if (!this.state) await this.init()
    return this.state!
  }

  async upsert(records: VectorRecord[]): Promise<void> {
    if (records.length === 0) return
    assertUniformDimensions(records, 'upsert')
    const state = await this.ready()
    const rows = records.map((record) => {
      if (typeof record.id !== 'string' || record.id.length === 0) throw new ValidationError('record ids must be non-empty strings')
      checkDimensions(state.dimensions, record.vector, `upsert of "${record.id}"`)
      const { kv, tags } = encodeEntries(record.payload)
      return {
        key: this.nodeId(record.id),
        ns: this.namespace,
        id: record.id,
        payload: JSON.stringify(record.payload),
        kv,
        tags,
        embedding: unit(record.vector, `record "${record.id}"`),
      }
    })
    for (const batch of chunk(rows, UPSERT_BATCH, MAX_REQUEST_BYTES, jsonBytes)) await this.query(QUERIES.upsert, { rows: batch })
  }

  private decode(row: Row, includeVectors: boolean): StoredRecord | null {
    if (typeof row.id !== 'string' || typeof row.payload !== 'string') return null
    const record: StoredRecord = { id: row.id, payload: JSON.parse(row.payload) as Payload }
    if (includeVectors) {
      const vector = fromJsonVector(row.embedding)
      if (vector) record.vector = vector
    }
    return record
  }

  async get(ids: string[], options: { includeVectors?: boolean } = {}): Promise<(StoredRecord | null)[]> {
    if (ids.length === 0) return []
    const includeVectors = options.includeVectors ?? false
    const found = new Map<string, StoredRecord>()
    for (const batch of chunk([...new Set(ids)], PAGE)) {
      const rows = await this.query(includeVectors ? QUERIES.getWithVectors : QUERIES.get, { keys: batch.map((id) => this.nodeId(id)) })
      for (const row of rows) {
        if (row.ns !== this.namespace) continue
        const record = this.decode(row, includeVectors)
        if (record) found.set(record.id, record)
      }
    }
    return ids.map((id) => {
      const record = found.get(id)
      return record ? { ...record, payload: structuredClone(record.payload) } : null
    })
  }

  private compile(
    filter: VectorSearchQuery['filter'],
    prefix: string,
  ): { compiled: CompiledFilter<string>; params: Record<string, string> } {
    const cypher = compileNeptuneFilter(filter, prefix)
    const native = cypher.where !== undefined ? expr(cypher.where) : cypher.satisfiable ? TRUE : FALSE
    return { compiled: { native, exact: cypher.exact }, params: cypher.params }
  }

  async search(query: VectorSearchQuery): Promise<ScoredRecord[]> {
    const state = await this.ready()
    checkDimensions(state.dimensions, query.vector, 'search query')
    const embedding = unit(query.vector, 'search query')
    const { compiled, params } = this.compile(query.filter, 'f')
    return searchWithPostFilter({
      query,
      compiled,
      maxTopK: MAX_TOP_K,
      ask: async (k, where) => {
        // The graph filters after choosing the k nearest nodes of every collection: how many it chose
        // tells whether asking for more can find more.
        const [rows, counted] = await Promise.all([
          this.query(QUERIES.search(k, where ?? 'true'), { embedding, ns: this.namespace, ...params }),
          this.query(QUERIES.count(k), { embedding }),
        ])
        const records: ScoredRecord[] = []
        for (const row of rows) {
          const record = this.decode(row, true)
          // Scores are computed here: cosine similarity of the stored unit vector, whatever the index reports.
          if (record?.vector)
            records.push({ id: record.id, payload: record.payload, score: localScore('cosine', query.vector, record.vector) })
        }
        records.sort((a, b) => b.score - a.score)
        return { records, candidates: Number(counted[0]?.candidates ?? rows.length) }
      },
      scan: (where) => scoreEveryPage((after) => this.page(where, params, after, PAGE, true), query.vector, 'cosine'),
    })
  }

  private async page(
    where: string | undefined,
    params: Record<string, string>,
    after: string | undefined,
    size: number,
    withVectors: boolean,
  ): Promise<ServicePage> {
    const rows = await this.query(QUERIES.page(size, where ?? 'true', withVectors), { ns: this.namespace, after: after ?? '', ...params })
    const records = rows.map((row) => this.decode(row, withVectors)).filter((r): r is StoredRecord => r !== null)
    const last = rows[rows.length - 1]
    return rows.length < size || !last?.key ? { records } : { records, next: last.key }
  }

  async list(query: VectorListQuery): Promise<VectorListPage> {
    const { compiled, params } = this.compile(query.filter, 'f')
    return listWithPostFilter({
      query,
      compiled,
      pageSize: (_where, exact) => (exact ? Math.min(Math.max(query.limit, 1), PAGE) : PAGE),
      fetchPage: (where, after, size) => this.page(where, params, after, size, false),
    })
  }

  async delete(ids: string[]): Promise<void> {
    if (ids.length === 0) return
    for (const batch of chunk([...new Set(ids)], PAGE)) await this.query(QUERIES.delete, { keys: batch.map((id) => this.nodeId(id)) })
  }

  /** Deletes this Memory collection's nodes (and their embeddings); other collections stay. */
  async reset(): Promise<void> {
    await this.query(QUERIES.reset, { ns: this.namespace })
  }
}
