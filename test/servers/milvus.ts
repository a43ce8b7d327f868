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
import { compileMilvusExpr, type Entity, ExprError, type MissingKeys, parseMilvusExpr } from './milvus-expr.ts'

/**
 * A local Milvus (2.4/2.5) RESTful API v2 as its proxy serves it (milvus-io/milvus
 * internal/distributed/proxy/httpserver, milvus.io/api-reference/restful/v2.x), which Zilliz Cloud
 * clusters also speak:
 * - every route is a POST under `/v2/vectordb/` answering HTTP 200 with `{code: 0, data}` (options: code
 *   200 and `FloatVector(8)`-style described types, as older 2.4 proxies answer) or, on errors,
 *   `{code, message}` (100 collection not found, 101 not loaded, 1100 invalid parameter or expression,
 *   1802 missing parameter); a missing or wrong `Authorization: Bearer <token>` is HTTP 401 `{code: 1800}`;
 * - collections: create (schema fields VarChar/Int64/FloatVector/JSON/Bool/Double with their params, one
 *   primary key, `indexParams` with COSINE/IP/L2: created loaded; without, released), describe, has,
 *   load, get_load_state, release, drop;
 * - entities: insert (no dedup: the same primary key twice is two entities, as in Milvus), upsert
 *   (replaces), get by ids, query (filter, limit, offset; results in primary-key order; `limit + offset`
 *   at most 16 384; an empty filter needs a limit), delete by filter, search (`data`, `annsField`,
 *   `filter`, `limit`, `offset`, `outputFields`; `distance` is the cosine similarity for COSINE, the
 *   inner product for IP, the squared Euclidean distance for L2);
 * - VarChar `max_length` in UTF-8 bytes, vector dimensions, JSON values up to 65 536 bytes, unknown
 *   fields refused (dynamic fields off);
 * - boolean expressions: test/servers/milvus-expr.ts, with a reading of tests on missing JSON keys.
 */
interface FieldSchema {
  name: string
  type: string
  primaryKey: boolean
  params: Record<string, number>
}
export interface MilvusCollectionState {
  name: string
  database: string
  fields: FieldSchema[]
  metric: 'COSINE' | 'IP' | 'L2' | undefined
  loaded: boolean
  /** Entities in insertion order (insert does not deduplicate primary keys). */
  entities: Entity[]
}

export interface MilvusServerOptions {
  /** When set, requests need `Authorization: Bearer <token>`. */
  token?: string
  /** What a test on a missing JSON key gives under `not` (default 'false': two-valued). */
  missingKeys?: MissingKeys
  /** The `code` of a successful answer: 0 (default), or 200 as the first 2.4 proxies sent. */
  successCode?: 0 | 200
  /** Describe types with their parameter (`FloatVector(8)`, `VarChar(64)`) and no `params`, as some versions do. */
  typesWithParams?: boolean
}

export interface FakeMilvus {
  server: FakeHttpServer
  url: string
  token: string | undefined
  collections: Map<string, MilvusCollectionState>
  close(): Promise<void>
}

class MilvusError extends Error {
  readonly code: number
  constructor(code: number, message: string) {
    super(message)
    this.code = code
  }
}

const MAX_WINDOW = 16_384
const MAX_JSON_BYTES = 65_536
const NAME = /^[A-Za-z_][A-Za-z0-9_]{0,254}$/
const encoder = new TextEncoder()
const DATA_TYPES = ['Bool', 'Int64', 'Int32', 'Float', 'Double', 'VarChar', 'JSON', 'FloatVector']

export async function startMilvusServer(options: MilvusServerOptions = {}): Promise<FakeMilvus> {
  const missing = options.missingKeys ?? 'false'
  const collections = new Map<string, MilvusCollectionState>()
  const keyOf = (db: string, name: string) => `${db}/${name}`

  const invalid = (message: string) => new MilvusError(1100, message)
  const body = (req: FakeRequest): Record<string, unknown> => {
    const parsed = parseJsonBody(req.bodyText)
    if (!parsed.ok || !isPlainObject(parsed.value))
      throw new MilvusError(1801, `can only accept json format request, error: ${parsed.ok ? 'not an object' : parsed.error}`)
    return parsed.value
  }
  const dbOf = (b: Record<string, unknown>) => (typeof b.dbName === 'string' && b.dbName !== '' ? b.dbName : 'default')
  const nameOf = (b: Record<string, unknown>): string => {
    if (typeof b.collectionName !== 'string' || b.collectionName === '')
      throw new MilvusError(
        1802,
        "missing required parameters, error: Key: 'collectionName' Error:Field validation for 'collectionName' failed on the 'required' tag",
      )
    return b.collectionName
  }
  const collectionOf = (b: Record<string, unknown>, needLoaded = false): MilvusCollectionState => {
    const name = nameOf(b)
    const c = collections.get(keyOf(dbOf(b), name))
    if (!c) throw new MilvusError(100, `collection not found[database=${dbOf(b)}][collection=${name}]`)
    if (needLoaded && !c.loaded) throw new MilvusError(101, `collection not loaded[collection=${name}]`)
    return c
  }
  const schemaTypes = (c: MilvusCollectionState) => Object.fromEntries(c.fields.map((f) => [f.name, f.type]))
  const predicate = (c: MilvusCollectionState, filter: unknown) => {
    if (filter === undefined || filter === null || filter === '') return undefined
    if (typeof filter !== 'string') throw invalid('filter must be a string')
    try {
      return compileMilvusExpr(parseMilvusExpr(filter), schemaTypes(c), missing)
    } catch (err) {
      if (err instanceof ExprError) throw invalid(`failed to create query plan: cannot parse expression: ${filter}, error: ${err.message}`)
      throw err
    }
  }
  const primary = (c: MilvusCollectionState) => c.fields.find((f) => f.primaryKey)!
  const vectorField = (c: MilvusCollectionState, name?: unknown) => {
    const f =
      typeof name === 'string' && name !== '' ? c.fields.find((x) => x.name === name) : c.fields.find((x) => x.type === 'FloatVector')
    if (f?.type !== 'FloatVector') throw invalid(`failed to get field schema by name: fieldName(${String(name)}) not found`)
    return f
  }

  const createCollection = (b: Record<string, unknown>) => {
    const name = nameOf(b)
    if (!NAME.test(name))
      throw invalid(`Invalid collection name: ${name}. the first character of a collection name must be an underscore or letter`)
    const schema = b.schema
    if (!isPlainObject(schema) || !Array.isArray(schema.fields)) throw new MilvusError(1802, 'missing required parameters: schema')
    const fields: FieldSchema[] = schema.fields.map((raw) => {
      if (!isPlainObject(raw) || typeof raw.fieldName !== 'string' || !NAME.test(raw.fieldName)) throw invalid('invalid field name')
      if (typeof raw.dataType !== 'string' || !DATA_TYPES.includes(raw.dataType))
        throw invalid(`invalid data type: ${String(raw.dataType)}`)
      const params: Record<string, number> = {}
      const element = isPlainObject(raw.elementTypeParams) ? raw.elementTypeParams : {}
      for (const [k, v] of Object.entries(element)) params[k] = Number(v)
      if (raw.dataType === 'VarChar' && !(params.max_length! >= 1 && params.max_length! <= 65_535))
        throw invalid(`the maximum length specified for the field(${raw.fieldName}) should be in (0, 65535]`)
      if (raw.dataType === 'FloatVector' && !(Number.isInteger(params.dim) && params.dim! >= 2 && params.dim! <= 32_768))
        throw invalid(`invalid dimension: ${String(params.dim)}. should be in range 2 ~ 32768`)
      return { name: raw.fieldName, type: raw.dataType, primaryKey: raw.isPrimary === true, params }
    })
    const primaries = fields.filter((f) => f.primaryKey)
    if (primaries.length !== 1) throw invalid('there should be exactly one primary key field')
    if (!['Int64', 'VarChar'].includes(primaries[0]!.type)) throw invalid('the data type of primary key should be Int64 or VarChar')
    // Go's JSON decoding matches keys case-insensitively: `autoID` (the struct tag) and `autoId` both work.
    const autoId = Object.entries(schema).find(([k]) => k.toLowerCase() === 'autoid')?.[1]
    if (autoId === true && primaries[0]!.type === 'VarChar')
      throw invalid('autoID is not supported when the VarChar field is the primary key')
    let metric: MilvusCollectionState['metric']
    if (Array.isArray(b.indexParams)) {
      for (const index of b.indexParams) {
        if (!isPlainObject(index) || !fields.some((f) => f.name === index.fieldName && f.type === 'FloatVector')) continue
        const m = String(index.metricType ?? '').toUpperCase()
        if (m !== 'COSINE' && m !== 'IP' && m !== 'L2') throw invalid(`metric type ${m} not found or not supported`)
        metric = m
      }
    }
    const key = keyOf(dbOf(b), name)
    const existing = collections.get(key)
    if (existing) {
      const same = JSON.stringify(existing.fields) === JSON.stringify(fields) && existing.metric === metric
      if (same) return {}
      throw new MilvusError(65535, `create duplicate collection with different parameters, collection: ${name}`)
    }
    collections.set(key, { name, database: dbOf(b), fields, metric, loaded: metric !== undefined, entities: [] })
    return {}
  }

  const describe = (c: MilvusCollectionState) => ({
    collectionName: c.name,
    collectionID: 450_000_000_000_000_000 + c.name.length,
    description: '',
    autoId: false,
    enableDynamicField: false,
    consistencyLevel: 'Strong',
    shardsNum: 1,
    partitionsNum: 1,
    properties: [],
    aliases: [],
    fields: c.fields.map((f) => ({
      name: f.name,
      type:
        options.typesWithParams && f.type === 'FloatVector'
          ? `FloatVector(${f.params.dim})`
          : options.typesWithParams && f.type === 'VarChar'
            ? `VarChar(${f.params.max_length})`
            : f.type,
      primaryKey: f.primaryKey,
      autoId: false,
      partitionKey: false,
      clusteringKey: false,
      nullable: false,
      description: '',
      params: options.typesWithParams ? [] : Object.entries(f.params).map(([key, value]) => ({ key, value: String(value) })),
    })),
    indexes: c.metric
      ? c.fields.filter((f) => f.type === 'FloatVector').map((f) => ({ fieldName: f.name, indexName: f.name, metricType: c.metric }))
      : [],
    load: c.loaded ? 'LoadStateLoaded' : 'LoadStateNotLoad',
  })

  const checkRow = (c: MilvusCollectionState, raw: unknown, index: number): Entity => {
    if (!isPlainObject(raw)) throw invalid(`row ${index} is not an object`)
    for (const key of Object.keys(raw)) {
      if (!c.fields.some((f) => f.name === key)) throw invalid(`field ${key} not exist in collection ${c.name} (dynamic field is disabled)`)
    }
    const row: Entity = {}
    for (const f of c.fields) {
      const value = raw[f.name]
      if (value === undefined)
        throw new MilvusError(1802, `missing required parameters, error: field ${f.name} is required, row number: ${index}`)
      switch (f.type) {
        case 'VarChar': {
          if (typeof value !== 'string') throw invalid(`field ${f.name}: expected a string, row number: ${index}`)
          const length = encoder.encode(value).byteLength
          if (length > f.params.max_length!)
            throw invalid(
              `length of varchar field ${f.name} exceeds max length, row number: ${index}, length: ${length}, max length: ${f.params.max_length}`,
            )
          break
        }
        case 'FloatVector':
          if (!Array.isArray(value) || !value.every((x) => typeof x === 'number' && Number.isFinite(x)))
            throw invalid(`field ${f.name}: expected a float vector`)
          if (value.length !== f.params.dim)
            throw invalid(`the dim (${value.length}) of field data(${f.name}) is not equal to schema dim (${f.params.dim})`)
          break
        case 'JSON':
          if (encoder.encode(JSON.stringify(value)).byteLength > MAX_JSON_BYTES)
            throw invalid(
              `the length (${encoder.encode(JSON.stringify(value)).byteLength}) of json field (${f.name}) exceeds max length (${MAX_JSON_BYTES})`,
            )
          break
        case 'Int64':
        case 'Int32':
          if (!Number.isInteger(value)) throw invalid(`field ${f.name}: expected an integer`)
          break
        case 'Float':
        case 'Double':
          if (typeof value !== 'number') throw invalid(`field ${f.name}: expected a number`)
          break
        case 'Bool':
          if (typeof value !== 'boolean') throw invalid(`field ${f.name}: expected a bool`)
          break
      }
      row[f.name] = clone(value)
    }
    return row
  }

  const write = (b: Record<string, unknown>, mode: 'insert' | 'upsert') => {
    const c = collectionOf(b)
    if (!Array.isArray(b.data) || b.data.length === 0) throw new MilvusError(1802, 'missing required parameters: data')
    const rows = b.data.map((raw, i) => checkRow(c, raw, i))
    const pk = primary(c).name
    if (mode === 'upsert') {
      const keys = new Set(rows.map((r) => r[pk]))
      c.entities = c.entities.filter((e) => !keys.has(e[pk]))
    }
    c.entities.push(...rows)
    const ids = rows.map((r) => r[pk])
    return mode === 'insert' ? { insertCount: rows.length, insertIds: ids } : { upsertCount: rows.length, upsertIds: ids }
  }

  const window = (b: Record<string, unknown>, defaultLimit: number) => {
    const limit = b.limit === undefined ? defaultLimit : b.limit
    const offset = b.offset === undefined ? 0 : b.offset
    if (
      !Number.isInteger(limit) ||
      !Number.isInteger(offset) ||
      (limit as number) < 1 ||
      (offset as number) < 0 ||
      (limit as number) + (offset as number) > MAX_WINDOW
    )
      throw invalid(
        `invalid max query result window, (offset+limit) should be in range [1, ${MAX_WINDOW}], but got ${String(limit)} + ${String(offset)}`,
      )
    return { limit: limit as number, offset: offset as number }
  }

  const project = (c: MilvusCollectionState, e: Entity, outputFields: unknown, extra: Record<string, unknown> = {}) => {
    const pk = primary(c).name
    const wanted = Array.isArray(outputFields) ? (outputFields as string[]) : []
    const names = wanted.includes('*') ? c.fields.filter((f) => f.type !== 'FloatVector').map((f) => f.name) : wanted
    for (const n of names) if (!c.fields.some((f) => f.name === n)) throw invalid(`field ${n} not exist`)
    return { ...extra, [pk]: e[pk], ...Object.fromEntries(names.map((n) => [n, clone(e[n])])) }
  }

  const byPrimaryKey = (c: MilvusCollectionState) => {
    const pk = primary(c).name
    return (a: Entity, b: Entity) => {
      const x = a[pk] as string | number
      const y = b[pk] as string | number
      return x < y ? -1 : x > y ? 1 : 0
    }
  }

  const query = (b: Record<string, unknown>) => {
    const c = collectionOf(b, true)
    if ((b.filter === undefined || b.filter === '') && b.limit === undefined) throw invalid('empty expression should be used with limit')
    const { limit, offset } = window(b, 100)
    const where = predicate(c, b.filter)
    const rows = c.entities.filter((e) => !where || where(e) === true).sort(byPrimaryKey(c))
    return rows.slice(offset, offset + limit).map((e) => project(c, e, b.outputFields))
  }

  const get = (b: Record<string, unknown>) => {
    const c = collectionOf(b, true)
    const ids = Array.isArray(b.id) ? b.id : b.id === undefined ? undefined : [b.id]
    if (!ids) throw new MilvusError(1802, 'missing required parameters: id')
    const pk = primary(c).name
    return c.entities.filter((e) => ids.includes(e[pk])).map((e) => project(c, e, b.outputFields))
  }

  const search = (b: Record<string, unknown>) => {
    const c = collectionOf(b, true)
    const field = vectorField(c, b.annsField)
    if (!Array.isArray(b.data) || b.data.length === 0) throw new MilvusError(1802, 'missing required parameters: data')
    const { limit, offset } = window(b, 100)
    const where = predicate(c, b.filter)
    const candidates = c.entities.filter((e) => !where || where(e) === true)
    return b.data.flatMap((raw) => {
      if (!Array.isArray(raw) || !raw.every((x) => typeof x === 'number')) throw invalid('search data must be float vectors')
      if (raw.length !== field.params.dim)
        throw invalid(`the dim (${raw.length}) of field data(${field.name}) is not equal to schema dim (${field.params.dim})`)
      const q = raw as number[]
      const score = (v: number[]) =>
        c.metric === 'COSINE' ? dotProduct(normalized(q), normalized(v)) : c.metric === 'IP' ? dotProduct(q, v) : squaredL2(q, v)
      const larger = c.metric !== 'L2'
      return candidates
        .map((e) => ({ e, d: score(e[field.name] as number[]) }))
        .sort((x, y) => (larger ? y.d - x.d : x.d - y.d))
        .slice(offset, offset + limit)
        .map(({ e, d }) => project(c, e, b.outputFields, { distance: d }))
    })
  }

  const remove = (b: Record<string, unknown>) => {
    const c = collectionOf(b)
    if (typeof b.filter !== 'string' || b.filter === '') throw new MilvusError(1802, 'missing required parameters: filter')
    const where = predicate(c, b.filter)!
    c.entities = c.entities.filter((e) => where(e) !== true)
    return {}
  }

  const routes: Record<string, (b: Record<string, unknown>) => unknown> = {
    'collections/create': createCollection,
    'collections/describe': (b) => describe(collectionOf(b)),
    'collections/has': (b) => ({ has: collections.has(keyOf(dbOf(b), nameOf(b))) }),
    'collections/load': (b) => {
      const c = collectionOf(b)
      if (!c.metric) throw new MilvusError(700, `index not found[collection=${c.name}]`)
      c.loaded = true
      return {}
    },
    'collections/get_load_state': (b) => ({ loadState: collectionOf(b).loaded ? 'LoadStateLoaded' : 'LoadStateNotLoad' }),
    'collections/release': (b) => {
      collectionOf(b).loaded = false
      return {}
    },
    'collections/drop': (b) => {
      collections.delete(keyOf(dbOf(b), nameOf(b)))
      return {}
    },
    'entities/insert': (b) => write(b, 'insert'),
    'entities/upsert': (b) => write(b, 'upsert'),
    'entities/query': query,
    'entities/get': get,
    'entities/search': search,
    'entities/delete': remove,
  }

  const handle = (req: FakeRequest): FakeResponse => {
    if (options.token !== undefined && req.headers.authorization !== `Bearer ${options.token}`) {
      return { status: 401, body: { code: 1800, message: "user hasn't authenticated" } }
    }
    const route = /^\/v2\/vectordb\/(.+)$/.exec(req.path)?.[1]
    const run = route ? routes[route] : undefined
    if (!run || req.method !== 'POST') return { status: 404, body: '404 page not found' }
    try {
      return { status: 200, body: { code: options.successCode ?? 0, cost: 0, data: run(body(req)) } }
    } catch (err) {
      if (err instanceof MilvusError) return { status: 200, body: { code: err.code, message: err.message } }
      throw err
    }
  }

  const server = await startFakeServer(handle, () => collections.clear())
  return { server, url: server.url, token: options.token, collections, close: () => server.close() }
}
