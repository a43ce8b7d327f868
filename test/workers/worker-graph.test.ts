import { runInDurableObject } from 'cloudflare:test'
import { env } from 'cloudflare:workers'
import fc from 'fast-check'
import { shardOf, writeScopeKey } from '../../workers/backend/shard-routing.ts'
import type { Env } from '../../workers/env.ts'
import { describe, expect, it } from '../harness.ts'
import { RemoteMemory } from '../../src/client/index.ts'
import { modeEnv, newTenant, ORIGIN, request, type StorageModeName, workerFetch } from './worker-client.ts'

/**
 * Graph memory in the Worker (GRAPH_STORE = "local"): `relations` in POST /memories and POST /search,
 * GET /graph, tenant isolation, the Durable Object keeping memories and graph together (a failure
 * between their writes leaves neither), the kv and a remote mode, and bad input answered 4xx, never 500.
 * Relations come from the test LLM (worker-servers.setup.ts): "<Name> lives in <Name>" is a relation.
 */
const GRAPH = { GRAPH_STORE: 'local' } as Partial<Env>

function graphEnv(mode: StorageModeName = 'durable-object'): Partial<Env> {
  return { ...modeEnv(mode), ...GRAPH }
}

async function tenant(mode: StorageModeName = 'durable-object') {
  const e = graphEnv(mode)
  const { key, tenant } = await newTenant(`graph-${mode}`, e)
  const call = <T = any>(method: string, path: string, body?: unknown) =>
    request<T>(method, path, { key, env: e, ...(body !== undefined ? { body } : {}) })
  return { key, tenant, call, env: e }
}

const triple = (r: { source: string; relationship: string; target: string }) => `${r.source} ${r.relationship} ${r.target}`

describe('graph memory in the Worker (durable-object mode)', () => {
  it('returns relations from add and search, and the scope graph from GET /graph, with REST memory ids', async () => {
    const { call } = await tenant()
    const added = await call('POST', '/memories', { messages: [{ role: 'user', content: 'Alice lives in Berlin' }], user_id: 'u1' })
    expect(added.status).toBe(200)
    expect(added.body.results).toHaveLength(1)
    const memoryId = added.body.results[0].id as string
    expect(added.body.relations.added.map(triple)).toEqual(['Alice lives_in Berlin'])
    const relation = added.body.relations.added[0]
    expect(relation.memory_ids).toEqual([memoryId])
    expect(relation.invalidated_at).toBeNull()
    expect(Date.parse(relation.valid_from)).not.toBeNaN()
    expect(added.body.relations.invalidated).toEqual([])
    // The id in memory_ids is the REST id: it reads back.
    expect((await call('GET', `/memories/${encodeURIComponent(memoryId)}`)).status).toBe(200)

    const found = await call('POST', '/search', { query: 'Where does Alice live?', user_id: 'u1' })
    expect(found.status).toBe(200)
    expect(found.body.results.map((r: { id: string }) => r.id)).toContain(memoryId)
    expect(found.body.relations.map(triple)).toEqual(['Alice lives_in Berlin'])
    expect(found.body.relations[0].score).toBeGreaterThan(0)
    expect(found.body.relations[0].memory_ids).toEqual([memoryId])

    const graph = await call('GET', '/graph?user_id=u1')
    expect(graph.status).toBe(200)
    expect(graph.body.entities.map((e: { name: string }) => e.name).sort()).toEqual(['Alice', 'Berlin'])
    expect(graph.body.relations.map(triple)).toEqual(['Alice lives_in Berlin'])
    expect(graph.body.total_entities).toBe(2)
    expect(graph.body.total_relations).toBe(1)
  })

  it('invalidates a contradicted relation and keeps it as history (include_invalidated)', async () => {
    const { call } = await tenant()
    await call('POST', '/memories', { messages: [{ role: 'user', content: 'Bob lives in Paris' }], user_id: 'u' })
    const moved = await call('POST', '/memories', { messages: [{ role: 'user', content: 'Bob lives in Rome' }], user_id: 'u' })
    expect(moved.status).toBe(200)
    expect(moved.body.relations.added.map(triple)).toEqual(['Bob lives_in Rome'])
    expect(moved.body.relations.invalidated.map(triple)).toEqual(['Bob lives_in Paris'])
    expect(moved.body.relations.invalidated[0].invalidated_at).not.toBeNull()

    const valid = await call('GET', '/graph?user_id=u')
    expect(valid.body.relations.map(triple)).toEqual(['Bob lives_in Rome'])
    const all = await call('GET', '/graph?user_id=u&include_invalidated=true')
    expect(all.body.relations.map(triple)).toEqual(['Bob lives_in Paris', 'Bob lives_in Rome'])
    const found = await call('POST', '/search', { query: 'Where does Bob live?', user_id: 'u' })
    expect(found.body.relations.map(triple)).toEqual(['Bob lives_in Rome'])
  })

  it('links entities without an LLM (infer: false), limits GET /graph, and forgets with the memories', async () => {
    const { call } = await tenant()
    const added = await call('POST', '/memories', {
      messages: [
        { role: 'user', content: 'Carol met Dave in Lisbon' },
        { role: 'user', content: 'Erin flew to Oslo' },
      ],
      user_id: 'v',
      infer: false,
    })
    expect(added.status).toBe(200)
    expect(added.body.relations).toEqual({ added: [], invalidated: [] })
    const graph = await call('GET', '/graph?user_id=v')
    const names = graph.body.entities.map((e: { name: string }) => e.name)
    expect(names).toEqual(expect.arrayContaining(['Carol', 'Erin', 'Oslo']))
    expect(graph.body.relations).toEqual([])
    const limited = await call('GET', '/graph?user_id=v&limit=1')
    expect(limited.body.entities).toHaveLength(1)
    expect(limited.body.total_entities).toBe(graph.body.total_entities)

    // Deleting the memory that mentions Erin and Oslo drops them; deleteAll drops the rest.
    const erin = added.body.results.find((r: { memory: string }) => r.memory.startsWith('Erin')).id
    expect((await call('DELETE', `/memories/${encodeURIComponent(erin)}`)).status).toBe(200)
    const after = (await call('GET', '/graph?user_id=v')).body.entities.map((e: { name: string }) => e.name)
    expect(after).not.toContain('Oslo')
    expect(after).toContain('Carol')
    expect((await call('DELETE', '/memories?user_id=v')).status).toBe(200)
    expect((await call('GET', '/graph?user_id=v')).body).toEqual({ entities: [], relations: [], total_entities: 0, total_relations: 0 })
  })

  it('reads an agent scope across every shard', async () => {
    const { call } = await tenant()
    await call('POST', '/memories', { messages: [{ role: 'user', content: 'Frank works at Acme' }], user_id: 'w1', agent_id: 'helper' })
    await call('POST', '/memories', { messages: [{ role: 'user', content: 'Grace works at Initech' }], user_id: 'w2', agent_id: 'helper' })
    const graph = await call('GET', '/graph?agent_id=helper')
    expect(graph.status).toBe(200)
    expect(graph.body.relations.map(triple).sort()).toEqual(['Frank works_at Acme', 'Grace works_at Initech'])
    const found = await call('POST', '/search', { query: 'Who works at Acme?', agent_id: 'helper' })
    expect(found.body.relations.map(triple)).toContain('Frank works_at Acme')
  })

  it("keeps tenants apart: another tenant's same user id sees no relations or entities", async () => {
    const a = await tenant()
    const b = await tenant()
    await a.call('POST', '/memories', { messages: [{ role: 'user', content: 'Heidi likes Jazz' }], user_id: 'same' })
    expect((await b.call('GET', '/graph?user_id=same')).body.total_entities).toBe(0)
    const found = await b.call('POST', '/search', { query: 'What does Heidi like?', user_id: 'same' })
    expect(found.body).toEqual({ results: [], relations: [] })
    expect((await a.call('GET', '/graph?user_id=same')).body.relations.map(triple)).toEqual(['Heidi likes Jazz'])
  })

  it('writes memories and graph in the same object: a failing graph write leaves neither', async () => {
    const { call, tenant: name } = await tenant()
    const namespace = (env as Env).MEMORY_SHARDS!
    const shard = shardOf(writeScopeKey({ userId: 'tx' }, 'add'), Number((env as Env).DO_SHARDS ?? 16))
    const stub = namespace.get(namespace.idFromName(`${name}/${shard}`))
    // Open the object's Memory with graph memory on, and its graph partition for this user.
    expect((await call('POST', '/memories', { messages: [{ role: 'user', content: 'Ivan lives in Kyiv' }], user_id: 'tx' })).status).toBe(
      200,
    )
    const before = (await call('GET', '/graph?user_id=tx')).body
    const restore = await runInDurableObject(stub, (instance) => {
      const store = (instance as unknown as { store: Record<string, (...args: any[]) => Promise<unknown>> }).store
      const originals = { batch: store.batch!, commitIf: store.commitIf!, set: store.set! }
      const graphKey = (key: string) => key.includes('/graph/')
      const refuse = () => Promise.reject(new Error('injected failure of the graph write'))
      store.batch = (ops: { key: string }[]) => (ops.some((op) => graphKey(op.key)) ? refuse() : originals.batch.call(store, ops))
      store.commitIf = (ops: { key: string }[], conditions: unknown[]) =>
        ops.some((op) => graphKey(op.key)) ? refuse() : originals.commitIf.call(store, ops, conditions)
      store.set = (key: string, value: unknown) => (graphKey(key) ? refuse() : originals.set.call(store, key, value))
      return () => Object.assign(store, originals)
    })
    const failed = await call('POST', '/memories', { messages: [{ role: 'user', content: 'Ivan lives in Lviv' }], user_id: 'tx' })
    await runInDurableObject(stub, () => restore())
    expect(failed.status).toBeGreaterThanOrEqual(500)
    expect(failed.body.error.code).toBeTruthy()
    // Neither the memory nor the graph change is there; the next add works.
    const listed = await call('GET', '/memories?user_id=tx')
    expect(listed.body.results.map((r: { memory: string }) => r.memory)).toEqual(['User said: Ivan lives in Kyiv'])
    expect((await call('GET', '/graph?user_id=tx')).body).toEqual(before)
    const again = await call('POST', '/memories', { messages: [{ role: 'user', content: 'Ivan lives in Lviv' }], user_id: 'tx' })
    expect(again.status).toBe(200)
    expect(again.body.relations.invalidated.map(triple)).toEqual(['Ivan lives_in Kyiv'])
  })
})

describe('graph memory in one Durable Object transaction', () => {
  it("issues an add's memory, graph and history writes in one event turn (one implicit SQLite transaction)", async () => {
    const { call, tenant: name } = await tenant()
    const namespace = (env as Env).MEMORY_SHARDS!
    const shard = shardOf(writeScopeKey({ userId: 'turns' }, 'add'), Number((env as Env).DO_SHARDS ?? 16))
    const stub = namespace.get(namespace.idFromName(`${name}/${shard}`))
    expect(
      (await call('POST', '/memories', { messages: [{ role: 'user', content: 'Olga lives in Riga' }], user_id: 'turns' })).status,
    ).toBe(200)
    // Each write is tagged with the event turn it ran in: a timer (a new event) ends the turn. workerd
    // commits a Durable Object's SQLite writes made within one turn as one implicit transaction, so a
    // crash keeps all of an add's writes or none.
    const stop = await runInDurableObject(stub, (instance) => {
      const store = (instance as unknown as { store: Record<string, (...args: any[]) => Promise<unknown>> }).store
      const originals = { batch: store.batch!, commitIf: store.commitIf!, set: store.set!, delete: store.delete! }
      const log: { turn: number; key: string }[] = []
      let turn = 0
      let pending = false
      const note = (keys: string[]) => {
        for (const key of keys) log.push({ turn, key })
        if (!pending) {
          pending = true
          setTimeout(() => {
            turn++
            pending = false
          }, 0)
        }
      }
      const noted =
        <A extends unknown[]>(keys: (...args: A) => string[], original: (...args: A) => Promise<unknown>) =>
        (...args: A) => {
          note(keys(...args))
          return original.call(store, ...args)
        }
      store.batch = noted((ops: { key: string }[]) => ops.map((o) => o.key), originals.batch)
      store.commitIf = noted((ops: { key: string }[], _conditions: unknown[]) => ops.map((o) => o.key), originals.commitIf)
      store.set = noted((key: string, _value: unknown) => [key], originals.set)
      store.delete = noted((key: string) => [key], originals.delete)
      return () => {
        Object.assign(store, originals)
        return log
      }
    })
    const moved = await call('POST', '/memories', { messages: [{ role: 'user', content: 'Olga lives in Tallinn' }], user_id: 'turns' })
    const log = await runInDurableObject(stub, () => stop())
    expect(moved.status).toBe(200)
    expect(moved.body.relations.invalidated.map(triple)).toEqual(['Olga lives_in Riga'])
    const graphWrites = log.filter((w) => w.key.includes('/graph/'))
    const memoryWrites = log.filter((w) => !w.key.includes('/graph/'))
    expect(graphWrites.length).toBeGreaterThan(0)
    expect(memoryWrites.length).toBeGreaterThan(0)
    expect(new Set(log.map((w) => w.turn)), JSON.stringify(log)).toEqual(new Set([log[0]!.turn]))
  })
})

describe('graph memory through RemoteMemory (edgemem/client)', () => {
  it("reads relations from add and search, and graph(), in the core's shapes", async () => {
    const { key } = await tenant()
    const remote = new RemoteMemory({ url: ORIGIN, apiKey: key, fetch: workerFetch(GRAPH), maxRetries: 0 })
    const added = await remote.add([{ role: 'user', content: 'Nina lives in Vienna' }], { userId: 'r' })
    expect(added.relations!.added.map(triple)).toEqual(['Nina lives_in Vienna'])
    expect(added.relations!.added[0]).toMatchObject({
      memoryIds: [added.results[0]!.id],
      invalidatedAt: null,
      validFrom: expect.any(String),
    })
    const found = await remote.search('Where does Nina live?', { userId: 'r' })
    expect(found.relations!.map(triple)).toEqual(['Nina lives_in Vienna'])
    const graph = await remote.graph({ userId: 'r', limit: 10, includeInvalidated: true })
    expect(graph.relations.map(triple)).toEqual(['Nina lives_in Vienna'])
    expect(graph.entities.map((e) => e.name).sort()).toEqual(['Nina', 'Vienna'])
    expect(graph).toMatchObject({ totalEntities: 2, totalRelations: 1 })
    // Without graph memory on the Worker: no relations, and graph() is the Worker's 400 as a ValidationError.
    const plain = new RemoteMemory({ url: ORIGIN, apiKey: key, fetch: workerFetch({}), maxRetries: 0 })
    expect(await plain.search('Where does Nina live?', { userId: 'r' })).not.toHaveProperty('relations')
    await expect(plain.graph({ userId: 'r' })).rejects.toMatchObject({ code: 'VALIDATION' })
  })
})

describe('graph memory in the kv and remote modes', () => {
  for (const mode of ['kv', 'qdrant'] as const) {
    it(`${mode}: relations in add and search, GET /graph`, async () => {
      const { call } = await tenant(mode)
      const added = await call('POST', '/memories', { messages: [{ role: 'user', content: 'Judy knows Mallory' }], user_id: 'k' })
      expect(added.status).toBe(200)
      expect(added.body.relations.added.map(triple)).toEqual(['Judy knows Mallory'])
      expect(added.body.relations.added[0].memory_ids).toEqual([added.body.results[0].id])
      const found = await call('POST', '/search', { query: 'Who does Judy know?', user_id: 'k' })
      expect(found.body.relations.map(triple)).toEqual(['Judy knows Mallory'])
      const graph = await call('GET', '/graph?user_id=k')
      expect(graph.body.relations.map(triple)).toEqual(['Judy knows Mallory'])
      expect(graph.body.entities.map((e: { name: string }) => e.name).sort()).toEqual(['Judy', 'Mallory'])
    })
  }
})

describe('graph memory off, and bad input', () => {
  it('without GRAPH_STORE: no relations key, GET /graph is a 400 naming the setting', async () => {
    const { key } = await newTenant('nograph')
    const added = await request('POST', '/memories', {
      key,
      body: { messages: [{ role: 'user', content: 'Ken lives in Tokyo' }], user_id: 'n' },
    })
    expect(added.status).toBe(200)
    expect(added.body).not.toHaveProperty('relations')
    const found = await request('POST', '/search', { key, body: { query: 'Ken', user_id: 'n' } })
    expect(found.body).not.toHaveProperty('relations')
    const graph = await request('GET', '/graph?user_id=n', { key })
    expect(graph.status).toBe(400)
    expect(graph.body.error.message).toMatch(/GRAPH_STORE/)
  })

  it('is in the OpenAPI document: GET /graph with its query, relations in the add and search responses', async () => {
    const doc = (await request('GET', '/openapi.json')).body
    const graph = doc.paths['/graph'].get
    expect(graph.parameters.map((p: { name: string }) => p.name).sort()).toEqual(
      ['agent_id', 'include_invalidated', 'limit', 'run_id', 'user_id'].sort(),
    )
    expect(Object.keys(doc.components.schemas)).toEqual(expect.arrayContaining(['Graph', 'GraphEntity', 'Relation', 'SearchResponse']))
    expect(Object.keys(doc.components.schemas.AddResponse.properties)).toEqual(['results', 'relations'])
    expect(Object.keys(doc.components.schemas.SearchResponse.properties)).toEqual(['results', 'relations'])
  })

  it('mem0 platform add: enable_graph true needs graph memory; with it, the add builds the graph', async () => {
    const { key } = await newTenant('platform-nograph')
    const body = { messages: [{ role: 'user', content: 'Liam lives in Dublin' }], user_id: 'p', enable_graph: true }
    const refused = await request('POST', '/v3/memories/add/', { key, body })
    expect(refused.status).toBe(400)
    expect(refused.body.error.message).toMatch(/enable_graph/)
    expect((await request('GET', '/memories?user_id=p', { key })).body.results).toEqual([])

    const { call } = await tenant()
    const added = await call('POST', '/v3/memories/add/', body)
    expect(added.status).toBe(200)
    expect(added.body.status).toBe('SUCCEEDED')
    expect(added.body).not.toHaveProperty('relations')
    expect((await call('GET', '/graph?user_id=p')).body.relations.map(triple)).toEqual(['Liam lives_in Dublin'])
  })

  it('refuses a bad GRAPH_STORE with a configuration error naming it', async () => {
    const { key } = await newTenant('badgraph')
    const response = await request('GET', '/graph?user_id=n', { key, env: { GRAPH_STORE: 'neo4j' } as Partial<Env> })
    expect(response.status).toBe(500)
    expect(response.body.error.message).toMatch(/GRAPH_STORE/)
  })

  it('answers bad GET /graph queries with 400 and a JSON error, never 500', async () => {
    const { call } = await tenant()
    for (const query of [
      '',
      '?limit=5',
      '?user_id=u&limit=0',
      '?user_id=u&limit=abc',
      '?user_id=u&limit=100000',
      '?user_id=u&include_invalidated=maybe',
      `?user_id=${'x'.repeat(300)}`,
      '?user_id=u&agent_id=',
    ]) {
      const response = await call('GET', `/graph${query}`)
      expect(response.status, query).toBe(400)
      expect(response.body.error.code, query).toBe('VALIDATION')
    }
  })

  it('fuzzed GET /graph queries: 2xx or 4xx with a JSON error, never 5xx (seeded, bounded)', async () => {
    const { call } = await tenant()
    const value = fc.oneof(fc.string({ maxLength: 20 }), fc.constantFrom('0', '-1', '1e9', 'true', '__proto__', '%00', ''))
    await fc.assert(
      fc.asyncProperty(
        fc.dictionary(fc.constantFrom('user_id', 'agent_id', 'run_id', 'limit', 'include_invalidated', 'x'), value),
        async (query) => {
          const response = await call('GET', `/graph?${new URLSearchParams(query)}`)
          expect(response.status).toBeLessThan(500)
          if (response.status >= 400) expect(typeof response.body.error.message).toBe('string')
        },
      ),
      { numRuns: 40, seed: 20261206 },
    )
  })
})
