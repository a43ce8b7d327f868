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
import { evaluateUpstashFilter, FilterSyntaxError, parseUpstashFilter, type NegationSemantics } from './upstash-filter.ts'

/**
 * A faithful local Upstash Vector REST server (shared/specs/remote-vector-apis.md, "Upstash Vector"):
 * Bearer auth, `{result}` / `{error, status}` envelopes, every command with an optional `/{namespace}`
 * suffix, POST/GET/DELETE accepted, the filter language (test/servers/upstash-filter.ts), scores
 * normalised to 0..1, range cursors, 1000-vector upsert batches and 48 KB metadata.
 */

export type UpstashSimilarity = 'COSINE' | 'EUCLIDEAN' | 'DOT_PRODUCT'

export interface UpstashServerOptions {
  token?: string
  dimension: number
  similarity?: UpstashSimilarity
  /** What negated filter operators do on missing fields and other types (see upstash-filter.ts). */
  negation?: NegationSemantics
  /** Reads on a namespace never written: empty results (default) or 404. */
  unknownNamespace?: 'empty' | 'error'
  /**
   * Upstash checks only a budget of candidates against a filter before falling back, so a selective
   * filter can return fewer than topK. Unset: unlimited (exact).
   */
  filterBudget?: number
}

interface StoredVector {
  vector: number[]
  metadata?: Record<string, unknown>
  data?: string
}

type Namespace = Map<string, StoredVector>

const MAX_UPSERT = 1000
const MAX_METADATA_BYTES = 48 * 1024

class UpstashError extends Error {
  readonly status: number
  constructor(status: number, message: string) {
    super(message)
    this.status = status
  }
}

export interface FakeUpstash {
  server: FakeHttpServer
  url: string
  token: string
  namespaces: Map<string, Namespace>
  options: Required<Omit<UpstashServerOptions, 'filterBudget'>> & { filterBudget: number | undefined }
  close(): Promise<void>
}

function rangeCursorEncode(id: string): string {
  return Buffer.from(id, 'utf8').toString('base64url')
}
function rangeCursorDecode(cursor: string): string {
  return Buffer.from(cursor, 'base64url').toString('utf8')
}

export async function startUpstashServer(options: UpstashServerOptions): Promise<FakeUpstash> {
  const settings = {
    token: options.token ?? 'upstash-test-token',
    dimension: options.dimension,
    similarity: options.similarity ?? 'COSINE',
    negation: options.negation ?? 'strict',
    unknownNamespace: options.unknownNamespace ?? 'empty',
    filterBudget: options.filterBudget,
  }
  const namespaces = new Map<string, Namespace>([['', new Map()]])

  const score = (query: number[], vector: number[]): number => {
    switch (settings.similarity) {
      case 'COSINE':
        return (1 + dotProduct(normalized(query), normalized(vector))) / 2
      case 'EUCLIDEAN':
        return 1 / (1 + squaredL2(query, vector))
      case 'DOT_PRODUCT':
        return (1 + dotProduct(query, vector)) / 2
    }
  }

  const checkVector = (vector: unknown): number[] => {
    if (!Array.isArray(vector) || !vector.every((x) => typeof x === 'number' && Number.isFinite(x))) {
      throw new UpstashError(400, 'Invalid request: vector must be an array of numbers')
    }
    if (vector.length !== settings.dimension)
      throw new UpstashError(422, `Invalid vector dimension: ${vector.length}, expected: ${settings.dimension}`)
    return vector as number[]
  }

  const readNamespace = (name: string): Namespace => {
    const ns = namespaces.get(name)
    if (ns) return ns
    if (settings.unknownNamespace === 'error') throw new UpstashError(404, `Namespace not found: ${name}`)
    return new Map()
  }

  const parseFilter = (filter: unknown) => {
    if (filter === undefined || filter === '') return undefined
    if (typeof filter !== 'string') throw new UpstashError(400, 'Invalid request: filter must be a string')
    try {
      return parseUpstashFilter(filter)
    } catch (err) {
      if (err instanceof FilterSyntaxError) throw new UpstashError(400, `Invalid filter: ${err.message}`)
      throw err
    }
  }

  const present = (id: string, stored: StoredVector, body: Record<string, unknown>, extra: Record<string, unknown> = {}) => {
    const out: Record<string, unknown> = { id, ...extra }
    if (body.includeVectors === true) out.vector = stored.vector.slice()
    if (body.includeMetadata === true && stored.metadata !== undefined) out.metadata = clone(stored.metadata)
    if (body.includeData === true && stored.data !== undefined) out.data = stored.data
    return out
  }

  const commands: Record<string, (ns: string, body: unknown, req: FakeRequest) => unknown> = {
    upsert(ns, body) {
      const items = Array.isArray(body) ? body : [body]
      if (items.length > MAX_UPSERT)
        throw new UpstashError(400, `Invalid request: batch size ${items.length} exceeds the maximum of ${MAX_UPSERT} vectors`)
      const prepared = items.map((item) => {
        if (!isPlainObject(item)) throw new UpstashError(400, 'Invalid request: each vector must be an object')
        if ((typeof item.id !== 'string' && typeof item.id !== 'number') || item.id === '')
          throw new UpstashError(400, 'Invalid request: id must be a non-empty string')
        const vector = checkVector(item.vector)
        if (item.metadata !== undefined && !isPlainObject(item.metadata))
          throw new UpstashError(400, 'Invalid request: metadata must be an object')
        if (item.metadata !== undefined && Buffer.byteLength(JSON.stringify(item.metadata)) > MAX_METADATA_BYTES) {
          throw new UpstashError(400, `Metadata size exceeds the limit of ${MAX_METADATA_BYTES} bytes`)
        }
        const stored: StoredVector = { vector: vector.slice() }
        if (item.metadata !== undefined) stored.metadata = clone(item.metadata)
        if (typeof item.data === 'string') stored.data = item.data
        return [String(item.id), stored] as const
      })
      const target = namespaces.get(ns) ?? new Map()
      namespaces.set(ns, target)
      for (const [id, stored] of prepared) target.set(id, stored)
      return 'Success'
    },
    query(ns, body) {
      const run = (q: unknown) => {
        if (!isPlainObject(q)) throw new UpstashError(400, 'Invalid request: query must be an object')
        const vector = checkVector(q.vector)
        const topK = q.topK === undefined ? 10 : q.topK
        if (typeof topK !== 'number' || !Number.isInteger(topK) || topK < 1)
          throw new UpstashError(400, 'Invalid request: topK must be a positive integer')
        const filter = parseFilter(q.filter)
        const scored = [...readNamespace(ns)].map(([id, stored]) => ({ id, stored, score: score(vector, stored.vector) }))
        scored.sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : 1))
        let candidates = scored
        if (filter) {
          const budget = settings.filterBudget ?? Infinity
          candidates = scored.slice(0, budget).filter((c) => evaluateUpstashFilter(filter, c.stored.metadata as never, settings.negation))
        }
        return candidates.slice(0, topK).map((c) => present(c.id, c.stored, q, { score: c.score }))
      }
      return Array.isArray(body) ? body.map(run) : run(body)
    },
    fetch(ns, body) {
      if (!isPlainObject(body)) throw new UpstashError(400, 'Invalid request: expected {ids} or {prefix}')
      const data = readNamespace(ns)
      if (Array.isArray(body.ids)) {
        return body.ids.map((id) => {
          const stored = data.get(String(id))
          return stored ? present(String(id), stored, body) : null
        })
      }
      if (typeof body.prefix === 'string') {
        const prefix = body.prefix
        return [...data.keys()]
          .filter((id) => id.startsWith(prefix))
          .sort()
          .map((id) => present(id, data.get(id)!, body))
      }
      throw new UpstashError(400, 'Invalid request: expected {ids} or {prefix}')
    },
    delete(ns, body) {
      const data = namespaces.get(ns) ?? new Map<string, StoredVector>()
      let targets: string[]
      if (Array.isArray(body)) targets = body.map(String)
      else if (isPlainObject(body) && Array.isArray(body.ids)) targets = body.ids.map(String)
      else if (isPlainObject(body) && typeof body.prefix === 'string')
        targets = [...data.keys()].filter((id) => id.startsWith(body.prefix as string))
      else if (isPlainObject(body) && typeof body.filter === 'string') {
        const filter = parseFilter(body.filter)!
        targets = [...data].filter(([, s]) => evaluateUpstashFilter(filter, s.metadata as never, settings.negation)).map(([id]) => id)
      } else throw new UpstashError(400, 'Invalid request: expected {ids}, {prefix} or {filter}')
      let deleted = 0
      for (const id of targets) if (data.delete(id)) deleted++
      return { deleted }
    },
    update(ns, body) {
      if (!isPlainObject(body) || (typeof body.id !== 'string' && typeof body.id !== 'number'))
        throw new UpstashError(400, 'Invalid request: id is required')
      const stored = namespaces.get(ns)?.get(String(body.id))
      if (!stored) return { updated: 0 }
      if (body.vector !== undefined) stored.vector = checkVector(body.vector).slice()
      if (typeof body.data === 'string') stored.data = body.data
      if (body.metadata !== undefined) {
        const mode = body.metadataUpdateMode ?? 'OVERWRITE'
        if (mode !== 'PATCH' && mode !== 'OVERWRITE')
          throw new UpstashError(400, 'Invalid request: metadataUpdateMode must be PATCH or OVERWRITE')
        stored.metadata =
          mode === 'PATCH'
            ? (mergePatch(stored.metadata ?? {}, body.metadata) as Record<string, unknown>)
            : (clone(body.metadata) as Record<string, unknown>)
      }
      return { updated: 1 }
    },
    range(ns, body) {
      if (!isPlainObject(body)) throw new UpstashError(400, 'Invalid request: expected {cursor, limit}')
      if (typeof body.limit !== 'number' || !Number.isInteger(body.limit) || body.limit < 1)
        throw new UpstashError(400, 'Invalid request: limit must be a positive integer')
      const cursor = typeof body.cursor === 'string' || typeof body.cursor === 'number' ? String(body.cursor) : '0'
      const data = readNamespace(ns)
      const prefix = typeof body.prefix === 'string' ? body.prefix : ''
      let ids = [...data.keys()].filter((id) => id.startsWith(prefix)).sort()
      if (cursor !== '0' && cursor !== '') {
        const from = rangeCursorDecode(cursor)
        ids = ids.filter((id) => id >= from)
      }
      const page = ids.slice(0, body.limit)
      const next = ids[body.limit]
      return { nextCursor: next === undefined ? '' : rangeCursorEncode(next), vectors: page.map((id) => present(id, data.get(id)!, body)) }
    },
    reset(ns, _body, req) {
      if (req.query.has('all')) {
        namespaces.clear()
        namespaces.set('', new Map())
      } else namespaces.get(ns)?.clear()
      return 'Success'
    },
    info() {
      const byNamespace: Record<string, { vectorCount: number; pendingVectorCount: number }> = {}
      let total = 0
      for (const [name, data] of namespaces) {
        byNamespace[name] = { vectorCount: data.size, pendingVectorCount: 0 }
        total += data.size
      }
      return {
        vectorCount: total,
        pendingVectorCount: 0,
        indexSize: total * settings.dimension * 4,
        dimension: settings.dimension,
        similarityFunction: settings.similarity,
        namespaces: byNamespace,
      }
    },
    'list-namespaces'() {
      return [...namespaces.keys()].sort()
    },
    'delete-namespace'(ns) {
      if (ns === '') throw new UpstashError(400, 'Cannot delete the default namespace')
      if (!namespaces.delete(ns)) throw new UpstashError(404, `Namespace not found: ${ns}`)
      return 'Success'
    },
  }

  const handle = (req: FakeRequest): FakeResponse => {
    const fail = (status: number, error: string): FakeResponse => ({ status, body: { error, status } })
    if (!['POST', 'GET', 'DELETE'].includes(req.method)) return fail(405, 'Method Not Allowed')
    if (req.headers.authorization !== `Bearer ${settings.token}`) return fail(401, 'Unauthorized: Invalid auth token')
    const segments = req.path.split('/').filter((s) => s !== '')
    const command = segments[0]
    if (command === undefined || !(command in commands) || segments.length > 2) return fail(404, 'Not Found')
    if (command === 'info' || command === 'list-namespaces') {
      if (segments.length > 1) return fail(404, 'Not Found')
    }
    const ns = segments[1] ?? ''
    const parsed = parseJsonBody(req.bodyText)
    if (!parsed.ok) return fail(400, `Invalid request body: ${parsed.error}`)
    try {
      return { status: 200, body: { result: commands[command]!(ns, parsed.value, req) } }
    } catch (err) {
      if (err instanceof UpstashError) return fail(err.status, err.message)
      throw err
    }
  }

  const server = await startFakeServer(handle, () => {
    namespaces.clear()
    namespaces.set('', new Map())
  })
  return { server, url: server.url, token: settings.token, namespaces, options: settings, close: () => server.close() }
}

/** RFC 7396 JSON merge patch. */
export function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isPlainObject(patch)) return clone(patch)
  const result: Record<string, unknown> = isPlainObject(target) ? { ...target } : {}
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key]
    else result[key] = mergePatch(result[key], value)
  }
  return result
}
