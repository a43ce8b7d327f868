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
import { matchesQdrantFilter, QdrantFilterError, validateQdrantFilter } from './qdrant-filter.ts'

/**
 * A faithful local Qdrant 1.19 REST server (shared/specs/remote-vector-apis.md, "Qdrant"): `api-key` or
 * Bearer auth with plain-text 401s, `{result, status, time}` / `{status: {error}, time}` envelopes,
 * collections with payload indexes, points with uint64/UUID ids only, `/points/query` (and no
 * `/points/search`), retrieve, delete, payload set/overwrite, scroll ordered by id with
 * `next_page_offset`, count, score formulas per distance and the filter JSON (qdrant-filter.ts).
 */

export type QdrantDistance = 'Cosine' | 'Euclid' | 'Dot' | 'Manhattan'
type Json = null | boolean | number | string | Json[] | { [key: string]: Json }

export interface QdrantServerOptions {
  /** When set, every route but `/`, `/healthz`, `/readyz`, `/livez` needs it. */
  apiKey?: string
}

interface Point {
  id: string | number
  vector: number[]
  payload: Record<string, Json>
  version: number
}

interface Collection {
  size: number
  distance: QdrantDistance
  points: Map<string, Point>
  payloadSchema: Record<string, { data_type: string; params?: Record<string, unknown> }>
}

class QdrantError extends Error {
  readonly status: number
  constructor(status: number, message: string) {
    super(message)
    this.status = status
  }
}

const UUID = /^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$/
const MAX_U64 = 18446744073709551615n
const INDEX_TYPES = ['keyword', 'integer', 'float', 'bool', 'datetime', 'uuid', 'text', 'geo']

/** Normalises a point id: uint64 or UUID (hyphenated lowercase); anything else is a 400. */
export function normalizePointId(id: unknown): string | number {
  if (typeof id === 'number' && Number.isInteger(id) && id >= 0 && BigInt(id) <= MAX_U64) return id
  if (typeof id === 'string' && UUID.test(id)) {
    const hex = id.replace(/-/g, '').toLowerCase()
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
  }
  throw new QdrantError(
    400,
    `Format error in JSON body: value ${JSON.stringify(id)} is not a valid point ID, valid values are either an unsigned integer or a UUID`,
  )
}

const idKey = (id: string | number): string => (typeof id === 'number' ? `n:${id}` : `u:${id}`)

/** Qdrant orders numeric ids before UUIDs, UUIDs by their 128-bit value. */
function compareIds(a: string | number, b: string | number): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b
  if (typeof a === 'number') return -1
  if (typeof b === 'number') return 1
  return a < b ? -1 : a > b ? 1 : 0
}

export interface FakeQdrant {
  server: FakeHttpServer
  url: string
  apiKey: string | undefined
  collections: Map<string, Collection>
  close(): Promise<void>
}

export async function startQdrantServer(options: QdrantServerOptions = {}): Promise<FakeQdrant> {
  const collections = new Map<string, Collection>()
  let operationId = 0
  const started = performance.now()

  const ok = (result: unknown): FakeResponse => ({ status: 200, body: { result, status: 'ok', time: (performance.now() - started) / 1e6 } })
  const fail = (status: number, error: string): FakeResponse => ({ status, body: { status: { error }, time: 0.0001 } })

  const collection = (name: string): Collection => {
    const found = collections.get(name)
    if (!found) throw new QdrantError(404, `Not found: Collection \`${name}\` doesn't exist!`)
    return found
  }

  const checkVector = (c: Collection, vector: unknown): number[] => {
    if (!Array.isArray(vector) || !vector.every((x) => typeof x === 'number' && Number.isFinite(x))) {
      throw new QdrantError(400, 'Format error in JSON body: vector must be an array of numbers')
    }
    if (vector.length !== c.size)
      throw new QdrantError(400, `Wrong input: Vector dimension error: expected dim: ${c.size}, got ${vector.length}`)
    return vector as number[]
  }

  const score = (c: Collection, query: number[], stored: number[]): number => {
    switch (c.distance) {
      case 'Cosine':
        return dotProduct(normalized(query), stored)
      case 'Dot':
        return dotProduct(query, stored)
      case 'Euclid':
        return Math.sqrt(squaredL2(query, stored))
      case 'Manhattan':
        return query.reduce((sum, x, i) => sum + Math.abs(x - stored[i]!), 0)
    }
  }
  const higherIsBetter = (c: Collection) => c.distance === 'Cosine' || c.distance === 'Dot'

  const present = (point: Point, withPayload: unknown, withVector: unknown, extra: Record<string, unknown> = {}) => {
    const out: Record<string, unknown> = { id: point.id, ...extra }
    if (withPayload === true) out.payload = clone(point.payload)
    else if (Array.isArray(withPayload))
      out.payload = Object.fromEntries(Object.entries(point.payload).filter(([k]) => (withPayload as string[]).includes(k)))
    if (withVector === true) out.vector = point.vector.slice()
    return out
  }

  const filtered = (c: Collection, filter: unknown): Point[] => {
    try {
      validateQdrantFilter(filter)
      return [...c.points.values()].filter((p) => matchesQdrantFilter(p, filter))
    } catch (err) {
      if (err instanceof QdrantFilterError) throw new QdrantError(400, err.message)
      throw err
    }
  }

  const positiveInt = (value: unknown, name: string, fallback: number): number => {
    if (value === undefined || value === null) return fallback
    if (typeof value !== 'number' || !Number.isInteger(value))
      throw new QdrantError(400, `Format error in JSON body: ${name} must be an integer`)
    if (value < 1) throw new QdrantError(422, `Validation error in JSON body: [${name}: value ${value} invalid, must be 1 or larger]`)
    return value
  }

  const body = (req: FakeRequest): Record<string, unknown> => {
    const parsed = parseJsonBody(req.bodyText)
    if (!parsed.ok) throw new QdrantError(400, `Format error in JSON body: ${parsed.error}`)
    if (parsed.value === undefined) return {}
    if (!isPlainObject(parsed.value)) throw new QdrantError(400, 'Format error in JSON body: expected an object')
    return parsed.value
  }

  const operation = () => ({ operation_id: ++operationId, status: 'completed' })

  type Route = { method: string; pattern: RegExp; run: (req: FakeRequest, params: string[]) => unknown }
  const routes: Route[] = [
    { method: 'GET', pattern: /^\/$/, run: () => ({ __raw: { title: 'qdrant - vector search engine', version: '1.19.0' } }) },
    { method: 'GET', pattern: /^\/(healthz|livez|readyz)$/, run: () => ({ __text: 'healthz check passed' }) },
    { method: 'GET', pattern: /^\/collections$/, run: () => ({ collections: [...collections.keys()].map((name) => ({ name })) }) },
    {
      method: 'PUT',
      pattern: /^\/collections\/([^/]+)$/,
      run: (req, [name]) => {
        const b = body(req)
        if (collections.has(name!)) throw new QdrantError(409, `Wrong input: Collection \`${name}\` already exists!`)
        const vectors = b.vectors as { size?: unknown; distance?: unknown } | undefined
        if (!isPlainObject(vectors) || typeof vectors.size !== 'number' || !Number.isInteger(vectors.size)) {
          throw new QdrantError(400, 'Format error in JSON body: missing field `vectors`')
        }
        if (vectors.size < 1 || vectors.size > 65536)
          throw new QdrantError(
            422,
            `Validation error in JSON body: [vectors.size: value ${vectors.size} invalid, must be from 1 to 65536]`,
          )
        if (!['Cosine', 'Euclid', 'Dot', 'Manhattan'].includes(vectors.distance as string)) {
          throw new QdrantError(
            400,
            `Format error in JSON body: unknown variant \`${String(vectors.distance)}\`, expected one of \`Cosine\`, \`Euclid\`, \`Dot\`, \`Manhattan\``,
          )
        }
        collections.set(name!, { size: vectors.size, distance: vectors.distance as QdrantDistance, points: new Map(), payloadSchema: {} })
        return true
      },
    },
    { method: 'GET', pattern: /^\/collections\/([^/]+)\/exists$/, run: (_req, [name]) => ({ exists: collections.has(name!) }) },
    {
      method: 'GET',
      pattern: /^\/collections\/([^/]+)$/,
      run: (_req, [name]) => {
        const c = collection(name!)
        const schema = Object.fromEntries(
          Object.entries(c.payloadSchema).map(([k, v]) => [
            k,
            { ...v, points: [...c.points.values()].filter((p) => k in p.payload).length },
          ]),
        )
        return {
          status: 'green',
          optimizer_status: 'ok',
          points_count: c.points.size,
          indexed_vectors_count: 0,
          segments_count: 1,
          config: {
            params: { vectors: { size: c.size, distance: c.distance }, shard_number: 1, replication_factor: 1, on_disk_payload: true },
          },
          payload_schema: schema,
        }
      },
    },
    {
      method: 'DELETE',
      pattern: /^\/collections\/([^/]+)$/,
      run: (_req, [name]) => collections.delete(name!),
    },
    {
      method: 'PUT',
      pattern: /^\/collections\/([^/]+)\/index$/,
      run: (req, [name]) => {
        const c = collection(name!)
        const b = body(req)
        if (typeof b.field_name !== 'string') throw new QdrantError(400, 'Format error in JSON body: missing field `field_name`')
        const schema = b.field_schema
        const type = typeof schema === 'string' ? schema : isPlainObject(schema) ? schema.type : undefined
        if (typeof type !== 'string' || !INDEX_TYPES.includes(type))
          throw new QdrantError(400, 'Format error in JSON body: unknown field_schema')
        const params = isPlainObject(schema) ? Object.fromEntries(Object.entries(schema).filter(([k]) => k !== 'type')) : undefined
        c.payloadSchema[b.field_name] = {
          data_type: type,
          ...(params && Object.keys(params).length ? { params: { type, ...params } } : {}),
        }
        return operation()
      },
    },
    {
      method: 'PUT',
      pattern: /^\/collections\/([^/]+)\/points$/,
      run: (req, [name]) => {
        const c = collection(name!)
        const b = body(req)
        if (!Array.isArray(b.points)) throw new QdrantError(400, 'Format error in JSON body: missing field `points`')
        const prepared = b.points.map((raw: unknown) => {
          if (!isPlainObject(raw)) throw new QdrantError(400, 'Format error in JSON body: a point must be an object')
          const id = normalizePointId(raw.id)
          const vector = checkVector(c, raw.vector)
          if (raw.payload !== undefined && raw.payload !== null && !isPlainObject(raw.payload))
            throw new QdrantError(400, 'Format error in JSON body: payload must be an object')
          return {
            id,
            vector: c.distance === 'Cosine' ? normalized(vector) : vector.slice(),
            payload: clone((raw.payload ?? {}) as Record<string, Json>),
          }
        })
        const op = operation()
        for (const point of prepared) c.points.set(idKey(point.id), { ...point, version: op.operation_id })
        return op
      },
    },
    {
      method: 'POST',
      pattern: /^\/collections\/([^/]+)\/points\/query$/,
      run: (req, [name]) => {
        const c = collection(name!)
        const b = body(req)
        const query = checkVector(c, b.query)
        const limit = positiveInt(b.limit, 'limit', 10)
        const offset = b.offset === undefined || b.offset === null ? 0 : (b.offset as number)
        const scored = filtered(c, b.filter).map((p) => ({ p, score: score(c, query, p.vector) }))
        const better = higherIsBetter(c)
        scored.sort((x, y) => (better ? y.score - x.score : x.score - y.score) || compareIds(x.p.id, y.p.id))
        const threshold = b.score_threshold as number | undefined
        const kept =
          threshold === undefined || threshold === null
            ? scored
            : scored.filter((s) => (better ? s.score >= threshold : s.score <= threshold))
        return {
          points: kept
            .slice(offset, offset + limit)
            .map((s) => present(s.p, b.with_payload ?? false, b.with_vector ?? false, { version: s.p.version, score: s.score })),
        }
      },
    },
    {
      method: 'POST',
      pattern: /^\/collections\/([^/]+)\/points$/,
      run: (req, [name]) => {
        const c = collection(name!)
        const b = body(req)
        if (!Array.isArray(b.ids)) throw new QdrantError(400, 'Format error in JSON body: missing field `ids`')
        const out = []
        for (const raw of b.ids) {
          const point = c.points.get(idKey(normalizePointId(raw)))
          if (point) out.push(present(point, b.with_payload ?? true, b.with_vector ?? false))
        }
        return out
      },
    },
    {
      method: 'GET',
      pattern: /^\/collections\/([^/]+)\/points\/([^/]+)$/,
      run: (_req, [name, rawId]) => {
        const c = collection(name!)
        const id = /^\d+$/.test(rawId!) ? Number(rawId) : decodeURIComponent(rawId!)
        const point = c.points.get(idKey(normalizePointId(id)))
        if (!point) throw new QdrantError(404, `Not found: No point with id ${rawId} found`)
        return present(point, true, true)
      },
    },
    {
      method: 'POST',
      pattern: /^\/collections\/([^/]+)\/points\/delete$/,
      run: (req, [name]) => {
        const c = collection(name!)
        const b = body(req)
        if (Array.isArray(b.points)) for (const raw of b.points) c.points.delete(idKey(normalizePointId(raw)))
        else if (b.filter !== undefined) for (const p of filtered(c, b.filter)) c.points.delete(idKey(p.id))
        else throw new QdrantError(400, 'Format error in JSON body: expected `points` or `filter`')
        return operation()
      },
    },
    {
      method: 'POST',
      pattern: /^\/collections\/([^/]+)\/points\/payload$/,
      run: (req, [name]) => setPayload(req, name!, 'merge'),
    },
    {
      method: 'PUT',
      pattern: /^\/collections\/([^/]+)\/points\/payload$/,
      run: (req, [name]) => setPayload(req, name!, 'replace'),
    },
    {
      method: 'POST',
      pattern: /^\/collections\/([^/]+)\/points\/scroll$/,
      run: (req, [name]) => {
        const c = collection(name!)
        const b = body(req)
        const limit = positiveInt(b.limit, 'limit', 10)
        let points = filtered(c, b.filter).sort((x, y) => compareIds(x.id, y.id))
        if (b.offset !== undefined && b.offset !== null) {
          const offset = normalizePointId(b.offset)
          points = points.filter((p) => compareIds(p.id, offset) >= 0)
        }
        const page = points.slice(0, limit)
        return {
          points: page.map((p) => present(p, b.with_payload ?? true, b.with_vector ?? false)),
          next_page_offset: points[limit]?.id ?? null,
        }
      },
    },
    {
      method: 'POST',
      pattern: /^\/collections\/([^/]+)\/points\/count$/,
      run: (req, [name]) => ({ count: filtered(collection(name!), body(req).filter).length }),
    },
  ]

  function setPayload(req: FakeRequest, name: string, mode: 'merge' | 'replace') {
    const c = collection(name)
    const b = body(req)
    if (!isPlainObject(b.payload)) throw new QdrantError(400, 'Format error in JSON body: missing field `payload`')
    const targets = Array.isArray(b.points)
      ? b.points.map((raw) => c.points.get(idKey(normalizePointId(raw)))).filter((p) => p !== undefined)
      : filtered(c, b.filter)
    for (const point of targets)
      point.payload =
        mode === 'merge' ? { ...point.payload, ...clone(b.payload as Record<string, Json>) } : clone(b.payload as Record<string, Json>)
    return operation()
  }

  const handle = (req: FakeRequest): FakeResponse => {
    const open = req.path === '/' || /^\/(healthz|livez|readyz)$/.test(req.path)
    if (options.apiKey !== undefined && !open) {
      const bearer = req.headers.authorization?.startsWith('Bearer ') ? req.headers.authorization.slice(7) : undefined
      const key = (req.headers['api-key'] as string | undefined) ?? bearer
      if (key === undefined) return { status: 401, body: 'Must provide an API key or an Authorization bearer token' }
      if (key !== options.apiKey) return { status: 401, body: 'Invalid API key or JWT' }
    }
    for (const route of routes) {
      const match = route.pattern.exec(req.path)
      if (!match || route.method !== req.method) continue
      try {
        const result = route.run(
          req,
          match.slice(1).map((s) => decodeURIComponent(s)),
        )
        if (isPlainObject(result) && '__raw' in result) return { status: 200, body: result.__raw }
        if (isPlainObject(result) && '__text' in result) return { status: 200, body: result.__text }
        return ok(result)
      } catch (err) {
        if (err instanceof QdrantError) return fail(err.status, err.message)
        throw err
      }
    }
    // actix-web answers unknown routes (such as the removed /points/search) with an empty 404.
    return { status: 404, body: '' }
  }

  const server = await startFakeServer(handle, () => collections.clear())
  return { server, url: server.url, apiKey: options.apiKey, collections, close: () => server.close() }
}
