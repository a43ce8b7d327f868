import {
  clone,
  dotProduct,
  isPlainObject,
  normalized,
  parseJsonBody,
  squaredL2,
  startFakeServer,
  type FakeHttpServer,
  type FakeRequest,
  type FakeResponse,
} from '../remote/support/fake-http.ts'

/**
 * A local Chroma 1.x server speaking HTTP API v2, as its Rust frontend does (chroma-core/chroma,
 * rust/frontend/src/server.rs, rust/types/src/where_parsing.rs): tenants and databases
 * (`default_tenant`/`default_database` exist), collections by name (GET) and by UUID (data routes),
 * `get_or_create`, the `{error: "<Code>Error", message}` error body with 400/404/409 statuses, the
 * `x-chroma-token` header (or a Bearer token), upsert that merges metadata into an existing record (a null
 * value deletes the key), get by ids/where with limit/offset in storage order, query with distances
 * (l2: squared Euclidean, cosine: 1 − cos, ip: 1 − dot) and the `where` language: `$and`/`$or`,
 * `$eq`/`$ne`, `$in`/`$nin` (non-empty, one type), `$gt`/`$gte`/`$lt`/`$lte` (numbers only), array
 * `$contains`; `$ne`/`$nin` are the complements of `$eq`/`$in` (records without the key match them),
 * integers and floats compare by value.
 */
export type ChromaSpace = 'l2' | 'cosine' | 'ip'
type Scalar = string | number | boolean
type MetadataValue = Scalar | Scalar[]
type Metadata = Record<string, MetadataValue>

interface StoredRecord {
  embedding: number[]
  metadata: Metadata | null
}

export interface ChromaCollectionState {
  id: string
  name: string
  tenant: string
  database: string
  space: ChromaSpace
  dimension: number | null
  metadata: Metadata | null
  records: Map<string, StoredRecord>
}

export interface ChromaServerOptions {
  /** When set, every route but heartbeat/version needs it (`x-chroma-token` or `Authorization: Bearer`). */
  token?: string
  /** What /api/v2/pre-flight-checks reports and writes are limited to (default 1000). */
  maxBatchSize?: number
}

export interface FakeChroma {
  server: FakeHttpServer
  url: string
  token: string | undefined
  /** Collections by id. */
  collections: Map<string, ChromaCollectionState>
  close(): Promise<void>
}

class ChromaError extends Error {
  readonly status: number
  readonly code: string
  constructor(status: number, code: string, message: string) {
    super(message)
    this.status = status
    this.code = code
  }
}

const invalid = (message: string) => new ChromaError(400, 'InvalidArgumentError', message)
const notFound = (message: string) => new ChromaError(404, 'NotFoundError', message)
const invalidWhere = () => invalid('Invalid where clause')

const NAME = /^[a-zA-Z0-9](?:[a-zA-Z0-9._-]{1,510})[a-zA-Z0-9]$/
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i

// ---- the where language ----

type Where = (id: string, metadata: Metadata | null) => boolean

const isInt = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && Number.isSafeInteger(v)
/** Chroma's primitive equality: strings and bools by type, integers and floats by value. */
function primitiveEquals(stored: MetadataValue | undefined, operand: Scalar): boolean {
  if (stored === undefined || Array.isArray(stored)) return false
  if (typeof operand === 'number') return typeof stored === 'number' && stored === operand
  return typeof stored === typeof operand && stored === operand
}

export function parseWhere(json: unknown): Where {
  if (!isPlainObject(json) || Object.keys(json).length !== 1) throw invalidWhere()
  const [key, value] = Object.entries(json)[0]!
  if (key === '$and' || key === '$or') {
    if (!Array.isArray(value)) throw invalidWhere()
    const children = value.map(parseWhere)
    return key === '$and' ? (id, m) => children.every((c) => c(id, m)) : (id, m) => children.some((c) => c(id, m))
  }
  if (key.startsWith('$')) throw invalidWhere()
  const get = (m: Metadata | null): MetadataValue | undefined => m?.[key]
  if (typeof value === 'string' || typeof value === 'boolean' || typeof value === 'number') {
    return (_id, m) => primitiveEquals(get(m), value)
  }
  if (!isPlainObject(value) || Object.keys(value).length !== 1) throw invalidWhere()
  const [operator, operand] = Object.entries(value)[0]!
  if (Array.isArray(operand)) {
    if (operator !== '$in' && operator !== '$nin') throw invalidWhere()
    if (operand.length === 0) throw invalidWhere()
    const first = operand[0]
    const sameType =
      typeof first === 'string'
        ? operand.every((v) => typeof v === 'string')
        : typeof first === 'boolean'
          ? operand.every((v) => typeof v === 'boolean')
          : isInt(first)
            ? operand.every(isInt)
            : typeof first === 'number'
              ? operand.every((v) => typeof v === 'number')
              : false
    if (!sameType) throw invalidWhere()
    const inSet = (m: Metadata | null) => (operand as Scalar[]).some((v) => primitiveEquals(get(m), v))
    return operator === '$in' ? (_id, m) => inSet(m) : (_id, m) => !inSet(m)
  }
  if (operator === '$contains' || operator === '$not_contains') {
    if (typeof operand !== 'string' && typeof operand !== 'number' && typeof operand !== 'boolean') throw invalidWhere()
    const has = (m: Metadata | null) => {
      const stored = get(m)
      return Array.isArray(stored) && stored.some((v) => v === operand)
    }
    return operator === '$contains' ? (_id, m) => has(m) : (_id, m) => !has(m)
  }
  if (typeof operand === 'string' || typeof operand === 'boolean') {
    if (operator === '$eq') return (_id, m) => primitiveEquals(get(m), operand)
    if (operator === '$ne') return (_id, m) => !primitiveEquals(get(m), operand)
    throw invalidWhere()
  }
  if (typeof operand === 'number') {
    const compare = (test: (stored: number) => boolean) => (_id: string, m: Metadata | null) => {
      const stored = get(m)
      return typeof stored === 'number' && test(stored)
    }
    switch (operator) {
      case '$eq':
        return (_id, m) => primitiveEquals(get(m), operand)
      case '$ne':
        return (_id, m) => !primitiveEquals(get(m), operand)
      case '$gt':
        return compare((s) => s > operand)
      case '$gte':
        return compare((s) => s >= operand)
      case '$lt':
        return compare((s) => s < operand)
      case '$lte':
        return compare((s) => s <= operand)
    }
  }
  throw invalidWhere()
}

function checkMetadata(raw: unknown, allowNull: boolean): Record<string, MetadataValue | null> | null {
  if (raw === null || raw === undefined) return null
  if (!isPlainObject(raw)) throw invalid('Expected metadata to be a dict or None')
  for (const [key, value] of Object.entries(raw)) {
    if (key.startsWith('#')) throw invalid(`Invalid metadata key: ${key}, keys starting with '#' are reserved`)
    if (value === null) {
      if (!allowNull) throw invalid(`Expected metadata value to be a str, int, float, bool or list, got None for key ${key}`)
      continue
    }
    if (typeof value === 'string' || typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value))) continue
    if (Array.isArray(value) && value.length > 0 && value.every((v) => typeof v === typeof value[0] && typeof v !== 'object')) continue
    throw invalid(`Expected metadata value to be a str, int, float, bool or list, got ${JSON.stringify(value)} for key ${key}`)
  }
  return raw as Record<string, MetadataValue | null>
}

export async function startChromaServer(options: ChromaServerOptions = {}): Promise<FakeChroma> {
  const maxBatchSize = options.maxBatchSize ?? 1000
  const tenants = new Map<string, Set<string>>([['default_tenant', new Set(['default_database'])]])
  const collections = new Map<string, ChromaCollectionState>()
  const started = Date.now()

  const body = (req: FakeRequest): Record<string, unknown> => {
    const parsed = parseJsonBody(req.bodyText)
    if (!parsed.ok) throw invalid(`Failed to parse the request body as JSON: ${parsed.error}`)
    if (!isPlainObject(parsed.value)) throw invalid('Failed to deserialize the JSON body into the target type')
    return parsed.value
  }

  const database = (tenant: string, name: string): void => {
    if (!tenants.get(tenant)?.has(name)) throw notFound(`Database [${name}] does not exist`)
  }

  const byName = (tenant: string, db: string, name: string): ChromaCollectionState | undefined =>
    [...collections.values()].find((c) => c.tenant === tenant && c.database === db && c.name === name)

  const byId = (tenant: string, db: string, id: string): ChromaCollectionState => {
    if (!UUID.test(id)) throw invalid('Collection ID is not a valid UUIDv4')
    const c = collections.get(id.toLowerCase())
    if (!c || c.tenant !== tenant || c.database !== db) throw notFound(`Collection [${id}] does not exist`)
    return c
  }

  const present = (c: ChromaCollectionState) => ({
    id: c.id,
    name: c.name,
    configuration_json: {
      hnsw: { space: c.space, ef_construction: 100, ef_search: 100, max_neighbors: 16 },
      spann: null,
      embedding_function: null,
    },
    metadata: c.metadata,
    dimension: c.dimension,
    tenant: c.tenant,
    database: c.database,
    log_position: 0,
    version: 0,
  })

  const checkEmbedding = (c: ChromaCollectionState, raw: unknown, dimension: number | null): number[] => {
    if (!Array.isArray(raw) || !raw.every((x) => typeof x === 'number' && Number.isFinite(x)))
      throw invalid('Failed to deserialize the JSON body into the target type: embeddings must be lists of numbers')
    if (dimension !== null && raw.length !== dimension)
      throw invalid(`Collection expecting embedding with dimension of ${dimension}, got ${raw.length}`)
    void c
    return raw as number[]
  }

  const distance = (c: ChromaCollectionState, query: number[], stored: number[]): number => {
    switch (c.space) {
      case 'l2':
        return squaredL2(query, stored)
      case 'cosine':
        return 1 - dotProduct(normalized(query), normalized(stored))
      case 'ip':
        return 1 - dotProduct(query, stored)
    }
  }

  const includeOf = (raw: unknown, fallback: string[]): string[] => {
    if (raw === undefined || raw === null) return fallback
    const allowed = ['documents', 'embeddings', 'metadatas', 'distances', 'uris']
    if (!Array.isArray(raw) || !raw.every((v) => typeof v === 'string' && allowed.includes(v)))
      throw invalid('Failed to deserialize the JSON body into the target type: include: unknown variant')
    return raw as string[]
  }

  const whereOf = (b: Record<string, unknown>): Where | undefined =>
    b.where === undefined || b.where === null ? undefined : parseWhere(b.where)

  const upsert = (c: ChromaCollectionState, b: Record<string, unknown>) => {
    const ids = b.ids
    if (!Array.isArray(ids) || !ids.every((id) => typeof id === 'string'))
      throw invalid('Failed to deserialize the JSON body into the target type: ids: expected a list of strings')
    if (ids.length > maxBatchSize) throw invalid(`Cannot submit more than ${maxBatchSize} records in a single operation`)
    if (ids.some((id) => (id as string).length === 0)) throw invalid('Expected ID to be a non-empty string')
    const duplicates = ids.filter((id, i) => ids.indexOf(id) !== i)
    if (duplicates.length > 0) throw invalid(`Expected IDs to be unique, found duplicates of: ${[...new Set(duplicates)].join(', ')}`)
    const embeddings = b.embeddings
    if (!Array.isArray(embeddings) || embeddings.length !== ids.length)
      throw invalid(`Inconsistent number of records: ${ids.length} ids, ${Array.isArray(embeddings) ? embeddings.length : 0} embeddings`)
    const metadatas = b.metadatas === undefined || b.metadatas === null ? ids.map(() => null) : b.metadatas
    if (!Array.isArray(metadatas) || metadatas.length !== ids.length) throw invalid('Inconsistent number of records: metadatas')
    const dimension = c.dimension ?? (embeddings[0] as unknown[] | undefined)?.length ?? null
    const rows = ids.map((id, i) => ({
      id: id as string,
      embedding: checkEmbedding(c, embeddings[i], dimension),
      metadata: checkMetadata(metadatas[i], true),
    }))
    if (c.dimension === null) c.dimension = dimension
    for (const row of rows) {
      const existing = c.records.get(row.id)
      if (existing) {
        // An existing record is updated: metadata keys are merged, a null value deletes its key.
        const merged: Metadata = { ...(existing.metadata ?? {}) }
        for (const [key, value] of Object.entries(row.metadata ?? {})) {
          if (value === null) delete merged[key]
          else merged[key] = clone(value)
        }
        existing.embedding = row.embedding.slice()
        existing.metadata = Object.keys(merged).length > 0 ? merged : null
      } else {
        const metadata = Object.fromEntries(Object.entries(row.metadata ?? {}).filter(([, v]) => v !== null)) as Metadata
        c.records.set(row.id, { embedding: row.embedding.slice(), metadata: Object.keys(metadata).length > 0 ? clone(metadata) : null })
      }
    }
    return {}
  }

  const select = (c: ChromaCollectionState, b: Record<string, unknown>): [string, StoredRecord][] => {
    const where = whereOf(b)
    const ids = b.ids
    if (ids !== undefined && ids !== null && (!Array.isArray(ids) || !ids.every((id) => typeof id === 'string')))
      throw invalid('Failed to deserialize the JSON body into the target type: ids: expected a list of strings')
    const wanted = Array.isArray(ids) ? new Set(ids as string[]) : undefined
    return [...c.records.entries()].filter(([id, r]) => (!wanted || wanted.has(id)) && (!where || where(id, r.metadata)))
  }

  const nonNegative = (value: unknown, name: string): number | undefined => {
    if (value === undefined || value === null) return undefined
    if (!Number.isInteger(value) || (value as number) < 0)
      throw invalid(`Failed to deserialize the JSON body into the target type: ${name}: invalid value`)
    return value as number
  }

  const get = (c: ChromaCollectionState, b: Record<string, unknown>) => {
    const include = includeOf(b.include, ['metadatas', 'documents'])
    const offset = nonNegative(b.offset, 'offset') ?? 0
    const limit = nonNegative(b.limit, 'limit')
    const rows = select(c, b).slice(offset, limit === undefined ? undefined : offset + limit)
    return {
      ids: rows.map(([id]) => id),
      embeddings: include.includes('embeddings') ? rows.map(([, r]) => r.embedding.slice()) : null,
      metadatas: include.includes('metadatas') ? rows.map(([, r]) => clone(r.metadata)) : null,
      documents: include.includes('documents') ? rows.map(() => null) : null,
      uris: include.includes('uris') ? rows.map(() => null) : null,
      include,
    }
  }

  const query = (c: ChromaCollectionState, b: Record<string, unknown>) => {
    const include = includeOf(b.include, ['metadatas', 'documents', 'distances'])
    const queries = b.query_embeddings
    if (!Array.isArray(queries)) throw invalid('Failed to deserialize the JSON body into the target type: missing field `query_embeddings`')
    const n = nonNegative(b.n_results, 'n_results') ?? 10
    if (n === 0) throw invalid('Number of requested results 0, cannot be negative, or zero.')
    const candidates = select(c, b)
    const per = queries.map((raw) => {
      const q = checkEmbedding(c, raw, c.dimension)
      return candidates
        .map(([id, r]) => ({ id, r, d: distance(c, q, r.embedding) }))
        .sort((x, y) => x.d - y.d)
        .slice(0, n)
    })
    return {
      ids: per.map((rows) => rows.map((x) => x.id)),
      distances: include.includes('distances') ? per.map((rows) => rows.map((x) => x.d)) : null,
      embeddings: include.includes('embeddings') ? per.map((rows) => rows.map((x) => x.r.embedding.slice())) : null,
      metadatas: include.includes('metadatas') ? per.map((rows) => rows.map((x) => clone(x.r.metadata))) : null,
      documents: include.includes('documents') ? per.map((rows) => rows.map(() => null)) : null,
      uris: include.includes('uris') ? per.map((rows) => rows.map(() => null)) : null,
      include,
    }
  }

  type Route = { method: string; pattern: RegExp; run: (req: FakeRequest, params: string[]) => unknown }
  const DB = '^/api/v2/tenants/([^/]+)/databases/([^/]+)'
  const routes: Route[] = [
    { method: 'GET', pattern: /^\/api\/v2\/heartbeat$/, run: () => ({ 'nanosecond heartbeat': (Date.now() - started) * 1e6 }) },
    { method: 'GET', pattern: /^\/api\/v2\/version$/, run: () => '1.3.5' },
    {
      method: 'GET',
      pattern: /^\/api\/v2\/pre-flight-checks$/,
      run: () => ({ max_batch_size: maxBatchSize, supports_base64_encoding: true }),
    },
    {
      method: 'POST',
      pattern: /^\/api\/v2\/tenants$/,
      run: (req) => {
        const { name } = body(req)
        if (typeof name !== 'string' || !NAME.test(name)) throw invalid('Invalid tenant name')
        if (tenants.has(name)) throw new ChromaError(409, 'ChromaError', `Tenant [${name}] already exists`)
        tenants.set(name, new Set())
        return {}
      },
    },
    {
      method: 'GET',
      pattern: /^\/api\/v2\/tenants\/([^/]+)$/,
      run: (_req, [tenant]) => {
        if (!tenants.has(tenant!)) throw notFound(`Tenant [${tenant}] not found`)
        return { name: tenant, resource_name: null }
      },
    },
    {
      method: 'POST',
      pattern: /^\/api\/v2\/tenants\/([^/]+)\/databases$/,
      run: (req, [tenant]) => {
        const { name } = body(req)
        if (typeof name !== 'string' || name.length < 3) throw invalid('database name must be at least 3 characters')
        const dbs = tenants.get(tenant!)
        if (!dbs) throw notFound(`Tenant [${tenant}] not found`)
        if (dbs.has(name)) throw new ChromaError(409, 'ChromaError', `Database [${name}] already exists`)
        dbs.add(name)
        return {}
      },
    },
    {
      method: 'GET',
      pattern: new RegExp(`${DB}$`),
      run: (_req, [tenant, db]) => {
        if (!tenants.get(tenant!)?.has(db!)) throw notFound(`Database [${db}] not found. Are you sure it exists?`)
        return { id: '00000000-0000-4000-8000-000000000000', name: db, tenant }
      },
    },
    {
      method: 'POST',
      pattern: new RegExp(`${DB}/collections$`),
      run: (req, [tenant, db]) => {
        const b = body(req)
        database(tenant!, db!)
        const name = b.name
        if (typeof name !== 'string' || !NAME.test(name))
          throw invalid(
            `Validation error: Expected a name containing 3-512 characters from [a-zA-Z0-9._-], starting and ending with a character in [a-zA-Z0-9]. Got: ${String(name)}`,
          )
        const existing = byName(tenant!, db!, name)
        if (existing) {
          if (b.get_or_create === true) return present(existing)
          throw new ChromaError(409, 'ChromaError', `Collection [${name}] already exists`)
        }
        const metadata = checkMetadata(b.metadata, false) as Metadata | null
        const configuration = b.configuration as { hnsw?: { space?: unknown } } | null | undefined
        const space = configuration?.hnsw?.space ?? metadata?.['hnsw:space'] ?? 'l2'
        if (space !== 'l2' && space !== 'cosine' && space !== 'ip') throw invalid(`Invalid HNSW parameters: unknown space ${String(space)}`)
        const id = crypto.randomUUID()
        const c: ChromaCollectionState = { id, name, tenant: tenant!, database: db!, space, dimension: null, metadata, records: new Map() }
        collections.set(id, c)
        return present(c)
      },
    },
    {
      method: 'GET',
      pattern: new RegExp(`${DB}/collections/([^/]+)$`),
      run: (_req, [tenant, db, name]) => {
        database(tenant!, db!)
        const c = byName(tenant!, db!, name!)
        if (!c) throw notFound(`Collection [${name}] does not exist`)
        return present(c)
      },
    },
    {
      method: 'DELETE',
      pattern: new RegExp(`${DB}/collections/([^/]+)$`),
      run: (_req, [tenant, db, name]) => {
        const c = byName(tenant!, db!, name!)
        if (!c) throw notFound(`Collection [${name}] does not exist`)
        collections.delete(c.id)
        return {}
      },
    },
    {
      method: 'POST',
      pattern: new RegExp(`${DB}/collections/([^/]+)/upsert$`),
      run: (req, [t, d, id]) => upsert(byId(t!, d!, id!), body(req)),
    },
    { method: 'POST', pattern: new RegExp(`${DB}/collections/([^/]+)/get$`), run: (req, [t, d, id]) => get(byId(t!, d!, id!), body(req)) },
    {
      method: 'POST',
      pattern: new RegExp(`${DB}/collections/([^/]+)/query$`),
      run: (req, [t, d, id]) => query(byId(t!, d!, id!), body(req)),
    },
    {
      method: 'POST',
      pattern: new RegExp(`${DB}/collections/([^/]+)/delete$`),
      run: (req, [t, d, id]) => {
        const c = byId(t!, d!, id!)
        const b = body(req)
        if ((b.ids === undefined || b.ids === null) && (b.where === undefined || b.where === null))
          throw invalid('At least one of ids, where, or where_document must be provided')
        for (const [recordId] of select(c, b)) c.records.delete(recordId)
        return {}
      },
    },
    { method: 'GET', pattern: new RegExp(`${DB}/collections/([^/]+)/count$`), run: (_req, [t, d, id]) => byId(t!, d!, id!).records.size },
  ]

  const handle = (req: FakeRequest): FakeResponse => {
    const open = req.path === '/api/v2/heartbeat' || req.path === '/api/v2/version'
    if (options.token !== undefined && !open) {
      const header = req.headers['x-chroma-token'] as string | undefined
      const auth = req.headers.authorization
      const token = header ?? (auth?.startsWith('Bearer ') ? auth.slice(7) : undefined)
      if (token !== options.token) return { status: 401, body: { error: 'ChromaAuthError', message: 'Unauthorized' } }
    }
    for (const route of routes) {
      const match = route.pattern.exec(req.path)
      if (!match || route.method !== req.method) continue
      try {
        const result = route.run(
          req,
          match.slice(1).map((s) => decodeURIComponent(s)),
        )
        if (typeof result === 'string' || typeof result === 'number')
          return { status: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify(result) }
        return { status: 200, body: result }
      } catch (err) {
        if (err instanceof ChromaError) return { status: err.status, body: { error: err.code, message: err.message } }
        throw err
      }
    }
    return { status: 404, body: '' }
  }

  const server = await startFakeServer(handle, () => {
    collections.clear()
    tenants.clear()
    tenants.set('default_tenant', new Set(['default_database']))
  })
  return { server, url: server.url, token: options.token, collections, close: () => server.close() }
}
