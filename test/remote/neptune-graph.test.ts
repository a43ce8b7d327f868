import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createNeptuneGraphStore } from '../../adapters/neptune.ts'
import { createNeptuneAnalyticsGraphStore, createNeptuneAnalyticsVectorStore } from '../../adapters/neptune-analytics.ts'
import { ConfigError, RemoteError } from '../../src/errors.ts'
import { describeGraphStoreConformance } from '../conformance/graph-store.ts'
import { KNOWN_STATEMENTS } from '../servers/cypher-graph.ts'
import { startNeptuneServer, type FakeNeptune } from '../servers/neptune-analytics.ts'
import { startNeptuneDatabaseServer, type FakeNeptuneDatabase } from '../servers/neptune-database.ts'
import { uniqueCollection } from './support/fixtures.ts'

// The neptune (Neptune Database) and neptune-analytics graph stores against fakes of their wire
// protocols: openCypher over HTTPS, SigV4 (verified by the fakes), their error envelopes.

const AWS = { region: 'eu-west-1', accessKeyId: 'AKIDNEPTUNE', secretAccessKey: 'neptune-db-secret', sessionToken: 'neptune-session' }
const GRAPH = 'g-graphmem01'
const transport = { retryBaseDelayMs: 1, timeoutMs: 5_000 }
let database: FakeNeptuneDatabase
let open: FakeNeptuneDatabase
let analytics: FakeNeptune

const neptune = (collection = uniqueCollection('g'), extra: Record<string, unknown> = {}) =>
  createNeptuneGraphStore({ endpoint: database.url, ...AWS, ...transport, ...extra }, { collection })
const neptuneAnalytics = (collection = uniqueCollection('g')) =>
  createNeptuneAnalyticsGraphStore({ endpoint: analytics.url, graphId: GRAPH, ...AWS, ...transport }, { collection })

beforeAll(async () => {
  database = await startNeptuneDatabaseServer({ credentials: { ...AWS, service: 'neptune-db' } })
  open = await startNeptuneDatabaseServer()
  analytics = await startNeptuneServer({ credentials: { ...AWS, service: 'neptune-graph' }, graphId: GRAPH, dimension: 3 })
})
afterAll(async () => {
  await database?.close()
  await open?.close()
  await analytics?.close()
})

describeGraphStoreConformance('neptune (fake Neptune Database, IAM auth)', async () => {
  const collection = uniqueCollection('g')
  return { store: neptune(collection), reopen: async () => neptune(collection) }
})

describeGraphStoreConformance('neptune-analytics (fake Neptune Analytics)', async () => {
  const collection = uniqueCollection('g')
  return { store: neptuneAnalytics(collection), reopen: async () => neptuneAnalytics(collection) }
})

const rel = { source: 'Alice', relationship: 'lives in', target: 'Lyon', memoryIds: ['m1'], validFrom: '2026-01-01T00:00:00.000Z' }

describe('neptune graph store: wire protocol', () => {
  it('posts form-encoded query and JSON parameters to /openCypher, signed for neptune-db', async () => {
    const store = neptune()
    const before = database.server.requests.length
    await store.apply({ scope: { user_id: 'u' }, entities: [], relations: [rel], invalidate: [] })
    const sent = database.server.requests.slice(before)
    expect(sent.length).toBeGreaterThan(0)
    for (const r of sent) {
      expect(r.method).toBe('POST')
      expect(r.path).toBe('/openCypher')
      expect(r.headers['content-type']).toContain('application/x-www-form-urlencoded')
      expect(r.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDNEPTUNE\/\d{8}\/eu-west-1\/neptune-db\/aws4_request/)
      expect(r.headers['x-amz-security-token']).toBe('neptune-session')
      const form = new URLSearchParams(r.body)
      expect(Object.values(KNOWN_STATEMENTS)).toContain(form.get('query'))
      expect(JSON.parse(form.get('parameters')!)).toMatchObject({ ns: expect.any(String) })
    }
    expect((await store.listRelations({ scope: { user_id: 'u' } })).map((r) => r.relationship)).toEqual(['lives_in'])
  })

  it('works unsigned against a cluster without IAM auth, and a signed-only cluster refuses unsigned requests with 403', async () => {
    const plain = createNeptuneGraphStore({ endpoint: open.url, ...transport }, { collection: uniqueCollection('g') })
    await plain.apply({ scope: { user_id: 'u' }, entities: [], relations: [rel], invalidate: [] })
    expect(open.server.requests.every((r) => r.headers.authorization === undefined)).toBe(true)
    const refused = createNeptuneGraphStore({ endpoint: database.url, ...transport }, { collection: uniqueCollection('g') })
    const err = await refused.listEntities({ scope: { user_id: 'u' } }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(RemoteError)
    expect((err as RemoteError).status).toBe(403)
    expect((err as RemoteError).serviceMessage).toBe('AccessDeniedException: Missing Authentication Token')
    expect((err as RemoteError).message).toContain('IAM credentials')
  })

  it('reports a wrong secret as 403 from the signature check, without retrying', async () => {
    const before = database.server.requests.length
    const err = await neptune(uniqueCollection('g'), { secretAccessKey: 'wrong' })
      .listEntities({ scope: { user_id: 'u' } })
      .catch((e: unknown) => e)
    expect((err as RemoteError).status).toBe(403)
    expect(database.server.requests.length - before).toBe(1)
  })

  it('retries ConcurrentModificationException (HTTP 500) and applies the write once', async () => {
    const store = neptune()
    database.server.injectFault({
      kind: 'status',
      status: 500,
      body: {
        requestId: 'r',
        code: 'ConcurrentModificationException',
        detailedMessage: 'Operation failed due to conflicting concurrent operations',
      },
    })
    const result = await store.apply({ scope: { user_id: 'u' }, entities: [], relations: [rel], invalidate: [] })
    expect(result.added).toHaveLength(1)
    expect(await store.listRelations({ scope: { user_id: 'u' } })).toHaveLength(1)
  })

  it('answers an unknown statement with MalformedQueryException, as Neptune does', async () => {
    const response = await fetch(`${open.url}/openCypher`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ query: 'MATCH (n) DETACH DELETE n' }).toString(),
    })
    expect(response.status).toBe(400)
    expect(await response.json()).toMatchObject({ code: 'MalformedQueryException', requestId: expect.any(String) })
  })

  it('rejects configs with credentials but no region, and endpoints with a path', () => {
    expect(() => createNeptuneGraphStore({ endpoint: database.url, accessKeyId: 'a', secretAccessKey: 'b' }, { collection: 'c' })).toThrow(
      ConfigError,
    )
    expect(() => createNeptuneGraphStore({ endpoint: `${database.url}/openCypher?x=1` }, { collection: 'c' })).toThrow(ConfigError)
  })

  it('stores hostile names as data on Neptune too', async () => {
    const store = neptune()
    const hostile = "x'}) MATCH (n) DETACH DELETE n RETURN ('"
    const before = database.graph.received.length
    await store.apply({
      scope: { user_id: hostile },
      entities: [],
      relations: [{ ...rel, source: hostile, relationship: hostile }],
      invalidate: [],
    })
    const [r] = await store.listRelations({ scope: { user_id: hostile } })
    expect(r).toMatchObject({ source: hostile, relationship: 'x_match_n_detach_delete_n_return', scope: { user_id: hostile } })
    const known = new Set<string>(Object.values(KNOWN_STATEMENTS))
    expect(database.graph.received.slice(before).every((s) => known.has(s))).toBe(true)
  })
})

describe('neptune-analytics graph store', () => {
  it('shares the graph with the vector store: both signed for neptune-graph with the graphIdentifier header, neither touching the other', async () => {
    const collection = uniqueCollection('g')
    const vectors = createNeptuneAnalyticsVectorStore(
      { endpoint: analytics.url, controlEndpoint: analytics.url, graphId: GRAPH, ...AWS, ...transport },
      { collection },
    )
    const graph = neptuneAnalytics(collection)
    await vectors.upsert([{ id: 'v1', vector: new Float32Array([1, 0, 0]), payload: { user_id: 'u' } }])
    const before = analytics.server.requests.length
    await graph.apply({ scope: { user_id: 'u' }, entities: [], relations: [rel], invalidate: [] })
    for (const r of analytics.server.requests.slice(before)) {
      expect(r.path).toBe('/queries')
      expect(r.headers.graphidentifier).toBe(GRAPH)
      expect(r.headers.authorization).toContain('/eu-west-1/neptune-graph/aws4_request')
      expect(JSON.parse(r.body)).toMatchObject({ language: 'OPEN_CYPHER' })
    }
    await graph.reset()
    expect((await vectors.get(['v1']))[0]?.payload).toEqual({ user_id: 'u' })
    await vectors.reset()
    await graph.apply({ scope: { user_id: 'u' }, entities: [], relations: [rel], invalidate: [] })
    await vectors.reset()
    expect(await graph.listRelations({ scope: { user_id: 'u' } })).toHaveLength(1)
  })
})
