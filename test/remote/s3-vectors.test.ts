import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createS3VectorsVectorStore } from '../../adapters/s3-vectors.ts'
import { indexNameFor } from '../../adapters/s3-vectors/store.ts'
import { ConfigError, RemoteError } from '../../src/errors.ts'
import { MATCH_ALL } from '../../src/filters/ast.ts'
import { signAwsRequest } from '../../src/provider-utils/aws-sigv4.ts'
import { randomVector, seeded } from '../conformance/vector-store.ts'
import { startS3VectorsServer, type FakeS3Vectors } from '../servers/s3-vectors.ts'
import { uniqueCollection } from './support/fixtures.ts'

// The fake's SigV4 check and documented answers, and what the adapter does with them.

const AWS = { region: 'us-east-1', accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret-key' }
let fake: FakeS3Vectors
const transport = { retryBaseDelayMs: 1, timeoutMs: 5_000 }
const store = (collection = uniqueCollection('s'), extra: Record<string, unknown> = {}) =>
  createS3VectorsVectorStore({ endpoint: fake.url, vectorBucketName: 'edgemem-test', ...AWS, ...transport, ...extra }, { collection })

beforeAll(async () => {
  fake = await startS3VectorsServer({ credentials: { ...AWS, service: 's3vectors' }, queryPageSize: 3 })
})
afterAll(async () => {
  await fake?.close()
})

describe('fake S3 Vectors', () => {
  const post = async (operation: string, body: unknown, scope = { ...AWS, service: 's3vectors' }) => {
    const url = `${fake.url}/${operation}`
    const text = JSON.stringify(body)
    const headers = await signAwsRequest({ method: 'POST', url, headers: { 'content-type': 'application/json' }, body: text }, scope)
    return fetch(url, { method: 'POST', headers, body: text })
  }

  it('verifies the signature: unsigned, wrong secret, wrong service or region are 403 with the error type header', async () => {
    const unsigned = await fetch(`${fake.url}/GetIndex`, { method: 'POST', body: '{}' })
    expect(unsigned.status).toBe(403)
    expect(unsigned.headers.get('x-amzn-ErrorType')).toBe('MissingAuthenticationTokenException')
    const wrongSecret = await post(
      'GetIndex',
      { vectorBucketName: 'edgemem-test', indexName: 'x' },
      { ...AWS, secretAccessKey: 'nope', service: 's3vectors' },
    )
    expect(wrongSecret.status).toBe(403)
    expect(((await wrongSecret.json()) as { message: string }).message).toMatch(/signature we calculated does not match/)
    expect((await post('GetIndex', {}, { ...AWS, service: 's3' })).status).toBe(403)
    expect((await post('GetIndex', {}, { ...AWS, region: 'eu-west-1', service: 's3vectors' })).status).toBe(403)
    const missing = await post('GetIndex', { vectorBucketName: 'edgemem-test', indexName: 'nothing-here' })
    expect(missing.status).toBe(404)
    expect(missing.headers.get('x-amzn-ErrorType')).toBe('NotFoundException')
  })

  it('enforces the documented limits: topK 1..100, 500 vectors per put, 2 KB of filterable metadata', async () => {
    await post('CreateIndex', {
      vectorBucketName: 'edgemem-test',
      indexName: 'limits',
      dataType: 'float32',
      dimension: 2,
      distanceMetric: 'cosine',
    })
    const query = await post('QueryVectors', {
      vectorBucketName: 'edgemem-test',
      indexName: 'limits',
      topK: 101,
      queryVector: { float32: [1, 0] },
    })
    expect(query.status).toBe(400)
    expect(query.headers.get('x-amzn-ErrorType')).toBe('ValidationException')
    const many = Array.from({ length: 501 }, (_, i) => ({ key: `k${i}`, data: { float32: [1, 0] } }))
    expect((await post('PutVectors', { vectorBucketName: 'edgemem-test', indexName: 'limits', vectors: many })).status).toBe(400)
    const big = [{ key: 'big', data: { float32: [1, 0] }, metadata: { note: 'x'.repeat(2100) } }]
    expect((await post('PutVectors', { vectorBucketName: 'edgemem-test', indexName: 'limits', vectors: big })).status).toBe(400)
  })
})

describe('S3 Vectors adapter', () => {
  it('names one index per Memory collection, hashing names that are not valid index names', () => {
    expect(indexNameFor('edgemem', 'support-bot')).toBe('edgemem-support-bot')
    expect(indexNameFor('edgemem', 'Support Bot')).toMatch(/^edgemem--[0-9a-f]{24}$/)
    expect(indexNameFor('edgemem', 'a--b')).toMatch(/^edgemem--/)
    expect(indexNameFor('edgemem', 'x'.repeat(60))).toMatch(/^edgemem--/)
  })

  it('follows QueryVectors nextToken pages and reports cosine similarity', async () => {
    const s = store()
    const random = seeded(9)
    const records = Array.from({ length: 10 }, (_, i) => ({ id: `r${i}`, vector: randomVector(random, 4), payload: { i } }))
    await s.upsert(records)
    const hits = await s.search({ vector: records[4]!.vector, topK: 8, filter: MATCH_ALL, scope: {} })
    expect(hits).toHaveLength(8)
    expect(hits[0]!.id).toBe('r4')
    expect(hits[0]!.score).toBeCloseTo(1, 6)
    const queries = fake.server.requests.filter((r) => r.path === '/QueryVectors' && r.body.includes('nextToken'))
    expect(queries.length).toBeGreaterThan(0)
  })

  it('stores the payload as non-filterable JSON and keeps nulls, arrays and objects', async () => {
    const s = store()
    const payload = { user_id: 'u', note: null, tags: ['a', 1, true], nested: { k: [1, { z: 2 }] }, memory: 'm'.repeat(5000) }
    await s.upsert([{ id: 'p', vector: Float32Array.from([1, 0, 0]), payload }])
    expect((await s.get(['p']))[0]?.payload).toEqual(payload)
    const index = fake.indexes.get(`edgemem-test/${(s as unknown as { index: string }).index}`)!
    expect(index.nonFilterable).toEqual(['em_payload'])
  })

  it('signs with the session token, surfaces AWS messages, and refuses indexes it did not create', async () => {
    const wrong = createS3VectorsVectorStore(
      { endpoint: fake.url, vectorBucketName: 'edgemem-test', ...AWS, secretAccessKey: 'other', maxRetries: 0 },
      { collection: 'x' },
    )
    const error = (await wrong.init({}).catch((e: unknown) => e)) as RemoteError
    expect(error).toBeInstanceOf(RemoteError)
    expect(error.status).toBe(403)
    expect(error.serviceMessage).toMatch(/signature/)
    const noBucket = createS3VectorsVectorStore(
      { endpoint: fake.url, vectorBucketName: 'missing-bucket', ...AWS, maxRetries: 0 },
      { collection: 'x' },
    )
    await expect(noBucket.init({ dimensions: 3 })).rejects.toMatchObject({
      status: 404,
      serviceMessage: 'The specified vector bucket could not be found',
    })

    const foreign = store('foreign')
    const url = `${fake.url}/CreateIndex`
    const body = JSON.stringify({
      vectorBucketName: 'edgemem-test',
      indexName: 'edgemem-foreign',
      dataType: 'float32',
      dimension: 3,
      distanceMetric: 'cosine',
    })
    const headers = await signAwsRequest({ method: 'POST', url, body }, { ...AWS, service: 's3vectors' })
    expect((await fetch(url, { method: 'POST', headers, body })).status).toBe(200)
    await expect(foreign.init({})).rejects.toBeInstanceOf(ConfigError)
  })

  it('retries 503 and TooManyRequests, every attempt signed', async () => {
    const s = store()
    await s.init({ dimensions: 2 })
    fake.server.injectFault({
      kind: 'status',
      status: 503,
      body: { message: 'Service unavailable' },
      headers: { 'x-amzn-ErrorType': 'ServiceUnavailableException' },
    })
    fake.server.injectFault({
      kind: 'status',
      status: 429,
      body: { message: 'Rate exceeded' },
      headers: { 'x-amzn-ErrorType': 'TooManyRequestsException' },
    })
    const start = fake.server.requests.length
    await s.upsert([{ id: 'a', vector: Float32Array.from([1, 0]), payload: {} }])
    const attempts = fake.server.requests.slice(start)
    expect(attempts.map((r) => r.status)).toEqual([503, 429, 200])
    expect(attempts.every((r) => r.headers.authorization?.startsWith('AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/'))).toBe(true)
  })
})
