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
import { type SigV4Expectation, verifySigV4 } from './aws-sigv4.ts'

/**
 * A local Amazon S3 Vectors server (API 2025-07-15) after the AWS API reference: every operation is
 * `POST /<Operation>` with a JSON body, signed with SigV4 for service `s3vectors` (verified, aws-sigv4.ts);
 * errors are `{message}` with the `x-amzn-ErrorType` header (ValidationException 400, AccessDenied 403,
 * NotFound 404, Conflict 409, TooManyRequests 429, ServiceUnavailable 503); indexes with dimension
 * 1..4096, `cosine`/`euclidean` and non-filterable metadata keys (at most 10), at most 50 metadata keys per vector; PutVectors ≤ 500 vectors,
 * GetVectors ≤ 100 keys, DeleteVectors ≤ 500, ListVectors `maxResults` ≤ 1000 with `nextToken`,
 * QueryVectors `topK` 1..100 with results paged by `nextToken`; keys of 1..1024 characters; filterable
 * metadata ≤ 2 KB and all metadata ≤ 40 KB per vector; the JSON filter language. The docs leave `$ne` /
 * `$nin` on lists and on missing keys open: `negation` picks a reading so tests can run under each.
 */

export interface S3VectorsServerOptions {
  credentials: SigV4Expectation
  buckets?: string[]
  /** `no-element` (default): `$ne`/`$nin` on a list hold when no element matches; `some-differs`: when some element differs. */
  negation?: 'no-element' | 'some-differs'
  /** Whether `$ne`/`$nin` match a vector without the key (default true). */
  negationMatchesMissing?: boolean
  /** QueryVectors page size (results beyond it come with a nextToken). */
  queryPageSize?: number
}

type Meta = string | number | boolean | (string | number | boolean)[]
interface StoredVector {
  key: string
  data: number[]
  metadata: Record<string, Meta>
}
interface Index {
  dimension: number
  distanceMetric: 'cosine' | 'euclidean'
  nonFilterable: string[]
  creationTime: number
  vectors: Map<string, StoredVector>
}

export interface FakeS3Vectors {
  server: FakeHttpServer
  url: string
  credentials: SigV4Expectation
  indexes: Map<string, Index>
  close(): Promise<void>
}

class S3Error extends Error {
  readonly status: number
  readonly code: string
  constructor(status: number, code: string, message: string) {
    super(message)
    this.status = status
    this.code = code
  }
}
const invalid = (message: string) => new S3Error(400, 'ValidationException', message)

const NAME = /^[a-z0-9](?:[a-z0-9.-]{1,61}[a-z0-9])$/
const BUCKET = /^[a-z0-9](?:[a-z0-9-]{1,61}[a-z0-9])$/
const OPERATORS = ['$eq', '$ne', '$gt', '$gte', '$lt', '$lte', '$in', '$nin', '$exists']
const bytes = (value: unknown) => Buffer.byteLength(JSON.stringify(value))

type Scalar = string | number | boolean
const isScalar = (v: unknown): v is Scalar => typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean'

export function validateS3Filter(filter: unknown, nonFilterable: string[]): void {
  if (!isPlainObject(filter)) throw invalid('Invalid filter: expected an object')
  for (const [key, value] of Object.entries(filter)) {
    if (key === '$and' || key === '$or') {
      if (!Array.isArray(value) || value.length === 0) throw invalid(`Invalid filter: ${key} expects a non-empty array`)
      for (const part of value) validateS3Filter(part, nonFilterable)
      continue
    }
    if (key.startsWith('$')) throw invalid(`Invalid filter: unsupported operator ${key}`)
    if (nonFilterable.includes(key)) throw invalid(`Invalid filter: metadata key ${key} is not filterable`)
    if (isScalar(value)) continue
    if (!isPlainObject(value)) throw invalid(`Invalid filter value for ${key}`)
    for (const [op, operand] of Object.entries(value)) {
      if (!OPERATORS.includes(op)) throw invalid(`Invalid filter: unsupported operator ${op}`)
      if ((op === '$in' || op === '$nin') && !(Array.isArray(operand) && operand.length > 0 && operand.every(isScalar)))
        throw invalid(`Invalid filter: ${op} expects a non-empty array of strings, numbers or booleans`)
      if (['$gt', '$gte', '$lt', '$lte'].includes(op) && typeof operand !== 'number')
        throw invalid(`Invalid filter: ${op} expects a number`)
      if ((op === '$eq' || op === '$ne') && !isScalar(operand)) throw invalid(`Invalid filter: ${op} expects a string, number or boolean`)
      if (op === '$exists' && typeof operand !== 'boolean') throw invalid('Invalid filter: $exists expects a boolean')
    }
  }
}

export function matchesS3Filter(
  filter: Record<string, unknown>,
  metadata: Record<string, Meta>,
  semantics: Pick<S3VectorsServerOptions, 'negation' | 'negationMatchesMissing'> = {},
): boolean {
  const negation = semantics.negation ?? 'no-element'
  const missingMatches = semantics.negationMatchesMissing ?? true
  const test = (value: Meta | undefined, op: string, operand: unknown): boolean => {
    if (op === '$exists') return (value !== undefined) === operand
    if (value === undefined) return (op === '$ne' || op === '$nin') && missingMatches
    const elements = Array.isArray(value) ? value : [value]
    const equal = (e: Scalar) => (op === '$in' || op === '$nin' ? (operand as Scalar[]).includes(e) : e === operand)
    switch (op) {
      case '$eq':
      case '$in':
        return elements.some(equal)
      case '$ne':
      case '$nin':
        return negation === 'no-element' || !Array.isArray(value) ? !elements.some(equal) : elements.some((e) => !equal(e))
      default: {
        const n = operand as number
        return elements.some(
          (e) => typeof e === 'number' && (op === '$gt' ? e > n : op === '$gte' ? e >= n : op === '$lt' ? e < n : e <= n),
        )
      }
    }
  }
  for (const [key, condition] of Object.entries(filter)) {
    if (key === '$and' && !(condition as Record<string, unknown>[]).every((f) => matchesS3Filter(f, metadata, semantics))) return false
    if (key === '$or' && !(condition as Record<string, unknown>[]).some((f) => matchesS3Filter(f, metadata, semantics))) return false
    if (key.startsWith('$')) continue
    const ops = isScalar(condition) ? { $eq: condition } : (condition as Record<string, unknown>)
    for (const [op, operand] of Object.entries(ops)) if (!test(metadata[key], op, operand)) return false
  }
  return true
}

export async function startS3VectorsServer(options: S3VectorsServerOptions): Promise<FakeS3Vectors> {
  const buckets = new Set(options.buckets ?? ['edgemem-test'])
  const indexes = new Map<string, Index>()
  const pageSize = options.queryPageSize ?? 100
  const id = (bucket: string, index: string) => `${bucket}/${index}`

  const fail = (err: S3Error): FakeResponse => ({
    status: err.status,
    headers: { 'x-amzn-ErrorType': err.code },
    body: { message: err.message },
  })

  const bucketOf = (body: Record<string, unknown>): string => {
    const bucket = body.vectorBucketName
    if (typeof bucket !== 'string' || !BUCKET.test(bucket))
      throw invalid("1 validation error detected: Value at 'vectorBucketName' failed to satisfy constraint")
    if (!buckets.has(bucket)) throw new S3Error(404, 'NotFoundException', 'The specified vector bucket could not be found')
    return bucket
  }
  const indexOf = (body: Record<string, unknown>): Index => {
    const bucket = bucketOf(body)
    const found = indexes.get(id(bucket, String(body.indexName)))
    if (!found) throw new S3Error(404, 'NotFoundException', 'The specified index could not be found')
    return found
  }
  const checkData = (ix: Index, data: unknown, what: string): number[] => {
    const values = isPlainObject(data) ? data.float32 : undefined
    if (!Array.isArray(values) || !values.every((v) => typeof v === 'number' && Number.isFinite(v)))
      throw invalid(`${what}: expected float32 data`)
    if (values.length !== ix.dimension)
      throw invalid(`${what}: Invalid vector dimension ${values.length}; the index dimension is ${ix.dimension}`)
    return values as number[]
  }
  const checkMetadata = (ix: Index, metadata: unknown, key: string): Record<string, Meta> => {
    if (metadata === undefined) return {}
    if (!isPlainObject(metadata)) throw invalid(`Invalid metadata for vector ${key}`)
    for (const value of Object.values(metadata)) {
      if (!(isScalar(value) || (Array.isArray(value) && value.every(isScalar))))
        throw invalid(`Invalid metadata for vector ${key}: unsupported value type`)
    }
    if (Object.keys(metadata).length > 50) throw invalid(`At most 50 metadata keys are allowed per vector (vector ${key})`)
    const filterable = Object.fromEntries(Object.entries(metadata).filter(([k]) => !ix.nonFilterable.includes(k)))
    if (bytes(filterable) > 2048) throw invalid(`Filterable metadata must have at most 2048 bytes (vector ${key})`)
    if (bytes(metadata) > 40 * 1024) throw invalid(`Total metadata must have at most 40960 bytes (vector ${key})`)
    return clone(metadata) as Record<string, Meta>
  }
  const sortedKeys = (ix: Index) => [...ix.vectors.keys()].sort()
  const output = (v: StoredVector, withData: unknown, withMetadata: unknown, extra: Record<string, unknown> = {}) => ({
    key: v.key,
    ...(withData === true ? { data: { float32: v.data.slice() } } : {}),
    ...(withMetadata === true ? { metadata: clone(v.metadata) } : {}),
    ...extra,
  })
  const token = (offset: number, fingerprint: string) => Buffer.from(JSON.stringify({ offset, fingerprint })).toString('base64url')
  const readToken = (value: unknown, fingerprint: string): number => {
    if (value === undefined) return 0
    try {
      const parsed = JSON.parse(Buffer.from(String(value), 'base64url').toString()) as { offset: number; fingerprint: string }
      if (parsed.fingerprint === fingerprint && Number.isInteger(parsed.offset)) return parsed.offset
    } catch {}
    throw invalid('The provided nextToken is not valid')
  }

  const operations: Record<string, (body: Record<string, unknown>) => unknown> = {
    CreateIndex: (body) => {
      const bucket = bucketOf(body)
      const name = body.indexName
      if (typeof name !== 'string' || !NAME.test(name))
        throw invalid("1 validation error detected: Value at 'indexName' failed to satisfy constraint")
      if (body.dataType !== 'float32') throw invalid("Value at 'dataType' must be float32")
      if (!Number.isInteger(body.dimension) || (body.dimension as number) < 1 || (body.dimension as number) > 4096)
        throw invalid("Value at 'dimension' must be between 1 and 4096")
      if (body.distanceMetric !== 'cosine' && body.distanceMetric !== 'euclidean')
        throw invalid("Value at 'distanceMetric' must be cosine or euclidean")
      const nonFilterable = (
        (body.metadataConfiguration as { nonFilterableMetadataKeys?: string[] } | undefined)?.nonFilterableMetadataKeys ?? []
      ).slice()
      if (nonFilterable.length > 10) throw invalid('At most 10 non-filterable metadata keys are allowed')
      if (indexes.has(id(bucket, name))) throw new S3Error(409, 'ConflictException', 'An index with the specified name already exists')
      indexes.set(id(bucket, name), {
        dimension: body.dimension as number,
        distanceMetric: body.distanceMetric,
        nonFilterable,
        creationTime: Date.now() / 1000,
        vectors: new Map(),
      })
      return {}
    },
    GetIndex: (body) => {
      const ix = indexOf(body)
      return {
        index: {
          vectorBucketName: body.vectorBucketName,
          indexName: body.indexName,
          indexArn: `arn:aws:s3vectors:${options.credentials.region}:123456789012:bucket/${body.vectorBucketName}/index/${body.indexName}`,
          creationTime: ix.creationTime,
          dataType: 'float32',
          dimension: ix.dimension,
          distanceMetric: ix.distanceMetric,
          metadataConfiguration: { nonFilterableMetadataKeys: ix.nonFilterable.slice() },
        },
      }
    },
    DeleteIndex: (body) => {
      indexOf(body)
      indexes.delete(id(bucketOf(body), String(body.indexName)))
      return {}
    },
    PutVectors: (body) => {
      const ix = indexOf(body)
      const vectors = body.vectors
      if (!Array.isArray(vectors) || vectors.length < 1 || vectors.length > 500)
        throw invalid("Value at 'vectors' must have between 1 and 500 items")
      const staged = vectors.map((v: Record<string, unknown>) => {
        const key = v.key
        if (typeof key !== 'string' || key.length < 1 || key.length > 1024)
          throw invalid("Value at 'vectors.key' must have length between 1 and 1024")
        return { key, data: checkData(ix, v.data, `Vector ${key}`), metadata: checkMetadata(ix, v.metadata, key) }
      })
      for (const v of staged) ix.vectors.set(v.key, v)
      return {}
    },
    GetVectors: (body) => {
      const ix = indexOf(body)
      const keys = body.keys
      if (!Array.isArray(keys) || keys.length < 1 || keys.length > 100) throw invalid("Value at 'keys' must have between 1 and 100 items")
      return { vectors: keys.flatMap((k) => (ix.vectors.has(k) ? [output(ix.vectors.get(k)!, body.returnData, body.returnMetadata)] : [])) }
    },
    DeleteVectors: (body) => {
      const ix = indexOf(body)
      const keys = body.keys
      if (!Array.isArray(keys) || keys.length < 1 || keys.length > 500) throw invalid("Value at 'keys' must have between 1 and 500 items")
      for (const k of keys) ix.vectors.delete(k)
      return {}
    },
    ListVectors: (body) => {
      const ix = indexOf(body)
      const max = body.maxResults ?? 500
      if (!Number.isInteger(max) || (max as number) < 1 || (max as number) > 1000)
        throw invalid("Value at 'maxResults' must be between 1 and 1000")
      const keys = sortedKeys(ix)
      const start = readToken(body.nextToken, 'list')
      const page = keys.slice(start, start + (max as number))
      const next = start + page.length
      return {
        vectors: page.map((k) => output(ix.vectors.get(k)!, body.returnData, body.returnMetadata)),
        ...(next < keys.length ? { nextToken: token(next, 'list') } : {}),
      }
    },
    QueryVectors: (body) => {
      const ix = indexOf(body)
      const topK = body.topK
      if (!Number.isInteger(topK) || (topK as number) < 1 || (topK as number) > 100)
        throw invalid("Value at 'topK' must be between 1 and 100")
      const query = checkData(ix, body.queryVector, 'Query vector')
      if (body.filter !== undefined) validateS3Filter(body.filter, ix.nonFilterable)
      const filter = body.filter as Record<string, unknown> | undefined
      const distance = (v: number[]) =>
        ix.distanceMetric === 'cosine' ? 1 - dotProduct(normalized(query), normalized(v)) : Math.sqrt(squaredL2(query, v))
      const ranked = [...ix.vectors.values()]
        .filter((v) => !filter || matchesS3Filter(filter, v.metadata, options))
        .map((v) => ({ v, d: distance(v.data) }))
        .sort((a, b) => a.d - b.d)
        .slice(0, topK as number)
      const fingerprint = `q${JSON.stringify([body.queryVector, body.filter, topK])}`.slice(0, 200)
      const start = readToken(body.nextToken, fingerprint)
      const page = ranked.slice(start, start + pageSize)
      const next = start + page.length
      return {
        vectors: page.map(({ v, d }) => output(v, false, body.returnMetadata, body.returnDistance === true ? { distance: d } : {})),
        distanceMetric: ix.distanceMetric,
        ...(next < ranked.length ? { nextToken: token(next, fingerprint) } : {}),
      }
    },
  }

  const handle = (req: FakeRequest): FakeResponse => {
    const signed = verifySigV4(req, options.credentials)
    if (!signed.ok) return fail(new S3Error(signed.status, signed.code, signed.message))
    const operation = operations[req.path.slice(1)]
    if (req.method !== 'POST' || !operation)
      return fail(new S3Error(404, 'UnknownOperationException', `Unknown operation ${req.method} ${req.path}`))
    const parsed = parseJsonBody(req.bodyText)
    if (!parsed.ok || !isPlainObject(parsed.value)) return fail(invalid('Request body must be a JSON object'))
    try {
      return { status: 200, body: operation(parsed.value) }
    } catch (err) {
      if (err instanceof S3Error) return fail(err)
      throw err
    }
  }

  const server = await startFakeServer(handle, () => indexes.clear())
  return { server, url: server.url, credentials: options.credentials, indexes, close: () => server.close() }
}
