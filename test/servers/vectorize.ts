/**
 * A faithful in-memory Cloudflare Vectorize index (V2), behind the binding interface of
 * @cloudflare/workers-types (`Vectorize`: describe, query, queryById, insert, upsert, getByIds,
 * deleteByIds). Plain TypeScript, no Node APIs: it runs in Node and inside workerd. Modelled on
 * developers.cloudflare.com/vectorize (reference/client-api, reference/metadata-filtering,
 * best-practices/query-vectors, platform/limits):
 * - mutations are asynchronous: insert/upsert/deleteByIds answer `{ mutationId }` at once and become
 *   visible to query and getByIds only after `visibilityDelayMs` (Vectorize: "within a few seconds");
 * - scores per metric: cosine similarity (higher is closer), Euclidean distance and negative dot product
 *   (lower is closer); matches come closest first;
 * - filters are a flat object of `field: value | { $eq, $ne, $in, $nin, $lt, $lte, $gt, $gte }` over
 *   fields with a metadata index (`wrangler vectorize create-metadata-index`); a vector whose field is
 *   not indexed (or holds a value of another type than the index's) does not match a condition on it;
 *   indexed strings are compared on their first 64 bytes; a filter is at most 2048 bytes of JSON;
 * - limits, with errors thrown as the binding throws them (`<KIND> (code = N): detail`): dimensions,
 *   topK ≤ 100 (≤ 20 with returnValues or returnMetadata 'all'), ids ≤ 64 bytes, namespaces ≤ 64 bytes,
 *   metadata ≤ 10 KiB, 1000 vectors per binding upsert.
 */

export type FakeVectorizeMetric = 'cosine' | 'euclidean' | 'dot-product'
export type MetadataIndexType = 'string' | 'number' | 'boolean'
type MetaScalar = string | number | boolean | string[]
type MetaValue = MetaScalar | Record<string, MetaScalar>
type Meta = Record<string, MetaValue>

export interface FakeVectorizeOptions {
  dimensions: number
  metric?: FakeVectorizeMetric
  /** Metadata indexes by property name (what `wrangler vectorize create-metadata-index` made). */
  metadataIndexes?: Record<string, MetadataIndexType>
  /** How long a mutation takes to become visible (default 25 ms). */
  visibilityDelayMs?: number
  /** Largest upsert batch (binding 1000; the REST API 5000). */
  maxUpsertBatch?: number
}

interface Stored {
  id: string
  namespace: string | undefined
  values: number[]
  metadata: Meta | undefined
}

export const LIMITS = {
  maxDimensions: 1536,
  maxTopK: 100,
  maxTopKWithData: 20,
  maxMetadataBytes: 10 * 1024,
  maxIdBytes: 64,
  maxNamespaceBytes: 64,
  maxFilterBytes: 2048,
  maxIndexedStringBytes: 64,
} as const

const encoder = new TextEncoder()
const bytes = (value: string) => encoder.encode(value).byteLength

export class VectorizeError extends Error {
  readonly code: number
  constructor(kind: string, code: number, detail: string) {
    super(`${kind} (code = ${code}): ${detail}`)
    this.code = code
  }
}

function truncate(value: string): string {
  const encoded = encoder.encode(value)
  return encoded.byteLength <= LIMITS.maxIndexedStringBytes
    ? value
    : new TextDecoder().decode(encoded.slice(0, LIMITS.maxIndexedStringBytes))
}

const dot = (a: number[], b: number[]) => a.reduce((sum, x, i) => sum + x * b[i]!, 0)

export class FakeVectorizeIndex {
  readonly dimensions: number
  readonly metric: FakeVectorizeMetric
  readonly metadataIndexes: Record<string, MetadataIndexType>
  visibilityDelayMs: number
  private readonly maxUpsertBatch: number
  private readonly vectors = new Map<string, Stored>()
  private readonly pending: { at: number; id: string; apply: () => void }[] = []
  private lastProcessed = ''
  private mutations = 0
  /** Calls made, by method: tests check batching and request counts. */
  readonly calls: { method: string; size: number }[] = []

  constructor(options: FakeVectorizeOptions) {
    if (options.dimensions < 1 || options.dimensions > LIMITS.maxDimensions)
      throw new Error(`dimensions must be 1..${LIMITS.maxDimensions}`)
    this.dimensions = options.dimensions
    this.metric = options.metric ?? 'cosine'
    this.metadataIndexes = { ...options.metadataIndexes }
    this.visibilityDelayMs = options.visibilityDelayMs ?? 25
    this.maxUpsertBatch = options.maxUpsertBatch ?? 1000
  }

  /** Applies the mutations whose delay has passed, in order. */
  private process(): void {
    const now = Date.now()
    while (this.pending.length > 0 && this.pending[0]!.at <= now) {
      const mutation = this.pending.shift()!
      mutation.apply()
      this.lastProcessed = mutation.id
    }
  }

  /** Applies every pending mutation now (tests). */
  settle(): void {
    for (const mutation of this.pending.splice(0)) {
      mutation.apply()
      this.lastProcessed = mutation.id
    }
  }

  get pendingMutations(): number {
    return this.pending.length
  }

  private enqueue(apply: () => void): { mutationId: string } {
    const mutationId = `00000000-0000-4000-8000-${String(++this.mutations).padStart(12, '0')}`
    this.pending.push({ at: Date.now() + this.visibilityDelayMs, id: mutationId, apply })
    return { mutationId }
  }

  async describe(): Promise<{ dimensions: number; vectorCount: number; processedUpToDatetime: number; processedUpToMutation: string }> {
    this.calls.push({ method: 'describe', size: 0 })
    this.process()
    return {
      dimensions: this.dimensions,
      vectorCount: this.vectors.size,
      processedUpToDatetime: Date.now(),
      processedUpToMutation: this.lastProcessed,
    }
  }

  private checkVector(values: ArrayLike<number>, kind: string, code: number, what: string): number[] {
    if (values.length !== this.dimensions) {
      throw new VectorizeError(kind, code, `${what}, expected ${this.dimensions} dimensions, and got ${values.length} dimensions`)
    }
    const out = Array.from(values)
    if (!out.every(Number.isFinite)) throw new VectorizeError(kind, code, `${what}: values must be finite numbers`)
    return out
  }

  private checkNamespace(namespace: string | undefined, kind: string): void {
    if (namespace !== undefined && bytes(namespace) > LIMITS.maxNamespaceBytes) {
      throw new VectorizeError(kind, 40024, `namespace exceeds the maximum length of ${LIMITS.maxNamespaceBytes} bytes`)
    }
  }

  private write(vectors: { id: string; values: ArrayLike<number>; namespace?: string; metadata?: Meta }[], insert: boolean) {
    const kind = insert ? 'VECTOR_INSERT_ERROR' : 'VECTOR_UPSERT_ERROR'
    this.calls.push({ method: insert ? 'insert' : 'upsert', size: vectors.length })
    if (vectors.length === 0) throw new VectorizeError(kind, 40001, 'no vectors given')
    if (vectors.length > this.maxUpsertBatch)
      throw new VectorizeError(kind, 40007, `too many vectors: at most ${this.maxUpsertBatch} per call`)
    const prepared: Stored[] = vectors.map((v) => {
      if (typeof v.id !== 'string' || v.id.length === 0 || bytes(v.id) > LIMITS.maxIdBytes) {
        throw new VectorizeError(kind, 40008, `invalid vector id "${v.id}": ids are 1 to ${LIMITS.maxIdBytes} bytes`)
      }
      const values = this.checkVector(v.values, kind, 40012, `invalid vector for id="${v.id}"`)
      this.checkNamespace(v.namespace, kind)
      if (v.metadata !== undefined && bytes(JSON.stringify(v.metadata)) > LIMITS.maxMetadataBytes) {
        throw new VectorizeError(kind, 40009, `metadata for id="${v.id}" exceeds the maximum size of ${LIMITS.maxMetadataBytes} bytes`)
      }
      return { id: v.id, namespace: v.namespace, values, metadata: v.metadata === undefined ? undefined : structuredClone(v.metadata) }
    })
    return this.enqueue(() => {
      for (const vector of prepared) if (!(insert && this.vectors.has(vector.id))) this.vectors.set(vector.id, vector)
    })
  }

  async insert(vectors: { id: string; values: ArrayLike<number>; namespace?: string; metadata?: Meta }[]) {
    return this.write(vectors, true)
  }

  async upsert(vectors: { id: string; values: ArrayLike<number>; namespace?: string; metadata?: Meta }[]) {
    return this.write(vectors, false)
  }

  async deleteByIds(ids: string[]) {
    this.calls.push({ method: 'deleteByIds', size: ids.length })
    const copy = [...ids]
    return this.enqueue(() => {
      for (const id of copy) this.vectors.delete(id)
    })
  }

  async getByIds(ids: string[]) {
    this.calls.push({ method: 'getByIds', size: ids.length })
    this.process()
    return ids.flatMap((id) => {
      const v = this.vectors.get(id)
      return v
        ? [
            {
              id: v.id,
              values: [...v.values],
              ...(v.namespace !== undefined ? { namespace: v.namespace } : {}),
              ...(v.metadata ? { metadata: structuredClone(v.metadata) } : {}),
            },
          ]
        : []
    })
  }

  /** The value a metadata index holds for a vector (undefined: not in the index). */
  private indexed(vector: Stored, field: string): string | number | boolean | undefined {
    const type = this.metadataIndexes[field]
    const value = vector.metadata?.[field]
    if (type === undefined || typeof value !== type) return undefined
    return typeof value === 'string' ? truncate(value) : (value as number | boolean)
  }

  private validateFilter(filter: Record<string, unknown>): void {
    if (bytes(JSON.stringify(filter)) > LIMITS.maxFilterBytes) {
      throw new VectorizeError('VECTOR_QUERY_ERROR', 40026, `filter exceeds the maximum size of ${LIMITS.maxFilterBytes} bytes`)
    }
    for (const [field, condition] of Object.entries(filter)) {
      if (field.startsWith('$') || field.length === 0)
        throw new VectorizeError('VECTOR_QUERY_ERROR', 40003, `invalid filter: invalid property "${field}"`)
      if (condition === null || typeof condition !== 'object') continue
      if (Array.isArray(condition))
        throw new VectorizeError('VECTOR_QUERY_ERROR', 40003, `invalid filter: "${field}" takes a value or an operator object`)
      for (const [op, operand] of Object.entries(condition)) {
        if (!['$eq', '$ne', '$in', '$nin', '$lt', '$lte', '$gt', '$gte'].includes(op)) {
          throw new VectorizeError('VECTOR_QUERY_ERROR', 40003, `invalid filter: unsupported operator "${op}"`)
        }
        if ((op === '$in' || op === '$nin') !== Array.isArray(operand)) {
          throw new VectorizeError(
            'VECTOR_QUERY_ERROR',
            40003,
            `invalid filter: "${op}" on "${field}" takes ${Array.isArray(operand) ? 'a value' : 'a list'}`,
          )
        }
      }
    }
  }

  private matches(vector: Stored, filter: Record<string, unknown>): boolean {
    for (const [field, condition] of Object.entries(filter)) {
      const ops: Record<string, unknown> =
        condition !== null && typeof condition === 'object' ? (condition as Record<string, unknown>) : { $eq: condition }
      const value = this.indexed(vector, field)
      for (const [op, rawOperand] of Object.entries(ops)) {
        const operand = typeof rawOperand === 'string' ? truncate(rawOperand) : rawOperand
        const list = Array.isArray(operand) ? operand.map((o) => (typeof o === 'string' ? truncate(o) : o)) : []
        let ok: boolean
        switch (op) {
          case '$eq':
            ok = value !== undefined && value === operand
            break
          case '$ne':
            ok = value === undefined || value !== operand
            break
          case '$in':
            ok = value !== undefined && list.includes(value)
            break
          case '$nin':
            ok = value === undefined || !list.includes(value)
            break
          default: {
            if (value === undefined || typeof value !== typeof operand || typeof value === 'boolean') {
              ok = false
              break
            }
            const c = value < (operand as string | number) ? -1 : value > (operand as string | number) ? 1 : 0
            ok = op === '$lt' ? c < 0 : op === '$lte' ? c <= 0 : op === '$gt' ? c > 0 : c >= 0
          }
        }
        if (!ok) return false
      }
    }
    return true
  }

  /** The raw score Vectorize reports, and whether lower is closer. */
  private score(query: number[], values: number[]): number {
    if (this.metric === 'cosine') {
      const d = Math.sqrt(dot(query, query)) * Math.sqrt(dot(values, values))
      return d === 0 ? 0 : dot(query, values) / d
    }
    if (this.metric === 'euclidean') return Math.sqrt(query.reduce((sum, x, i) => sum + (x - values[i]!) ** 2, 0))
    return -dot(query, values)
  }

  async query(
    vector: ArrayLike<number>,
    options: {
      topK?: number
      namespace?: string
      returnValues?: boolean
      returnMetadata?: boolean | 'all' | 'indexed' | 'none'
      filter?: Record<string, unknown>
    } = {},
  ): Promise<{ matches: { id: string; score: number; values?: number[]; namespace?: string; metadata?: Meta }[]; count: number }> {
    this.calls.push({ method: 'query', size: options.topK ?? 5 })
    const query = this.checkVector(vector, 'VECTOR_QUERY_ERROR', 40006, 'invalid query vector')
    const topK = options.topK ?? 5
    const level =
      options.returnMetadata === true
        ? 'all'
        : options.returnMetadata === false || options.returnMetadata === undefined
          ? 'none'
          : options.returnMetadata
    const withData = options.returnValues === true || level === 'all'
    if (!Number.isInteger(topK) || topK < 1 || topK > LIMITS.maxTopK) {
      throw new VectorizeError('VECTOR_QUERY_ERROR', 40025, `topK must be between 1 and ${LIMITS.maxTopK}, got ${topK}`)
    }
    if (withData && topK > LIMITS.maxTopKWithData) {
      throw new VectorizeError(
        'VECTOR_QUERY_ERROR',
        40025,
        `topK must be less than or equal to ${LIMITS.maxTopKWithData} when returnValues is true or returnMetadata is "all", got ${topK}`,
      )
    }
    this.checkNamespace(options.namespace, 'VECTOR_QUERY_ERROR')
    if (options.filter) this.validateFilter(options.filter)
    this.process()
    const closerIsHigher = this.metric === 'cosine'
    const scored = [...this.vectors.values()]
      .filter((v) => options.namespace === undefined || v.namespace === options.namespace)
      .filter((v) => !options.filter || this.matches(v, options.filter))
      .map((v) => ({ v, score: this.score(query, v.values) }))
      .sort((a, b) => (closerIsHigher ? b.score - a.score : a.score - b.score) || (a.v.id < b.v.id ? -1 : 1))
      .slice(0, topK)
    const matches = scored.map(({ v, score }) => {
      const match: { id: string; score: number; values?: number[]; namespace?: string; metadata?: Meta } = { id: v.id, score }
      if (v.namespace !== undefined) match.namespace = v.namespace
      if (options.returnValues) match.values = [...v.values]
      if (level === 'all' && v.metadata) match.metadata = structuredClone(v.metadata)
      if (level === 'indexed' && v.metadata) {
        const indexed: Meta = {}
        for (const field of Object.keys(this.metadataIndexes)) {
          const value = this.indexed(v, field)
          if (value !== undefined) indexed[field] = value
        }
        match.metadata = indexed
      }
      return match
    })
    return { matches, count: matches.length }
  }

  async queryById(id: string, options: Parameters<FakeVectorizeIndex['query']>[1] = {}) {
    this.process()
    const vector = this.vectors.get(id)
    if (!vector) throw new VectorizeError('VECTOR_QUERY_ERROR', 40027, `vector with id "${id}" not found`)
    return this.query(vector.values, options)
  }
}
