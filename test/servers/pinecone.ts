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
import { matchesPineconeFilter, PineconeFilterError, type PineconeFilterSemantics } from './pinecone-filter.ts'

/**
 * A faithful local Pinecone serverless data plane (API 2025-10; shared/specs/remote-vector-apis.md,
 * "Pinecone"): `Api-Key` auth with plain-text 401s, `{code, message, details}` errors, namespaces, flat
 * metadata rules (string, number, boolean, list of strings; no nulls or nested objects; no `$` keys;
 * 40 KB), batch limits (1000 records and 2 MB per upsert, 1000 ids per fetch/delete), query scores per
 * metric, list and fetch_by_metadata pagination, describe_index_stats, and a minimal control plane.
 */

export type PineconeMetric = 'cosine' | 'euclidean' | 'dotproduct'
type Meta = Record<string, string | number | boolean | string[]>

export interface PineconeServerOptions {
  apiKey?: string
  dimension: number
  metric?: PineconeMetric
  semantics?: Partial<PineconeFilterSemantics>
}

interface StoredVector {
  values: number[]
  metadata?: Meta
}

const MAX_BATCH = 1000
const MAX_REQUEST_BYTES = 2 * 1024 * 1024
const MAX_METADATA_BYTES = 40 * 1024
const MAX_TOP_K = 10_000

class PineconeError extends Error {
  readonly status: number
  readonly code: number
  constructor(status: number, code: number, message: string) {
    super(message)
    this.status = status
    this.code = code
  }
}
const invalid = (message: string) => new PineconeError(400, 3, message)

export interface FakePinecone {
  server: FakeHttpServer
  url: string
  apiKey: string
  namespaces: Map<string, Map<string, StoredVector>>
  settings: { dimension: number; metric: PineconeMetric; semantics: PineconeFilterSemantics }
  close(): Promise<void>
}

const token = (id: string) => Buffer.from(id, 'utf8').toString('base64url')
const untoken = (t: string) => Buffer.from(t, 'base64url').toString('utf8')

export async function startPineconeServer(options: PineconeServerOptions): Promise<FakePinecone> {
  const apiKey = options.apiKey ?? 'pinecone-test-key'
  const settings = {
    dimension: options.dimension,
    metric: options.metric ?? 'cosine',
    semantics: { listNegation: 'none-equal', negationMatchesMissing: true, ...options.semantics } as PineconeFilterSemantics,
  }
  const namespaces = new Map<string, Map<string, StoredVector>>()

  const namespaceOf = (value: unknown): string => {
    if (value === undefined || value === null) return ''
    if (typeof value !== 'string') throw invalid('namespace must be a string')
    return value
  }

  const checkValues = (values: unknown): number[] => {
    if (!Array.isArray(values) || !values.every((x) => typeof x === 'number' && Number.isFinite(x)))
      throw invalid('values must be an array of numbers')
    if (values.length !== settings.dimension)
      throw invalid(`Vector dimension ${values.length} does not match the dimension of the index ${settings.dimension}`)
    return values as number[]
  }

  const checkMetadata = (metadata: unknown): Meta => {
    if (!isPlainObject(metadata)) throw invalid('metadata must be an object')
    for (const [key, value] of Object.entries(metadata)) {
      if (key.startsWith('$')) throw invalid(`Metadata key '${key}' must not start with '$'`)
      const ok =
        typeof value === 'string' ||
        typeof value === 'number' ||
        typeof value === 'boolean' ||
        (Array.isArray(value) && value.every((v) => typeof v === 'string'))
      if (!ok) {
        const got = value === null ? 'null' : Array.isArray(value) ? 'a list containing non-strings' : typeof value
        throw invalid(`Metadata value must be a string, number, boolean or list of strings, got '${got}' for field '${key}'`)
      }
    }
    const size = Buffer.byteLength(JSON.stringify(metadata))
    if (size > MAX_METADATA_BYTES)
      throw invalid(`Metadata size is ${size} bytes, which exceeds the limit of ${MAX_METADATA_BYTES} bytes per vector`)
    return clone(metadata) as Meta
  }

  const filterOf = (filter: unknown) => {
    if (filter === undefined || filter === null) return undefined
    try {
      matchesPineconeFilter({}, filter, settings.semantics)
    } catch (err) {
      if (err instanceof PineconeFilterError) throw invalid(`Invalid filter: ${err.message}`)
      throw err
    }
    return (metadata: Meta | undefined) => matchesPineconeFilter(metadata ?? {}, filter, settings.semantics)
  }

  const score = (query: number[], values: number[]): number => {
    if (settings.metric === 'cosine') return dotProduct(normalized(query), normalized(values))
    if (settings.metric === 'dotproduct') return dotProduct(query, values)
    return squaredL2(query, values)
  }

  const body = (req: FakeRequest): Record<string, unknown> => {
    if (Buffer.byteLength(req.bodyText) > MAX_REQUEST_BYTES) {
      throw invalid(
        `Request size ${(Buffer.byteLength(req.bodyText) / 1024 / 1024).toFixed(1)}MB exceeds the maximum supported size of 2MB`,
      )
    }
    const parsed = parseJsonBody(req.bodyText)
    if (!parsed.ok) throw invalid(`Failed to parse the request body: ${parsed.error}`)
    if (parsed.value === undefined) return {}
    if (!isPlainObject(parsed.value)) throw invalid('request body must be an object')
    return parsed.value
  }

  const present = (
    id: string,
    stored: StoredVector,
    includeValues: boolean,
    includeMetadata: boolean,
    extra: Record<string, unknown> = {},
  ) => {
    const out: Record<string, unknown> = { id, ...extra }
    if (includeValues) out.values = stored.values.slice()
    if (includeMetadata && stored.metadata) out.metadata = clone(stored.metadata)
    return out
  }

  const usage = (readUnits = 1) => ({ readUnits })

  type Handler = (req: FakeRequest) => unknown
  const routes: Record<string, Handler> = {
    'POST /vectors/upsert': (req) => {
      const b = body(req)
      if (!Array.isArray(b.vectors)) throw invalid('vectors is required')
      if (b.vectors.length > MAX_BATCH)
        throw invalid(`Batch size ${b.vectors.length} exceeds the maximum of ${MAX_BATCH} vectors per upsert`)
      const ns = namespaceOf(b.namespace)
      const prepared = b.vectors.map((v: unknown) => {
        if (!isPlainObject(v)) throw invalid('each vector must be an object')
        if (typeof v.id !== 'string' || v.id.length < 1 || v.id.length > 512)
          throw invalid('Vector ID must be a string of 1 to 512 characters')
        const stored: StoredVector = { values: checkValues(v.values).slice() }
        if (v.metadata !== undefined) stored.metadata = checkMetadata(v.metadata)
        return [v.id, stored] as const
      })
      const target = namespaces.get(ns) ?? new Map()
      namespaces.set(ns, target)
      for (const [id, stored] of prepared) target.set(id, stored)
      return { upsertedCount: prepared.length }
    },
    'POST /query': (req) => {
      const b = body(req)
      const topK = b.topK
      if (typeof topK !== 'number' || !Number.isInteger(topK) || topK < 1 || topK > MAX_TOP_K)
        throw invalid(`topK must be an integer between 1 and ${MAX_TOP_K}`)
      const vector = checkValues(b.vector)
      const ns = namespaceOf(b.namespace)
      const accept = filterOf(b.filter)
      const scored = [...(namespaces.get(ns) ?? new Map<string, StoredVector>())]
        .filter(([, s]) => !accept || accept(s.metadata))
        .map(([id, s]) => ({ id, s, score: score(vector, s.values) }))
      const lowerIsBetter = settings.metric === 'euclidean'
      scored.sort((x, y) => (lowerIsBetter ? x.score - y.score : y.score - x.score) || (x.id < y.id ? -1 : 1))
      return {
        matches: scored
          .slice(0, topK)
          .map((m) => present(m.id, m.s, b.includeValues === true, b.includeMetadata === true, { score: m.score })),
        namespace: ns,
        usage: usage(5),
      }
    },
    'GET /vectors/fetch': (req) => {
      const ids = req.query.getAll('ids')
      if (ids.length === 0) throw invalid('ids is required')
      if (ids.length > MAX_BATCH) throw invalid(`Cannot fetch more than ${MAX_BATCH} ids at once`)
      const ns = req.query.get('namespace') ?? ''
      const data = namespaces.get(ns)
      const vectors: Record<string, unknown> = {}
      for (const id of ids) {
        const stored = data?.get(id)
        if (stored) vectors[id] = present(id, stored, true, true)
      }
      return { vectors, namespace: ns, usage: usage() }
    },
    'POST /vectors/delete': (req) => {
      const b = body(req)
      const ns = namespaceOf(b.namespace)
      const data = namespaces.get(ns)
      if (b.deleteAll === true) {
        if (!data) throw new PineconeError(404, 5, 'Namespace not found')
        namespaces.delete(ns)
        return {}
      }
      if (Array.isArray(b.ids)) {
        if (b.ids.length > MAX_BATCH) throw invalid(`Cannot delete more than ${MAX_BATCH} ids at once`)
        for (const id of b.ids) data?.delete(String(id))
        return {}
      }
      if (b.filter !== undefined) {
        const accept = filterOf(b.filter)!
        for (const [id, s] of [...(data ?? [])]) if (accept(s.metadata)) data!.delete(id)
        return {}
      }
      throw invalid('one of ids, deleteAll or filter is required')
    },
    'POST /vectors/update': (req) => {
      const b = body(req)
      if (typeof b.id !== 'string') throw invalid('id is required')
      const stored = namespaces.get(namespaceOf(b.namespace))?.get(b.id)
      if (!stored) throw new PineconeError(404, 5, `Vector with ID ${b.id} not found`)
      if (b.values !== undefined) stored.values = checkValues(b.values).slice()
      if (b.setMetadata !== undefined) stored.metadata = checkMetadata({ ...stored.metadata, ...(b.setMetadata as object) })
      return {}
    },
    'GET /vectors/list': (req) => {
      const ns = req.query.get('namespace') ?? ''
      const limit = Number(req.query.get('limit') ?? '100')
      if (!Number.isInteger(limit) || limit < 1) throw invalid('limit must be a positive integer')
      const prefix = req.query.get('prefix') ?? ''
      let ids = [...(namespaces.get(ns)?.keys() ?? [])].filter((id) => id.startsWith(prefix)).sort()
      const pagination = req.query.get('paginationToken')
      if (pagination) ids = ids.filter((id) => id >= untoken(pagination))
      const page = ids.slice(0, limit)
      const next = ids[limit]
      return {
        vectors: page.map((id) => ({ id })),
        ...(next !== undefined ? { pagination: { next: token(next) } } : {}),
        namespace: ns,
        usage: usage(),
      }
    },
    'POST /vectors/fetch_by_metadata': (req) => {
      const b = body(req)
      if (!isPlainObject(b.filter)) throw invalid('filter is required')
      const accept = filterOf(b.filter)!
      const ns = namespaceOf(b.namespace)
      const limit = b.limit === undefined ? 100 : b.limit
      if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1 || limit > 10_000)
        throw invalid('limit must be an integer between 1 and 10000')
      let matching = [...(namespaces.get(ns) ?? new Map<string, StoredVector>())]
        .filter(([, s]) => accept(s.metadata))
        .sort(([a], [b2]) => (a < b2 ? -1 : 1))
      if (typeof b.paginationToken === 'string') {
        const from = untoken(b.paginationToken)
        matching = matching.filter(([id]) => id >= from)
      }
      const page = matching.slice(0, limit)
      const next = matching[limit]
      return {
        vectors: Object.fromEntries(page.map(([id, s]) => [id, present(id, s, true, true)])),
        ...(next ? { pagination: { next: token(next[0]) } } : {}),
        namespace: ns,
        usage: usage(),
      }
    },
    'POST /describe_index_stats': () => {
      const byNamespace: Record<string, { vectorCount: number }> = {}
      let total = 0
      for (const [name, data] of namespaces) {
        byNamespace[name] = { vectorCount: data.size }
        total += data.size
      }
      return {
        namespaces: byNamespace,
        dimension: settings.dimension,
        indexFullness: 0,
        totalVectorCount: total,
        metric: settings.metric,
        vectorType: 'dense',
      }
    },
  }

  const handle = (req: FakeRequest): FakeResponse => {
    if (req.headers['api-key'] !== apiKey) return { status: 401, body: 'Invalid API Key' }
    const route = routes[`${req.method} ${req.path}`]
    if (!route) return { status: 404, body: { code: 5, message: `Not Found: ${req.method} ${req.path}`, details: [] } }
    try {
      return { status: 200, body: route(req) }
    } catch (err) {
      if (err instanceof PineconeError) return { status: err.status, body: { code: err.code, message: err.message, details: [] } }
      throw err
    }
  }

  const server = await startFakeServer(handle, () => namespaces.clear())
  return { server, url: server.url, apiKey, namespaces, settings, close: () => server.close() }
}
