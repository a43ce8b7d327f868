import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { FieldNode, FilterNode, ScalarValue } from '../../src/filters/ast.ts'
import { matchesFilter } from '../../src/filters/evaluate.ts'
import type { Payload, VectorRecord, VectorStore } from '../../src/interfaces/vector-store.ts'
import type { Json } from '../../src/types.ts'
import { cosine, randomVector, seeded } from '../conformance/vector-store.ts'
import { startAzureSearchServer, type FakeAzureSearch } from '../servers/azure-ai-search.ts'
import { startChromaServer, type FakeChroma } from '../servers/chroma.ts'
import { startNeptuneServer, type FakeNeptune } from '../servers/neptune-analytics.ts'
import { startPgliteServer, type PgliteServer } from '../servers/pglite.ts'
import { startPineconeServer, type FakePinecone } from '../servers/pinecone.ts'
import { startQdrantServer, type FakeQdrant } from '../servers/qdrant.ts'
import { startS3VectorsServer, type FakeS3Vectors } from '../servers/s3-vectors.ts'
import { startSearchEngineServer, type FakeSearchEngine } from '../servers/search-engine.ts'
import { startUpstashServer, type FakeUpstash } from '../servers/upstash.ts'
import { startWeaviateServer, type FakeWeaviate } from '../servers/weaviate.ts'
import { startMilvusServer, type FakeMilvus } from '../servers/milvus.ts'
import { FakeVectorizeIndex } from '../servers/vectorize.ts'
import { makeAdapter, uniqueCollection, type AdapterName, type ServerUrls } from './support/fixtures.ts'

/**
 * For random records and random filters, every adapter (against its fake server, under every reading
 * of the services' undocumented negation semantics) returns exactly the ids the reference evaluator
 * selects: for list (all pages) and for the search top-k.
 */

const DIMS = 4
const FIELDS = ['a', 'b', 'tags', 'in', 'n-1'] as const
const STRINGS = [
  'x',
  'X',
  'xy',
  'yx',
  '',
  "it's",
  '"q"',
  'a*b',
  'a?',
  '[z]',
  'back\\slash',
  'K',
  '\u212A',
  'İ',
  'i',
  '~em-json:1',
  'ünï',
  '9',
]
const NUMBERS = [-1, 0, 1, 2.5, 9, 1e21, 1e-7]

const scalar: fc.Arbitrary<ScalarValue> = fc.oneof(fc.constantFrom(...STRINGS), fc.constantFrom(...NUMBERS), fc.boolean())
const value: fc.Arbitrary<Json> = fc.oneof(
  { weight: 6, arbitrary: scalar },
  { weight: 1, arbitrary: fc.constant(null) },
  { weight: 2, arbitrary: fc.array(fc.constantFrom(...STRINGS), { maxLength: 3 }) },
  { weight: 1, arbitrary: fc.array(scalar, { maxLength: 3 }) },
  { weight: 1, arbitrary: fc.constant({ k: 1 }) },
)
const payload: fc.Arbitrary<Payload> = fc.record(
  { user_id: fc.constantFrom('u1', 'u2'), a: value, b: value, tags: value, in: value, 'n-1': value },
  { requiredKeys: ['user_id'] },
) as fc.Arbitrary<Payload>

const field = fc.constantFrom(...FIELDS)
const leaf: fc.Arbitrary<FilterNode> = fc.oneof(
  fc.record({ op: fc.constantFrom('eq', 'ne', 'contains'), field, value: scalar }) as fc.Arbitrary<FieldNode>,
  fc.record({
    op: fc.constantFrom('gt', 'gte', 'lt', 'lte'),
    field,
    value: fc.oneof(fc.constantFrom(...NUMBERS), fc.constantFrom(...STRINGS)),
  }) as fc.Arbitrary<FieldNode>,
  fc.record({ op: fc.constant('icontains'), field, value: fc.constantFrom(...STRINGS, 'XY', 'k', 'I') }) as fc.Arbitrary<FieldNode>,
  fc.record({ op: fc.constantFrom('in', 'nin'), field, values: fc.array(scalar, { maxLength: 3 }) }) as fc.Arbitrary<FieldNode>,
  fc.record({ op: fc.constant('exists'), field }) as fc.Arbitrary<FieldNode>,
)
const filter: fc.Arbitrary<FilterNode> = fc.letrec<{ node: FilterNode }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf,
    fc.record({ op: fc.constantFrom('and', 'or'), children: fc.array(tie('node'), { maxLength: 3 }) }) as fc.Arbitrary<FilterNode>,
    fc.record({ op: fc.constant('not'), child: tie('node') }) as fc.Arbitrary<FilterNode>,
  ),
})).node

const scenario = fc.record({
  payloads: fc.array(payload, { minLength: 1, maxLength: 14 }),
  filter,
  scoped: fc.boolean(),
  seed: fc.integer({ min: 1, max: 1_000_000 }),
  topK: fc.integer({ min: 1, max: 6 }),
})

let upstashStrict: FakeUpstash
let upstashLenient: FakeUpstash
let qdrant: FakeQdrant
let pineconeMongo: FakePinecone
let pineconeLiteral: FakePinecone
let azure: FakeAzureSearch
let s3NoElement: FakeS3Vectors
let s3SomeDiffers: FakeS3Vectors
let neptune: FakeNeptune
const AWS = { region: 'eu-west-1', accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'secret' }
let chroma: FakeChroma
let elasticsearch: FakeSearchEngine
let opensearch: FakeSearchEngine
let weaviate: FakeWeaviate
let milvusTwoValued: FakeMilvus
let milvusNullKeys: FakeMilvus

const NO_SERVERS: ServerUrls = { upstash: { url: '', token: '' }, qdrant: { url: '', apiKey: '' }, pinecone: { url: '', apiKey: '' } }
let postgres: PgliteServer
/** A Vectorize index is a binding, not a server: the fake runs in this process. */
const vectorizeIndex = new FakeVectorizeIndex({
  dimensions: DIMS,
  metadataIndexes: { user_id: 'string', agent_id: 'string', run_id: 'string', _em_h: 'number' },
  visibilityDelayMs: 2,
})

interface Target {
  label: string
  adapter: AdapterName
  urls: () => ServerUrls
}
const targets: Target[] = [
  {
    label: 'upstash (strict negations)',
    adapter: 'upstash',
    urls: () => ({
      upstash: { url: upstashStrict.url, token: upstashStrict.token },
      qdrant: { url: '', apiKey: '' },
      pinecone: { url: '', apiKey: '' },
    }),
  },
  {
    label: 'upstash (lenient negations)',
    adapter: 'upstash',
    urls: () => ({
      upstash: { url: upstashLenient.url, token: upstashLenient.token },
      qdrant: { url: '', apiKey: '' },
      pinecone: { url: '', apiKey: '' },
    }),
  },
  {
    label: 'qdrant',
    adapter: 'qdrant',
    urls: () => ({ upstash: { url: '', token: '' }, qdrant: { url: qdrant.url, apiKey: 'k' }, pinecone: { url: '', apiKey: '' } }),
  },
  {
    label: 'pinecone (MongoDB negations)',
    adapter: 'pinecone',
    urls: () => ({
      upstash: { url: '', token: '' },
      qdrant: { url: '', apiKey: '' },
      pinecone: { url: pineconeMongo.url, apiKey: pineconeMongo.apiKey },
    }),
  },
  {
    label: 'pinecone (literal any-element negations, $ne skips missing)',
    adapter: 'pinecone',
    urls: () => ({
      upstash: { url: '', token: '' },
      qdrant: { url: '', apiKey: '' },
      pinecone: { url: pineconeLiteral.url, apiKey: pineconeLiteral.apiKey },
    }),
  },
  {
    label: 'pgvector (a real Postgres: PGlite + pgvector over loopback)',
    adapter: 'pgvector',
    urls: () => ({
      upstash: { url: '', token: '' },
      qdrant: { url: '', apiKey: '' },
      pinecone: { url: '', apiKey: '' },
      pgvector: { connectionString: postgres.connectionString },
    }),
  },
  {
    label: 'azure_ai_search',
    adapter: 'azure_ai_search',
    urls: () => ({
      upstash: { url: '', token: '' },
      qdrant: { url: '', apiKey: '' },
      pinecone: { url: '', apiKey: '' },
      azure_ai_search: { url: azure.url, apiKey: azure.apiKey },
    }),
  },
  {
    label: 's3_vectors (negations: no element matches, missing keys match)',
    adapter: 's3_vectors',
    urls: () => ({
      upstash: { url: '', token: '' },
      qdrant: { url: '', apiKey: '' },
      pinecone: { url: '', apiKey: '' },
      s3_vectors: { url: s3NoElement.url, ...AWS },
    }),
  },
  {
    label: 's3_vectors (negations: some element differs, missing keys do not match)',
    adapter: 's3_vectors',
    urls: () => ({
      upstash: { url: '', token: '' },
      qdrant: { url: '', apiKey: '' },
      pinecone: { url: '', apiKey: '' },
      s3_vectors: { url: s3SomeDiffers.url, ...AWS },
    }),
  },
  {
    label: 'neptune (Neptune Analytics)',
    adapter: 'neptune',
    urls: () => ({
      upstash: { url: '', token: '' },
      qdrant: { url: '', apiKey: '' },
      pinecone: { url: '', apiKey: '' },
      neptune: { url: neptune.url, graphId: 'g-0123456789', ...AWS },
    }),
  },
  {
    label: 'chroma',
    adapter: 'chroma',
    urls: () => ({ ...NO_SERVERS, chroma: { url: chroma.url, token: 't' } }),
  },
  {
    label: 'elasticsearch',
    adapter: 'elasticsearch',
    urls: () => ({ ...NO_SERVERS, elasticsearch: { url: elasticsearch.url, apiKey: 'k' } }),
  },
  {
    label: 'opensearch',
    adapter: 'opensearch',
    urls: () => ({ ...NO_SERVERS, opensearch: { url: opensearch.url } }),
  },
  {
    label: 'weaviate',
    adapter: 'weaviate',
    urls: () => ({ ...NO_SERVERS, weaviate: { url: weaviate.url, apiKey: 'k' } }),
  },
  {
    label: 'milvus (missing JSON keys: false, two-valued logic)',
    adapter: 'milvus',
    urls: () => ({ ...NO_SERVERS, milvus: { url: milvusTwoValued.url, token: 't' } }),
  },
  {
    label: 'milvus (missing JSON keys: null, three-valued logic)',
    adapter: 'milvus',
    urls: () => ({ ...NO_SERVERS, milvus: { url: milvusNullKeys.url, token: 't' } }),
  },
  {
    label: 'vectorize (index binding; scope fields indexed, writes visible after a delay)',
    adapter: 'vectorize',
    urls: () => ({ ...NO_SERVERS, vectorize: { index: vectorizeIndex } }),
  },
]

beforeAll(async () => {
  upstashStrict = await startUpstashServer({ dimension: DIMS, negation: 'strict' })
  upstashLenient = await startUpstashServer({ dimension: DIMS, negation: 'lenient' })
  qdrant = await startQdrantServer({ apiKey: 'k' })
  pineconeMongo = await startPineconeServer({ dimension: DIMS })
  pineconeLiteral = await startPineconeServer({
    dimension: DIMS,
    semantics: { listNegation: 'some-differs', negationMatchesMissing: false },
  })
  azure = await startAzureSearchServer()
  s3NoElement = await startS3VectorsServer({ credentials: { ...AWS, service: 's3vectors' } })
  s3SomeDiffers = await startS3VectorsServer({
    credentials: { ...AWS, service: 's3vectors' },
    negation: 'some-differs',
    negationMatchesMissing: false,
  })
  neptune = await startNeptuneServer({ credentials: { ...AWS, service: 'neptune-graph' }, graphId: 'g-0123456789', dimension: DIMS })
  chroma = await startChromaServer({ token: 't' })
  elasticsearch = await startSearchEngineServer({ engine: 'elasticsearch', apiKey: 'k' })
  opensearch = await startSearchEngineServer({ engine: 'opensearch' })
  postgres = await startPgliteServer()
  weaviate = await startWeaviateServer({ apiKey: 'k' })
  milvusTwoValued = await startMilvusServer({ token: 't', missingKeys: 'false' })
  milvusNullKeys = await startMilvusServer({ token: 't', missingKeys: 'null' })
}, 120_000)
afterAll(async () => {
  for (const server of [
    upstashStrict,
    upstashLenient,
    qdrant,
    pineconeMongo,
    pineconeLiteral,
    azure,
    s3NoElement,
    s3SomeDiffers,
    neptune,
    chroma,
    elasticsearch,
    opensearch,
    postgres,
    weaviate,
    milvusTwoValued,
    milvusNullKeys,
  ])
    await server?.close()
})

async function listAll(store: VectorStore, node: FilterNode): Promise<string[]> {
  const ids: string[] = []
  let cursor: string | undefined
  for (let i = 0; i < 200; i++) {
    const page = await store.list({ filter: node, scope: {}, limit: 3, ...(cursor ? { cursor } : {}) })
    ids.push(...page.records.map((r) => r.id))
    if (!page.nextCursor) return ids
    cursor = page.nextCursor
  }
  throw new Error('list did not terminate')
}

describe('filter equivalence with the reference evaluator', () => {
  for (const target of targets) {
    it(`${target.label}: list and search select exactly the reference ids`, async () => {
      const store = makeAdapter(target.adapter, target.urls(), uniqueCollection('eq'))
      await store.init({ dimensions: DIMS })
      await fc.assert(
        fc.asyncProperty(scenario, async ({ payloads, filter: userFilter, scoped, seed, topK }) => {
          const random = seeded(seed)
          const records: VectorRecord[] = payloads.map((p, i) => ({ id: `r${i}`, vector: randomVector(random, DIMS), payload: p }))
          const node: FilterNode = scoped ? { op: 'and', children: [{ op: 'eq', field: 'user_id', value: 'u1' }, userFilter] } : userFilter
          await store.reset()
          await store.upsert(records)
          const matching = records.filter((r) => matchesFilter(node, r.payload))
          expect((await listAll(store, node)).sort()).toEqual(matching.map((r) => r.id).sort())
          const query = randomVector(random, DIMS)
          const results = await store.search({ vector: query, topK, filter: node, scope: {} })
          const expected = matching
            .map((r) => ({ id: r.id, score: cosine(r.vector, query) }))
            .sort((x, y) => y.score - x.score)
            .slice(0, topK)
          expect(results.map((r) => r.id)).toEqual(expected.map((r) => r.id))
          results.forEach((r, i) => {
            expect(r.score).toBeCloseTo(expected[i]!.score, 4)
          })
          const got = await store.get(records.map((r) => r.id))
          expect(got.map((r) => r?.payload)).toEqual(records.map((r) => r.payload))
        }),
        { numRuns: 60 },
      )
      await store.close?.()
    }, 120_000)
  }
})

/**
 * Post-filtering would hide a compiler that returns "match everything"; this checks the other side: when
 * a compiler reports its native filter exact, the service alone (the fake's own evaluator over what the
 * adapter stored) selects exactly the reference ids, so no over-fetch is needed.
 */
describe('native filters the compilers report exact are exact on the service', () => {
  it('upstash and qdrant', async () => {
    const { compileUpstashFilter } = await import('../../adapters/upstash/filter.ts')
    const { compileQdrantFilter } = await import('../../adapters/qdrant/filter.ts')
    const { evaluateUpstashFilter, parseUpstashFilter } = await import('../servers/upstash-filter.ts')
    const { matchesQdrantFilter } = await import('../servers/qdrant-filter.ts')
    const upstash = makeAdapter('upstash', targets[0]!.urls(), uniqueCollection('px'))
    const qdrantStore = makeAdapter('qdrant', targets[2]!.urls(), uniqueCollection('px'))
    await upstash.init({ dimensions: DIMS })
    await qdrantStore.init({ dimensions: DIMS })
    let exactUpstash = 0
    let exactQdrant = 0
    await fc.assert(
      fc.asyncProperty(fc.array(payload, { minLength: 1, maxLength: 12 }), filter, async (payloads, node) => {
        const records = payloads.map((p, i) => ({ id: `r${i}`, vector: randomVector(seeded(i + 1), DIMS), payload: p }))
        await upstash.reset()
        await qdrantStore.reset()
        await upstash.upsert(records)
        await qdrantStore.upsert(records)
        const expected = records
          .filter((r) => matchesFilter(node, r.payload))
          .map((r) => r.id)
          .sort()
        const u = compileUpstashFilter(node)
        if (u.exact) {
          exactUpstash++
          const stored = [...upstashStrict.namespaces.get((upstash as unknown as { namespace: string }).namespace)!]
          for (const semantics of ['strict', 'lenient'] as const) {
            const selected = stored
              .filter(([, s]) =>
                u.native.kind === 'true'
                  ? true
                  : u.native.kind === 'false'
                    ? false
                    : evaluateUpstashFilter(parseUpstashFilter(u.native.expr), s.metadata as never, semantics),
              )
              .map(([id]) => id)
              .sort()
            expect(selected).toEqual(expected)
          }
        }
        const q = compileQdrantFilter(node)
        if (q.exact) {
          exactQdrant++
          const points = [...qdrant.collections.get('conformance')!.points.values()].filter(
            (p) => p.payload._em_ns === (qdrantStore as unknown as { namespace: string }).namespace,
          )
          const selected = points
            .filter((p) =>
              q.native.kind === 'true' ? true : q.native.kind === 'false' ? false : matchesQdrantFilter(p, { must: [q.native.expr] }),
            )
            .map((p) => p.payload._em_id as string)
            .sort()
          expect(selected).toEqual(expected)
        }
      }),
      { numRuns: 150 },
    )
    // The generator must exercise the exact paths, not only the post-filtered ones.
    expect(exactUpstash).toBeGreaterThan(30)
    expect(exactQdrant).toBeGreaterThan(50)
  }, 120_000)
})

describe('Azure AI Search: native filters the compiler reports exact are exact on the service', () => {
  it('azure_ai_search', async () => {
    const { compileAzureFilter } = await import('../../adapters/azure-ai-search/filter.ts')
    const { evaluateOData, parseOData } = await import('../servers/azure-odata.ts')
    const target = targets.find((t) => t.adapter === 'azure_ai_search')!
    const store = makeAdapter('azure_ai_search', target.urls(), uniqueCollection('px'))
    await store.init({ dimensions: DIMS })
    const namespace = (store as unknown as { namespace: string }).namespace
    let exact = 0
    await fc.assert(
      fc.asyncProperty(fc.array(payload, { minLength: 1, maxLength: 12 }), filter, async (payloads, node) => {
        const records = payloads.map((p, i) => ({ id: `r${i}`, vector: randomVector(seeded(i + 1), DIMS), payload: p }))
        await store.reset()
        await store.upsert(records)
        const compiled = compileAzureFilter(node)
        if (!compiled.exact) return
        exact++
        const expected = records
          .filter((r) => matchesFilter(node, r.payload))
          .map((r) => r.id)
          .sort()
        const docs = [...azure.indexes.get('conformance')!.docs.values()].filter((d) => d.em_ns === namespace)
        const selected = docs
          .filter((d) =>
            compiled.native.kind === 'true'
              ? true
              : compiled.native.kind === 'false'
                ? false
                : evaluateOData(
                    parseOData(compiled.native.expr, () => 'filterable'),
                    d,
                  ),
          )
          .map((d) => d.em_id as string)
          .sort()
        expect(selected).toEqual(expected)
      }),
      { numRuns: 150 },
    )
    expect(exact).toBeGreaterThan(50)
  }, 120_000)
})

describe('S3 Vectors: native filters the compiler reports exact are exact on the service', () => {
  it('s3_vectors, under both readings of the negations', async () => {
    const { compileS3VectorsFilter } = await import('../../adapters/s3-vectors/filter.ts')
    const { matchesS3Filter } = await import('../servers/s3-vectors.ts')
    const target = targets.find((t) => t.adapter === 's3_vectors')!
    const store = makeAdapter('s3_vectors', target.urls(), uniqueCollection('px'))
    await store.init({ dimensions: DIMS })
    const index = (store as unknown as { index: string }).index
    let exact = 0
    await fc.assert(
      fc.asyncProperty(fc.array(payload, { minLength: 1, maxLength: 12 }), filter, async (payloads, node) => {
        const records = payloads.map((p, i) => ({ id: `r${i}`, vector: randomVector(seeded(i + 1), DIMS), payload: p }))
        await store.reset()
        await store.upsert(records)
        const compiled = compileS3VectorsFilter(node)
        if (!compiled.exact) return
        exact++
        const expected = records
          .filter((r) => matchesFilter(node, r.payload))
          .map((r) => r.id)
          .sort()
        const stored = [...s3NoElement.indexes.get(`edgemem-test/${index}`)!.vectors.values()]
        for (const negation of ['no-element', 'some-differs'] as const) {
          const selected = stored
            .filter((v) =>
              compiled.native.kind === 'true'
                ? true
                : compiled.native.kind === 'false'
                  ? false
                  : matchesS3Filter(compiled.native.expr, v.metadata, { negation, negationMatchesMissing: negation === 'no-element' }),
            )
            .map((v) => v.key)
            .sort()
          expect(selected).toEqual(expected)
        }
      }),
      { numRuns: 150 },
    )
    expect(exact).toBeGreaterThan(30)
  }, 120_000)
})

describe('Neptune Analytics: Cypher filters the compiler reports exact are exact on the graph', () => {
  it('neptune', async () => {
    const { compileNeptuneFilter } = await import('../../adapters/neptune-analytics/filter.ts')
    const { parseCypherCondition } = await import('../servers/neptune-analytics.ts')
    const target = targets.find((t) => t.adapter === 'neptune')!
    const store = makeAdapter('neptune', target.urls(), uniqueCollection('px'))
    await store.init({ dimensions: DIMS })
    const namespace = (store as unknown as { namespace: string }).namespace
    let exact = 0
    await fc.assert(
      fc.asyncProperty(fc.array(payload, { minLength: 1, maxLength: 12 }), filter, async (payloads, node) => {
        const records = payloads.map((p, i) => ({ id: `r${i}`, vector: randomVector(seeded(i + 1), DIMS), payload: p }))
        await store.reset()
        await store.upsert(records)
        const compiled = compileNeptuneFilter(node)
        if (!compiled.exact) return
        exact++
        const expected = records
          .filter((r) => matchesFilter(node, r.payload))
          .map((r) => r.id)
          .sort()
        const nodes = [...neptune.nodes.values()].filter((n) => n.props.em_ns === namespace)
        const where = compiled.where === undefined ? undefined : parseCypherCondition(compiled.where)
        const selected = nodes
          .filter((n) => (!compiled.satisfiable ? false : where ? where(n as never, compiled.params) === true : true))
          .map((n) => n.props.em_id as string)
          .sort()
        expect(selected).toEqual(expected)
      }),
      { numRuns: 150 },
    )
    expect(exact).toBeGreaterThan(50)
  }, 120_000)
})

/**
 * Chroma's native filter alone (the fake's where evaluator over what the adapter stored) never misses a
 * reference record, and selects exactly the reference records when the compiler reports it exact and no
 * field holds an array (arrays are stored encoded and let through to the post-filter).
 */
describe('chroma native filters: supersets always, exact when reported exact', () => {
  it('chroma', async () => {
    const { compileChromaFilter } = await import('../../adapters/chroma/filter.ts')
    const { parseWhere } = await import('../servers/chroma.ts')
    const store = makeAdapter('chroma', targets.find((t) => t.adapter === 'chroma')!.urls(), uniqueCollection('px'))
    await store.init({ dimensions: DIMS })
    const namespace = (store as unknown as { namespace: string }).namespace
    let exact = 0
    await fc.assert(
      fc.asyncProperty(fc.array(payload, { minLength: 1, maxLength: 12 }), filter, fc.boolean(), async (generated, node, dropArrays) => {
        // Half the runs without arrays, where a filter reported exact must be exact on the service alone.
        const payloads = dropArrays
          ? generated.map((p) => Object.fromEntries(Object.entries(p).filter(([, v]) => !Array.isArray(v))) as Payload)
          : generated
        const records = payloads.map((p, i) => ({ id: `r${i}`, vector: randomVector(seeded(i + 1), DIMS), payload: p }))
        await store.reset()
        await store.upsert(records)
        const expected = records
          .filter((r) => matchesFilter(node, r.payload))
          .map((r) => r.id)
          .sort()
        const compiled = compileChromaFilter(node)
        const stored = [...[...chroma.collections.values()].find((c) => c.name === 'conformance')!.records.entries()].filter(
          ([, r]) => r.metadata?._em_ns === namespace,
        )
        const where = compiled.native.kind === 'expr' ? parseWhere(compiled.native.expr) : undefined
        const selected = stored
          .filter(([id, r]) => (compiled.native.kind === 'false' ? false : where ? where(id, r.metadata) : true))
          .map(([, r]) => r.metadata!._em_id as string)
          .sort()
        expect(selected).toEqual(expect.arrayContaining(expected))
        const arrays = records.some((r) => Object.values(r.payload).some((v) => Array.isArray(v)))
        if (compiled.exact && !arrays) {
          exact++
          expect(selected).toEqual(expected)
        }
      }),
      { numRuns: 150 },
    )
    expect(exact).toBeGreaterThan(15)
  }, 120_000)
})

/** The search-engine query DSL the compiler reports exact selects exactly the reference records on the service alone. */
describe('elasticsearch/opensearch native filters reported exact are exact on the service', () => {
  it('elasticsearch', async () => {
    const { compileSearchEngineFilter } = await import('../../adapters/elasticsearch/filter.ts')
    const store = makeAdapter('elasticsearch', targets.find((t) => t.adapter === 'elasticsearch')!.urls(), uniqueCollection('px'))
    await store.init({ dimensions: DIMS })
    const namespace = (store as unknown as { namespace: string }).namespace
    let exact = 0
    await fc.assert(
      fc.asyncProperty(fc.array(payload, { minLength: 1, maxLength: 12 }), filter, async (payloads, node) => {
        const records = payloads.map((p, i) => ({ id: `r${i}`, vector: randomVector(seeded(i + 1), DIMS), payload: p }))
        await store.reset()
        await store.upsert(records)
        const expected = records
          .filter((r) => matchesFilter(node, r.payload))
          .map((r) => r.id)
          .sort()
        const compiled = compileSearchEngineFilter(node)
        const docs = [...elasticsearch.indices.get('conformance')!.docs.entries()].filter(([, d]) => d._em_ns === namespace)
        const selected = docs
          .filter(([id]) =>
            compiled.native.kind === 'true'
              ? true
              : compiled.native.kind === 'false'
                ? false
                : elasticsearch.matches('conformance', compiled.native.expr, id),
          )
          .map(([, d]) => d._em_id as string)
          .sort()
        expect(selected).toEqual(expect.arrayContaining(expected))
        if (compiled.exact) {
          exact++
          expect(selected).toEqual(expected)
        }
      }),
      { numRuns: 150 },
    )
    expect(exact).toBeGreaterThan(50)
  }, 120_000)
})

describe('pgvector: the SQL the compiler reports exact is exact on Postgres', () => {
  it('selects exactly the reference ids without post-filtering', async () => {
    const { compilePgvectorFilter } = await import('../../adapters/pgvector/filter.ts')
    const { render, sql, param } = await import('../../adapters/pgvector/sql.ts')
    const { default: connect } = await import('postgres')
    const store = makeAdapter('pgvector', targets.find((t) => t.adapter === 'pgvector')!.urls(), uniqueCollection('px'))
    const namespace = (store as unknown as { namespace: string }).namespace
    const client = connect(postgres.connectionString, { max: 1, onnotice: () => {} })
    await store.init({ dimensions: DIMS })
    let exact = 0
    try {
      await fc.assert(
        fc.asyncProperty(fc.array(payload, { minLength: 1, maxLength: 12 }), filter, async (payloads, node) => {
          const records = payloads.map((p, i) => ({ id: `r${i}`, vector: randomVector(seeded(i + 1), DIMS), payload: p }))
          await store.reset()
          await store.upsert(records)
          const compiled = compilePgvectorFilter(node)
          if (!compiled.exact) return
          exact++
          const expected = records
            .filter((r) => matchesFilter(node, r.payload))
            .map((r) => r.id)
            .sort()
          if (compiled.native.kind !== 'expr') {
            expect(compiled.native.kind === 'true' ? records.map((r) => r.id).sort() : []).toEqual(expected)
            return
          }
          const { text, values } = render(
            sql`SELECT id FROM edgemem_memories WHERE namespace = ${param(namespace)} AND ${compiled.native.expr}`,
          )
          const rows = await client.unsafe(text, values, { prepare: true })
          expect(rows.map((r) => r.id as string).sort()).toEqual(expected)
        }),
        { numRuns: 150 },
      )
    } finally {
      await client.end({ timeout: 5 })
      await store.close?.()
    }
    expect(exact).toBeGreaterThan(80)
  }, 120_000)
})

/**
 * Weaviate's `where` alone (the fake's evaluator over the objects the adapter stored) never misses a
 * reference record, and selects exactly the reference records when the compiler reports it exact.
 */
describe('weaviate native filters: supersets always, exact when reported exact', () => {
  it('weaviate', async () => {
    const { compileWeaviateFilter, toRestWhere } = await import('../../adapters/weaviate/filter.ts')
    const { compileWhere } = await import('../servers/weaviate.ts')
    const store = makeAdapter('weaviate', targets.find((t) => t.adapter === 'weaviate')!.urls(), uniqueCollection('px'))
    await store.init({ dimensions: DIMS })
    const namespace = (store as unknown as { namespace: string }).namespace
    let exact = 0
    await fc.assert(
      fc.asyncProperty(fc.array(payload, { minLength: 1, maxLength: 12 }), filter, async (payloads, node) => {
        const records = payloads.map((p, i) => ({ id: `r${i}`, vector: randomVector(seeded(i + 1), DIMS), payload: p }))
        await store.reset()
        await store.upsert(records)
        const expected = records
          .filter((r) => matchesFilter(node, r.payload))
          .map((r) => r.id)
          .sort()
        const compiled = compileWeaviateFilter(node)
        const c = weaviate.classes.get('Conformance')!
        const where = compiled.native.kind === 'expr' ? compileWhere(c, toRestWhere(compiled.native.expr), '1.28.0') : undefined
        const selected = [...c.objects.values()]
          .filter((o) => o.properties.emNs === namespace)
          .filter((o) => (compiled.native.kind === 'false' ? false : where ? where(o) : true))
          .map((o) => o.properties.emId as string)
          .sort()
        expect(selected).toEqual(expect.arrayContaining(expected))
        if (compiled.exact) {
          exact++
          expect(selected).toEqual(expected)
        }
      }),
      { numRuns: 150 },
    )
    expect(exact).toBeGreaterThan(15)
  }, 120_000)
})

/**
 * Milvus's expression alone (the fake's evaluator, under both readings of tests on missing JSON keys)
 * never misses a reference record, and selects exactly the reference records when reported exact.
 */
describe('milvus native filters: supersets always, exact when reported exact', () => {
  it('milvus, under both readings of missing JSON keys', async () => {
    const { compileMilvusFilter } = await import('../../adapters/milvus/filter.ts')
    const { compileMilvusExpr, parseMilvusExpr } = await import('../servers/milvus-expr.ts')
    const target = targets.find((t) => t.adapter === 'milvus')!
    const store = makeAdapter('milvus', target.urls(), uniqueCollection('px'))
    await store.init({ dimensions: DIMS })
    const namespace = (store as unknown as { namespace: string }).namespace
    let exact = 0
    await fc.assert(
      fc.asyncProperty(fc.array(payload, { minLength: 1, maxLength: 12 }), filter, async (payloads, node) => {
        const records = payloads.map((p, i) => ({ id: `r${i}`, vector: randomVector(seeded(i + 1), DIMS), payload: p }))
        await store.reset()
        await store.upsert(records)
        const expected = records
          .filter((r) => matchesFilter(node, r.payload))
          .map((r) => r.id)
          .sort()
        const compiled = compileMilvusFilter(node)
        const c = milvusTwoValued.collections.get('default/conformance')!
        const types = Object.fromEntries(c.fields.map((f) => [f.name, f.type]))
        const entities = c.entities.filter((e) => e.ns === namespace)
        for (const missing of ['false', 'null'] as const) {
          const where =
            compiled.native.kind === 'expr' ? compileMilvusExpr(parseMilvusExpr(compiled.native.expr), types, missing) : undefined
          const selected = entities
            .filter((e) => (compiled.native.kind === 'false' ? false : where ? where(e) === true : true))
            .map((e) => e.rid as string)
            .sort()
          expect(selected).toEqual(expect.arrayContaining(expected))
          if (compiled.exact) expect(selected).toEqual(expected)
        }
        if (compiled.exact) exact++
      }),
      { numRuns: 150 },
    )
    expect(exact).toBeGreaterThan(15)
  }, 120_000)
})
