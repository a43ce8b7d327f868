import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createNeptuneAnalyticsVectorStore } from '../../adapters/neptune-analytics.ts'
import { compileNeptuneFilter, encodeEntries, SEPARATOR } from '../../adapters/neptune-analytics/filter.ts'
import { ConfigError, DimensionMismatchError, RemoteError } from '../../src/errors.ts'
import { eq, MATCH_ALL } from '../../src/filters/ast.ts'
import { signAwsRequest } from '../../src/provider-utils/aws-sigv4.ts'
import { startNeptuneServer, type FakeNeptune } from '../servers/neptune-analytics.ts'
import { uniqueCollection } from './support/fixtures.ts'

// The fake's ExecuteQuery checks and what the adapter sends: parameterised openCypher, SigV4 for
// neptune-graph, the graph's dimension from the control plane.

const AWS = { region: 'us-east-1', accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'neptune-secret' }
const GRAPH = 'g-abcdef0123'
let fake: FakeNeptune
const transport = { retryBaseDelayMs: 1, timeoutMs: 5_000 }
const store = (collection = uniqueCollection('n'), extra: Record<string, unknown> = {}) =>
  createNeptuneAnalyticsVectorStore(
    { endpoint: fake.url, controlEndpoint: fake.url, graphId: GRAPH, ...AWS, ...transport, ...extra },
    { collection },
  )

beforeAll(async () => {
  fake = await startNeptuneServer({ credentials: { ...AWS, service: 'neptune-graph' }, graphId: GRAPH, dimension: 3 })
})
afterAll(async () => {
  await fake?.close()
})

describe('fake Neptune Analytics', () => {
  const execute = async (query: string, parameters: Record<string, unknown> = {}) => {
    const url = `${fake.url}/queries`
    const body = JSON.stringify({ query, language: 'OPEN_CYPHER', parameters })
    const headers = await signAwsRequest(
      { method: 'POST', url, headers: { 'content-type': 'application/json', graphIdentifier: GRAPH }, body },
      { ...AWS, service: 'neptune-graph' },
    )
    return fetch(url, { method: 'POST', headers, body })
  }

  it('refuses literal strings, unknown statements and unsigned requests', async () => {
    const literal = await execute("MATCH (n:EdgememRecord) WHERE n.em_ns = 'x' DETACH DELETE n")
    expect(literal.status).toBe(400)
    expect(((await literal.json()) as { message: string }).message).toMatch(/parameters/)
    expect((await execute('MATCH (n) RETURN n')).status).toBe(400)
    expect((await execute('MATCH (n:EdgememRecord) WHERE n.em_ns = $ns DETACH DELETE n', { ns: 'x' })).status).toBe(200)
    expect((await fetch(`${fake.url}/queries`, { method: 'POST', body: '{}' })).status).toBe(403)
  })
})

describe('Neptune Analytics adapter', () => {
  it('reads the dimension from the control plane and sends every value as a parameter', async () => {
    const s = store()
    await s.init({})
    expect(s.dimensions).toBe(3)
    await expect(s.init({ dimensions: 4 })).rejects.toBeInstanceOf(DimensionMismatchError)
    const start = fake.server.requests.length
    await s.upsert([{ id: "it's", vector: Float32Array.from([3, 4, 0]), payload: { user_id: "o'brien", note: 'x"y' } }])
    await s.search({ vector: Float32Array.from([1, 0, 0]), topK: 2, filter: eq('user_id', "o'brien"), scope: {} })
    await s.list({ filter: eq('note', 'x"y'), scope: {}, limit: 5 })
    const queries = fake.server.requests.slice(start).map((r) => JSON.parse(r.body) as { query: string; language: string })
    expect(queries.length).toBeGreaterThanOrEqual(3)
    for (const q of queries) {
      expect(q.language).toBe('OPEN_CYPHER')
      expect(q.query).not.toMatch(/['"]/)
    }
    const [record] = await s.get(["it's"], { includeVectors: true })
    expect(record?.payload).toEqual({ user_id: "o'brien", note: 'x"y' })
    // Stored as a unit vector (Neptune ranks by L2 distance, which then orders like cosine).
    expect(Array.from(record!.vector!)).toEqual([expect.closeTo(0.6, 6), expect.closeTo(0.8, 6), 0])
  })

  it('asks for more candidates when other collections fill the nearest k, and scores with cosine similarity', async () => {
    const crowd = store()
    await crowd.upsert(Array.from({ length: 30 }, (_, i) => ({ id: `c${i}`, vector: Float32Array.from([1, 0.01 * i, 0]), payload: {} })))
    const mine = store()
    await mine.upsert([{ id: 'far', vector: Float32Array.from([0, 1, 0]), payload: { user_id: 'u' } }])
    const hits = await mine.search({ vector: Float32Array.from([1, 0, 0]), topK: 1, filter: MATCH_ALL, scope: {} })
    expect(hits.map((h) => h.id)).toEqual(['far'])
    expect(hits[0]!.score).toBeCloseTo(0, 6)
  })

  it('compiles membership tests to CONTAINS over separator-enclosed entries, hashing entries that hold the separator', () => {
    const compiled = compileNeptuneFilter({ op: 'not', child: eq('color', 'red') })
    expect(compiled).toMatchObject({
      where: 'NOT (n.em_kv CONTAINS $f0)',
      exact: true,
      params: { f0: `${SEPARATOR}s5:color=red${SEPARATOR}` },
    })
    const { kv } = encodeEntries({ odd: `a${SEPARATOR}b`, color: 'red' })
    expect(kv.startsWith(SEPARATOR) && kv.endsWith(SEPARATOR)).toBe(true)
    expect(kv.split(SEPARATOR).filter(Boolean)).toEqual([expect.stringMatching(/^h#[0-9a-f]{32}$/), 's5:color=red'])
  })

  it('keeps AWS messages and refuses a graph without vector search', async () => {
    const wrongGraph = createNeptuneAnalyticsVectorStore(
      { endpoint: fake.url, controlEndpoint: fake.url, graphId: 'g-zzzzzzzzzz', ...AWS, maxRetries: 0 },
      { collection: 'x' },
    )
    const error = (await wrongGraph.init({}).catch((e: unknown) => e)) as RemoteError
    expect(error).toBeInstanceOf(RemoteError)
    expect(error.status).toBe(404)
    expect(error.serviceMessage).toMatch(/not found/)
    const noVectors = await startNeptuneServer({ credentials: { ...AWS, service: 'neptune-graph' }, graphId: GRAPH, dimension: 3 })
    noVectors.server.injectFault({ kind: 'status', status: 200, body: { id: GRAPH, status: 'AVAILABLE' } })
    const s = createNeptuneAnalyticsVectorStore(
      { endpoint: noVectors.url, controlEndpoint: noVectors.url, graphId: GRAPH, ...AWS },
      { collection: 'x' },
    )
    await expect(s.init({})).rejects.toBeInstanceOf(ConfigError)
    await noVectors.close()
  })
})
