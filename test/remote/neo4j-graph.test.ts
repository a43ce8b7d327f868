import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createNeo4jGraphStore } from '../../adapters/neo4j.ts'
import { GRAPH_STATEMENTS } from '../../adapters/shared/cypher-graph-store.ts'
import { ConfigError, RemoteError, ValidationError } from '../../src/errors.ts'
import { describeGraphStoreConformance } from '../conformance/graph-store.ts'
import { KNOWN_STATEMENTS, NEO4J_SCHEMA_STATEMENTS } from '../servers/cypher-graph.ts'
import { startNeo4jServer, type FakeNeo4j } from '../servers/neo4j.ts'
import { uniqueCollection } from './support/fixtures.ts'

// The neo4j graph store against a fake of Neo4j's HTTP Query API v2 (test/servers/neo4j.ts): the shared
// GraphStore conformance suite, the wire protocol (auth, envelopes, errors, bookmarks) and hostile input.

let fake: FakeNeo4j
const transport = { retryBaseDelayMs: 1, timeoutMs: 5_000 }
const config = (extra: Record<string, unknown> = {}) => ({
  url: fake.url,
  username: 'neo4j',
  password: 'fake-password',
  ...transport,
  ...extra,
})
const open = (collection = uniqueCollection('g'), extra: Record<string, unknown> = {}) =>
  createNeo4jGraphStore(config(extra), { collection })

beforeAll(async () => {
  fake = await startNeo4jServer({ token: 'sso-token' })
})
afterAll(async () => {
  await fake?.close()
})

describeGraphStoreConformance('neo4j (fake Query API)', async () => {
  const collection = uniqueCollection('g')
  return { store: open(collection), reopen: async () => open(collection) }
})

describe('neo4j graph store: wire protocol', () => {
  it('sends the fixed statements only: the fake knows the same texts', () => {
    expect(GRAPH_STATEMENTS).toEqual(KNOWN_STATEMENTS)
  })

  it('posts {statement, parameters} to /db/{database}/query/v2 with Basic auth, creates its indexes once, and sends back bookmarks', async () => {
    const store = open()
    const before = fake.server.requests.length
    await store.apply({ scope: { user_id: 'u' }, entities: [{ name: 'Alice', memoryIds: ['m1'] }], relations: [], invalidate: [] })
    await store.listEntities({ scope: { user_id: 'u' } })
    const sent = fake.server.requests.slice(before)
    expect(sent.every((r) => r.method === 'POST' && r.path === '/db/neo4j/query/v2')).toBe(true)
    expect(sent[0]!.headers.authorization).toBe(`Basic ${Buffer.from('neo4j:fake-password').toString('base64')}`)
    const statements = sent.map((r) => (JSON.parse(r.body) as { statement: string }).statement)
    expect(statements.slice(0, 3)).toEqual(NEO4J_SCHEMA_STATEMENTS)
    expect(statements.filter((s) => s.startsWith('CREATE INDEX'))).toHaveLength(3)
    // every request after the first answer carries the bookmark of the one before (read-your-writes)
    const last = JSON.parse(sent.at(-1)!.body) as { bookmarks?: string[] }
    expect(last.bookmarks?.[0]).toMatch(/^FB:/)
    expect(fake.bookmarksSeen.at(-1)).toEqual(last.bookmarks)
  })

  it('reads only the records a write can touch, never the whole scope', async () => {
    const store = open()
    const scope = { user_id: 'u' }
    for (let i = 0; i < 5; i++) {
      await store.apply({
        scope,
        entities: [],
        relations: [{ source: `P${i}`, relationship: 'has', target: `T${i}`, memoryIds: [`m${i}`], validFrom: '2026-01-01T00:00:00.000Z' }],
        invalidate: [],
      })
    }
    const before = fake.graph.received.length
    await store.apply({
      scope,
      entities: [],
      relations: [{ source: 'P1', relationship: 'has', target: 'T9', memoryIds: ['m9'], validFrom: '2026-01-01T00:00:00.000Z' }],
      invalidate: [],
      forget: ['m3'],
    })
    const sent = fake.graph.received.slice(before)
    expect(sent).not.toContain(KNOWN_STATEMENTS.entities)
    expect(sent).not.toContain(KNOWN_STATEMENTS.relations)
    expect(sent).toContain(KNOWN_STATEMENTS.entitiesByNorm)
    expect(sent).toContain(KNOWN_STATEMENTS.relationsWithMemories)
    expect((await store.listRelations({ scope })).map((r) => `${r.source}>${r.target}`)).toEqual([
      'P0>T0',
      'P1>T1',
      'P2>T2',
      'P4>T4',
      'P1>T9',
    ])
    expect((await store.listEntities({ scope })).map((e) => e.name)).not.toContain('P3')
    // a mention with an embedding reads the scope's embeddings only when its name is new
    const vector = new Float32Array([1, 0, 0])
    const named = fake.graph.received.length
    await store.apply({ scope, entities: [{ name: 'p1', embedding: vector, memoryIds: ['m10'] }], relations: [], invalidate: [] })
    expect(fake.graph.received.slice(named)).not.toContain(KNOWN_STATEMENTS.entitiesWithEmbedding)
    await store.apply({ scope, entities: [{ name: 'Newcomer', embedding: vector, memoryIds: ['m11'] }], relations: [], invalidate: [] })
    expect(fake.graph.received.slice(named)).toContain(KNOWN_STATEMENTS.entitiesWithEmbedding)
  })

  it('two writers naming the same new entity at once make one node (entity ids derive from the name)', async () => {
    const collection = uniqueCollection('g')
    const [a, b] = [open(collection), open(collection)]
    const scope = { user_id: 'u' }
    await Promise.all([
      a.apply({ scope, entities: [{ name: 'Zoe', memoryIds: ['m1'] }], relations: [], invalidate: [] }),
      b.apply({ scope, entities: [{ name: 'zoe', memoryIds: ['m2'] }], relations: [], invalidate: [] }),
    ])
    expect((await a.listEntities({ scope })).map((e) => e.name.toLowerCase())).toEqual(['zoe'])
    const other = await a.apply({ scope: { user_id: 'v' }, entities: [{ name: 'Zoe', memoryIds: ['m3'] }], relations: [], invalidate: [] })
    expect(other.entities[0]!.id).not.toBe((await a.listEntities({ scope }))[0]!.id)
  })

  it('leaves the indexes alone with createIndexes: false', async () => {
    const before = fake.graph.received.length
    await open(uniqueCollection('g'), { createIndexes: false }).apply({
      scope: { user_id: 'u' },
      entities: [{ name: 'Alice', memoryIds: ['m1'] }],
      relations: [],
      invalidate: [],
    })
    expect(fake.graph.received.slice(before).some((s) => s.startsWith('CREATE INDEX'))).toBe(false)
  })

  it('accepts Bearer auth and another database name, and reports a missing database as a RemoteError', async () => {
    const bearer = open(uniqueCollection('g'), { username: undefined, password: undefined, token: 'sso-token' })
    expect(await bearer.listRelations({ scope: { user_id: 'u' } })).toEqual([])
    const other = open(uniqueCollection('g'), { database: 'memories' })
    const err = await other.listEntities({ scope: { user_id: 'u' } }).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(RemoteError)
    expect((err as RemoteError).status).toBe(404)
    expect((err as RemoteError).serviceMessage).toContain('Neo.ClientError.Database.DatabaseNotFound')
  })

  it('turns a wrong password into a 401 RemoteError with a hint, without retrying', async () => {
    const before = fake.server.requests.length
    const err = await open(uniqueCollection('g'), { password: 'wrong' })
      .listEntities({ scope: { user_id: 'u' } })
      .catch((e: unknown) => e)
    expect(err).toBeInstanceOf(RemoteError)
    expect((err as RemoteError).status).toBe(401)
    expect((err as RemoteError).message).toContain('Neo.ClientError.Security.Unauthorized')
    expect((err as RemoteError).message).toContain('check username/password or token')
    expect(fake.server.requests.length - before).toBe(1)
  })

  it('retries a 503 and then succeeds (the change-set statement is idempotent)', async () => {
    const store = open()
    await store.init?.()
    fake.server.injectFault({
      kind: 'status',
      status: 503,
      body: { errors: [{ code: 'Neo.TransientError.General.DatabaseUnavailable', message: 'busy' }] },
    })
    const result = await store.apply({
      scope: { user_id: 'u' },
      entities: [],
      relations: [{ source: 'A', relationship: 'knows', target: 'B', memoryIds: ['m'], validFrom: '2026-01-01T00:00:00.000Z' }],
      invalidate: [],
    })
    expect(result.added).toHaveLength(1)
    expect(await store.listRelations({ scope: { user_id: 'u' } })).toHaveLength(1)
  })

  it('rejects configs without credentials, with both kinds, or with a bad URL or database name', () => {
    expect(() => createNeo4jGraphStore({ url: fake.url }, { collection: 'c' })).toThrow(ConfigError)
    expect(() => createNeo4jGraphStore({ url: fake.url, token: 't', username: 'u', password: 'p' }, { collection: 'c' })).toThrow(
      ConfigError,
    )
    expect(() => createNeo4jGraphStore({ url: 'bolt://localhost:7687', token: 't' }, { collection: 'c' })).toThrow(ConfigError)
    expect(() => createNeo4jGraphStore({ url: fake.url, token: 't', database: 'x`}) DETACH DELETE' }, { collection: 'c' })).toThrow(
      ConfigError,
    )
  })
})

describe('neo4j graph store: hostile input never becomes statement text', () => {
  it('stores Cypher-looking names and relationship types as data, and sends nothing but the fixed statements', async () => {
    const store = open()
    const hostile = {
      source: "Alice'}) MATCH (n) DETACH DELETE n //",
      relationship: 'KNOWS]->(x) DETACH DELETE x WITH 1 AS y MATCH (z)-[:r',
      target: '`Bob` $ns {id: 1}',
    }
    const before = fake.graph.received.length
    const result = await store.apply({
      scope: { user_id: "u'}) RETURN 1 //" },
      entities: [{ name: 'Eve\\u0027 OR 1=1', type: 'person`) DELETE', memoryIds: ['m1"]'] }],
      relations: [{ ...hostile, memoryIds: ['m1"]'], validFrom: '2026-01-01T00:00:00.000Z' }],
      invalidate: [],
    })
    expect(result.added[0]).toMatchObject({ source: hostile.source, target: hostile.target })
    expect(result.added[0]!.relationship).toMatch(/^[\p{L}\p{N}_]+$/u)
    const relations = await store.listRelations({ scope: { user_id: "u'}) RETURN 1 //" } })
    expect(relations.map((r) => [r.source, r.target, r.memoryIds])).toEqual([[hostile.source, hostile.target, ['m1"]']]])
    const entities = await store.findEntities({ scope: { user_id: "u'}) RETURN 1 //" }, text: 'eve\\u0027 or 1=1', limit: 5 })
    expect(entities.map((e) => e.type)).toEqual(['person`) DELETE'])
    const known = new Set<string>([...Object.values(KNOWN_STATEMENTS), ...NEO4J_SCHEMA_STATEMENTS])
    expect(fake.graph.received.slice(before).every((s) => known.has(s))).toBe(true)
    expect(fake.graph.nodes.length).toBeGreaterThan(0)
  })

  it('refuses an unknown statement as Neo4j does (syntax error, 400)', async () => {
    const response = await fetch(`${fake.url}/db/neo4j/query/v2`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer sso-token' },
      body: JSON.stringify({ statement: 'MATCH (n) DETACH DELETE n' }),
    })
    expect(response.status).toBe(400)
    expect(((await response.json()) as { errors: { code: string }[] }).errors[0]!.code).toBe('Neo.ClientError.Statement.SyntaxError')
  })

  it('rejects bad writes before sending anything', async () => {
    const store = open()
    await store.init?.()
    const before = fake.server.requests.length
    await expect(
      store.apply({
        scope: { user_id: 'u' },
        entities: [],
        relations: [{ source: 'A', relationship: '!!!', target: 'B', memoryIds: ['m'], validFrom: '2026-01-01T00:00:00.000Z' }],
        invalidate: [],
      }),
    ).rejects.toBeInstanceOf(ValidationError)
    expect(fake.server.requests.length).toBe(before)
  })
})
