import {
  compileFilter,
  ConfigError,
  DimensionMismatchError,
  type HashLookupQuery,
  Lazy,
  RemoteError,
  type ScoredRecord,
  SingleFlight,
  type StoredRecord,
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
import { assertUniformDimensions, checkDimensions, chunk, toJsonVector } from '../shared/vectors.ts'
import type { PgvectorConfig } from './config.ts'
import type { PostgresDriverLoader } from './provider.ts'
import { compilePgvectorFilter } from './filter.ts'
import { ident, jsonParam, param, render, sql, type Sql } from './sql.ts'

const SERVICE = 'Postgres'
const DEFAULT_TABLE = 'edgemem_memories'
const DEFAULT_SCHEMA = 'public'
/** pgvector's HNSW indexes `vector` columns of at most 2,000 dimensions; larger ones are searched exactly. */
const MAX_HNSW_DIMENSIONS = 2000
/** Records per INSERT (one jsonb parameter each): bounded so a statement stays well under 64 MB. */
const UPSERT_BATCH = 500
const ID_BATCH = 1000
const MAX_TOP_K = 10_000
const SCAN_PAGE = 500

type PgMetric = NonNullable<PgvectorConfig['metric']>
/** The query operator, the HNSW operator class, and the reported score from the operator's value. */
const METRICS: Record<PgMetric, { operator: string; opclass: string; metric: Metric; score: (raw: number) => number }> = {
  cosine: { operator: '<=>', opclass: 'vector_cosine_ops', metric: 'cosine', score: (d) => 1 - d },
  // pgvector's <#> is the negative inner product.
  inner_product: { operator: '<#>', opclass: 'vector_ip_ops', metric: 'dot', score: (d) => -d },
  l2: { operator: '<->', opclass: 'vector_l2_ops', metric: 'euclidean', score: (d) => euclideanScore(d * d) },
}

/** The part of postgres.js (porsager/postgres) the adapter uses. */
interface PgClient {
  unsafe(query: string, parameters?: string[], options?: { prepare?: boolean }): Promise<Record<string, unknown>[]>
  begin<T>(cb: (tx: PgClient) => T | Promise<T>): Promise<unknown>
  end(options?: { timeout?: number }): Promise<void>
}

/** SQLSTATE classes that mean "the request was wrong" (data, integrity, syntax/access) rather than "the server failed". */
const CLIENT_CLASSES = new Set(['22', '23', '42'])

/** Errors of the driver and the server as RemoteError (status 0: no answer; 400: the statement was refused; 503: server unavailable). */
function remoteError(err: unknown, what: string): unknown {
  if (err instanceof RemoteError || err instanceof ValidationError || err instanceof DimensionMismatchError) return err
  const e = err as { code?: unknown; message?: unknown; name?: unknown }
  const message = typeof e?.message === 'string' ? e.message : String(err)
  if (e?.name === 'PostgresError' && typeof e.code === 'string') {
    const dims = /expected (\d+) dimensions, not (\d+)/.exec(message)
    if (dims) return new DimensionMismatchError(Number(dims[1]), Number(dims[2]), what)
    const status = CLIENT_CLASSES.has(e.code.slice(0, 2)) ? 400 : ['08', '53', '57'].includes(e.code.slice(0, 2)) ? 503 : 500
    return new RemoteError(SERVICE, status, `${what}: ${e.code} ${message}`, { cause: err })
  }
  return new RemoteError(SERVICE, 0, `${what}: ${message}`, { cause: err })
}

const vectorText = (vector: Float32Array, what: string): string => JSON.stringify(toJsonVector(vector, what))

function parseVector(text: unknown): Float32Array | undefined {
  return typeof text === 'string' ? Float32Array.from(JSON.parse(text) as number[]) : undefined
}

function parsePayload(value: unknown): Record<string, never> {
  return (typeof value === 'string' ? JSON.parse(value) : value) as Record<string, never>
}

export class PgvectorVectorStore implements VectorStore {
  readonly name = 'pgvector'
  /** The Memory collection: the `namespace` column of this store's rows. */
  readonly namespace: string
  readonly table: string
  readonly schema: string
  private readonly config: PgvectorConfig
  private readonly pgMetric: PgMetric
  private state: { dimensions: number } | undefined
  private readonly client = new Lazy(() => this.connect())
  /** Whether the table exists (its dimension read when it does), checked once. */
  private readonly discovered = new Lazy(async () => {
    const dimensions = await this.readDimensions()
    if (dimensions !== undefined) {
      this.state = { dimensions }
      await this.ensureIndexes(dimensions)
    }
  })
  private readonly creation = new SingleFlight<void>()

  private readonly loadDriver: PostgresDriverLoader

  /** `loadDriver` imports the `postgres` package (the adapter's entry file names it literally, so bundlers include it). */
  constructor(config: PgvectorConfig, namespace: string, loadDriver: PostgresDriverLoader) {
    this.loadDriver = loadDriver
    if (namespace.length === 0) throw new ConfigError('collection', 'the Memory collection must not be empty')
    this.config = config
    this.namespace = namespace
    this.table = config.table ?? DEFAULT_TABLE
    this.schema = config.schema ?? DEFAULT_SCHEMA
    this.pgMetric = config.metric ?? 'cosine'
  }

  get dimensions(): number | undefined {
    return this.state?.dimensions
  }

  get metric(): Metric {
    return METRICS[this.pgMetric].metric
  }

  private get qualified(): string {
    return `${ident(this.schema)}.${ident(this.table)}`
  }

  private async connect(): Promise<PgClient> {
    let postgres: (url: string, options: Record<string, unknown>) => unknown
    try {
      postgres = ((await this.loadDriver()) as { default: typeof postgres }).default
    } catch (err) {
      throw new ConfigError(
        'vectorStore.provider',
        'the "pgvector" store needs the postgres driver, an optional peer dependency: npm install postgres',
        { cause: err },
      )
    }
    return postgres(this.config.connectionString, {
      max: this.config.maxConnections ?? 4,
      prepare: this.config.prepare ?? true,
      connect_timeout: this.config.connectTimeoutSeconds ?? 30,
      idle_timeout: 60,
      onnotice: () => {},
      // No custom type parsing: vectors are read as text, jsonb as JSON.
      fetch_types: false,
    }) as PgClient
  }

  /** Runs `fn` on the pool, or on a connection of its own when connections are not reused. */
  private async withClient<T>(fn: (pg: PgClient) => Promise<T>): Promise<T> {
    if (this.config.reuseConnections !== false) return fn(await this.client.get())
    const pg = await this.connect()
    try {
      return await fn(pg)
    } finally {
      await pg.end({ timeout: 5 }).catch(() => {})
    }
  }

  private async query(fragment: Sql, what: string, client?: PgClient): Promise<Record<string, unknown>[]> {
    const { text, values } = render(fragment)
    const run = async (pg: PgClient) => {
      try {
        return await pg.unsafe(text, values, { prepare: this.config.prepare ?? true })
      } catch (err) {
        throw remoteError(err, what)
      }
    }
    return client ? run(client) : this.withClient(run)
  }

  private async readDimensions(): Promise<number | undefined> {
    const rows = await this.query(
      sql`SELECT format_type(a.atttypid, a.atttypmod) AS type FROM pg_attribute a WHERE a.attrelid = to_regclass(${param(this.qualified)}) AND a.attname = 'embedding' AND NOT a.attisdropped`,
      'reading the table',
    )
    if (rows.length === 0) return undefined
    const type = String(rows[0]!.type)
    const match = /^vector\((\d+)\)$/.exec(type)
    if (!match) {
      throw new ConfigError(
        'vectorStore.config.table',
        `table ${this.schema}.${this.table} has an "embedding" column of type ${type}; edgemem needs vector(n): use another table`,
      )
    }
    return Number(match[1])
  }

  /** Reads the table if it exists; creates it (extension, table, indexes) when `dimensions` is known. */
  async init(options: VectorStoreInit = {}): Promise<void> {
    const { dimensions } = options
    await this.discovered.get()
    if (!this.state && dimensions !== undefined) await this.creation.run(() => this.create(dimensions))
    if (dimensions !== undefined && this.state && dimensions !== this.state.dimensions) {
      throw new DimensionMismatchError(this.state.dimensions, dimensions, `Postgres table ${this.schema}.${this.table}`)
    }
  }

  private async create(dimensions: number): Promise<void> {
    if (!Number.isInteger(dimensions) || dimensions < 1 || dimensions > 16_000) {
      throw new ValidationError(`pgvector stores 1 to 16000 dimensions, not ${dimensions}`)
    }
    const present = await this.query(sql`SELECT to_regtype('vector') IS NOT NULL AS present`, 'checking the vector extension')
    if (!present[0]?.present) await this.query(['CREATE EXTENSION IF NOT EXISTS vector'], 'creating the vector extension')
    try {
      await this.query(
        [
          `CREATE TABLE IF NOT EXISTS ${this.qualified} (` +
            'namespace text COLLATE "C" NOT NULL, ' +
            'id text COLLATE "C" NOT NULL, ' +
            `embedding vector(${dimensions}) NOT NULL, ` +
            'payload jsonb NOT NULL, ' +
            `text_search tsvector GENERATED ALWAYS AS (to_tsvector('simple', COALESCE(payload ->> 'memory', ''))) STORED, ` +
            'PRIMARY KEY (namespace, id))',
        ],
        'creating the table',
      )
    } catch (err) {
      // Another process created it at the same moment (pg_type's unique index): use theirs.
      if (!(err instanceof RemoteError && /23505|42P07/.test(err.serviceMessage))) throw err
    }
    const actual = await this.readDimensions()
    if (actual === undefined) throw new RemoteError(SERVICE, 500, `table ${this.schema}.${this.table} was not created`)
    this.state = { dimensions: actual }
    await this.ensureIndexes(actual)
  }

  private async ensureIndexes(dimensions: number): Promise<void> {
    const { opclass } = METRICS[this.pgMetric]
    const statements: string[] = [
      `CREATE INDEX IF NOT EXISTS ${ident(`${this.table}_hash`)} ON ${this.qualified} (namespace, (payload ->> 'hash'))`,
      `CREATE INDEX IF NOT EXISTS ${ident(`${this.table}_fts`)} ON ${this.qualified} USING gin (text_search)`,
    ]
    if (dimensions <= MAX_HNSW_DIMENSIONS) {
      statements.unshift(
        `CREATE INDEX IF NOT EXISTS ${ident(`${this.table}_hnsw_${this.pgMetric}`)} ON ${this.qualified} USING hnsw (embedding ${opclass})`,
      )
    }
    for (const statement of statements) {
      try {
        await this.query([statement], 'creating an index')
      } catch (err) {
        if (!(err instanceof RemoteError && /23505|42P07/.test(err.serviceMessage))) throw err
      }
    }
  }

  private async ready(dimensionsForCreate?: number): Promise<{ dimensions: number } | undefined> {
    if (!this.state) await this.init(dimensionsForCreate !== undefined ? { dimensions: dimensionsForCreate } : {})
    return this.state
  }

  async upsert(records: VectorRecord[]): Promise<void> {
    if (records.length === 0) return
    const first = assertUniformDimensions(records, 'upsert')
    const state = (await this.ready(this.state?.dimensions ?? first))!
    // One row per id (the last write wins, as a sequence of upserts would): INSERT ... ON CONFLICT refuses duplicates.
    const rows = new Map<string, { id: string; embedding: string; payload: unknown }>()
    for (const record of records) {
      if (typeof record.id !== 'string' || record.id.length === 0) throw new ValidationError('record ids must be non-empty strings')
      checkDimensions(state.dimensions, record.vector, `upsert of "${record.id}"`)
      rows.delete(record.id)
      rows.set(record.id, { id: record.id, embedding: vectorText(record.vector, `record "${record.id}"`), payload: record.payload })
    }
    for (const batch of chunk([...rows.values()], UPSERT_BATCH)) {
      await this.query(
        sql`INSERT INTO ${[this.qualified]} (namespace, id, embedding, payload) SELECT ${param(this.namespace)}, r.id, r.embedding::vector, r.payload FROM jsonb_to_recordset(${jsonParam(batch)}) AS r(id text, embedding text, payload jsonb) ON CONFLICT (namespace, id) DO UPDATE SET embedding = EXCLUDED.embedding, payload = EXCLUDED.payload`,
        `upsert into ${this.schema}.${this.table}`,
      )
    }
  }

  private decode(row: Record<string, unknown>, includeVectors: boolean): StoredRecord {
    const record: StoredRecord = { id: String(row.id), payload: parsePayload(row.payload) }
    if (includeVectors) {
      const vector = parseVector(row.embedding)
      if (vector) record.vector = vector
    }
    return record
  }

  private columns(includeVectors: boolean): string {
    return includeVectors ? 'id, payload, embedding::text AS embedding' : 'id, payload'
  }

  async get(ids: string[], options: { includeVectors?: boolean } = {}): Promise<(StoredRecord | null)[]> {
    if (ids.length === 0) return []
    if (!(await this.ready())) return ids.map(() => null)
    const includeVectors = options.includeVectors ?? false
    const found = new Map<string, StoredRecord>()
    for (const batch of chunk([...new Set(ids)], ID_BATCH)) {
      const rows = await this.query(
        sql`SELECT ${[this.columns(includeVectors)]} FROM ${[this.qualified]} WHERE namespace = ${param(this.namespace)} AND id IN (SELECT jsonb_array_elements_text(${jsonParam(batch)}))`,
        'get',
      )
      for (const row of rows) found.set(String(row.id), this.decode(row, includeVectors))
    }
    return ids.map((id) => found.get(id) ?? null)
  }

  private where(native: Sql | undefined): Sql {
    const scope = sql`namespace = ${param(this.namespace)}`
    return native ? sql`${scope} AND ${native}` : scope
  }

  async search(query: VectorSearchQuery): Promise<ScoredRecord[]> {
    const state = await this.ready()
    if (!state) return []
    checkDimensions(state.dimensions, query.vector, 'search query')
    const vector = vectorText(query.vector, 'search query')
    const { operator, score, metric } = METRICS[this.pgMetric]
    return searchWithPostFilter({
      query,
      compiled: compilePgvectorFilter(query.filter),
      maxTopK: MAX_TOP_K,
      ask: async (k, native) => {
        const statement = sql`SELECT id, payload, (embedding ${[operator]} ${param(vector)}::vector) AS distance FROM ${[this.qualified]} WHERE ${this.where(native)} ORDER BY embedding ${[operator]} ${param(vector)}::vector LIMIT ${[String(k)]}`
        const rows = await this.searchRows(statement, k)
        return rows.map((row) => ({ ...this.decode(row, false), score: score(Number(row.distance)) }))
      },
      scan: (native) => scoreEveryPage((cursor) => this.page(native, cursor, SCAN_PAGE, true), query.vector, metric),
    })
  }

  /**
   * The HNSW index stops after ef_search candidates, and a filter applied after it could leave fewer than
   * k rows: the query runs with ef_search ≥ k and, on pgvector ≥ 0.8, iterative index scans, in one
   * transaction (SET LOCAL) so pooled connections keep their settings.
   */
  private async searchRows(statement: Sql, k: number): Promise<Record<string, unknown>[]> {
    const efSearch = Math.min(1000, Math.max(k, this.config.efSearch ?? 100))
    let rows: Record<string, unknown>[] = []
    await this.withClient(async (pg) => {
      try {
        await pg.begin(async (tx) => {
          await tx.unsafe(`SET LOCAL hnsw.ef_search = ${efSearch}`)
          if (await this.iterativeScans(tx)) await tx.unsafe(`SET LOCAL hnsw.iterative_scan = strict_order`)
          rows = await this.query(statement, 'search', tx)
        })
      } catch (err) {
        throw remoteError(err, 'search')
      }
    })
    return rows
  }

  private iterative: boolean | undefined
  /** Whether pgvector has hnsw.iterative_scan (0.8.0 and later), read once. */
  private async iterativeScans(tx: PgClient): Promise<boolean> {
    if (this.iterative === undefined) {
      const rows = await tx.unsafe(`SELECT extversion FROM pg_extension WHERE extname = 'vector'`)
      const [major = 0, minor = 0] = String(rows[0]?.extversion ?? '0.0')
        .split('.')
        .map(Number)
      this.iterative = major > 0 || minor >= 8
    }
    return this.iterative
  }

  /** One page of the store's own listing in id order; the service cursor is the last id of the page. */
  private async page(native: Sql | undefined, cursor: string | undefined, limit: number, withVector: boolean): Promise<ServicePage> {
    const after = cursor === undefined ? [] : sql` AND id > ${param(cursor)}`
    const rows = await this.query(
      sql`SELECT ${[this.columns(withVector)]} FROM ${[this.qualified]} WHERE ${this.where(native)}${after} ORDER BY id LIMIT ${[String(limit + 1)]}`,
      'list',
    )
    const records = rows.slice(0, limit).map((row) => this.decode(row, withVector))
    return rows.length > limit ? { records, next: records[records.length - 1]!.id } : { records }
  }

  async list(query: VectorListQuery): Promise<VectorListPage> {
    if (!(await this.ready())) return { records: [] }
    return listWithPostFilter({
      query,
      compiled: compilePgvectorFilter(query.filter),
      pageSize: (_native, exact) => (exact ? Math.min(Math.max(query.limit, 1), SCAN_PAGE * 4) : SCAN_PAGE),
      fetchPage: (native, cursor, pageSize) => this.page(native, cursor, pageSize, false),
    })
  }

  /** Answered from the (namespace, payload->>'hash') index, the filter applied in the same statement. */
  async findByHashes(query: HashLookupQuery): Promise<StoredRecord[]> {
    if (query.hashes.length === 0 || !(await this.ready())) return []
    const compiled = compilePgvectorFilter(query.filter)
    if (compiled.native.kind === 'false') return []
    const native = compiled.native.kind === 'expr' ? compiled.native.expr : undefined
    const out: StoredRecord[] = []
    const predicate = compileFilter(query.filter)
    for (const batch of chunk([...new Set(query.hashes)], ID_BATCH)) {
      const rows = await this.query(
        sql`SELECT id, payload FROM ${[this.qualified]} WHERE ${this.where(native)} AND (payload ->> 'hash') IN (SELECT jsonb_array_elements_text(${jsonParam(batch)})) AND jsonb_typeof(payload -> 'hash') = 'string' ORDER BY id`,
        'hash lookup',
      )
      for (const row of rows) {
        const record = this.decode(row, false)
        if (predicate(record.payload)) out.push(record)
      }
    }
    return out
  }

  async delete(ids: string[]): Promise<void> {
    if (ids.length === 0 || !(await this.ready())) return
    for (const batch of chunk([...new Set(ids)], ID_BATCH)) {
      await this.query(
        sql`DELETE FROM ${[this.qualified]} WHERE namespace = ${param(this.namespace)} AND id IN (SELECT jsonb_array_elements_text(${jsonParam(batch)}))`,
        'delete',
      )
    }
  }

  /** Deletes this Memory collection's rows only; the table and other collections stay. */
  async reset(): Promise<void> {
    if (!(await this.ready())) return
    await this.query(sql`DELETE FROM ${[this.qualified]} WHERE namespace = ${param(this.namespace)}`, 'reset')
  }

  async close(): Promise<void> {
    const client = this.client.current
    if (client) await client.end({ timeout: 5 })
  }
}
