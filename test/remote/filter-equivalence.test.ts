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
 * Post-filtering would hide a compiler that returns "match everything"; this checks the other side: what
 * the service selects with an adapter's native filter alone (the fake's own evaluator over what the
 * adapter stored, or Postgres itself), for random records and filters. When the compiler reports the
 * filter exact, that selection is exactly the reference ids, so no over-fetch is needed; a store whose
 * native filter is a pre-filter also never misses a reference id. One table row per adapter.
 */
type NativeFilter<E> = { kind: 'true' } | { kind: 'false' } | { kind: 'expr'; expr: E }

interface NativeCheck {
  label: string
  adapter: AdapterName
  /** The target (by label) whose fake serves this adapter; the adapter's first otherwise. */
  target?: string
  /** The native filter never misses a reference id, exact or not (checked on every run). */
  superset?: boolean
  /** Exact only when no record holds an array (arrays go to the post-filter): half the runs drop them. */
  exactWithoutArrays?: boolean
  /** Runs on which the compiler must have reported exact, so the exact paths are exercised. */
  minExact: number
  /**
   * Opens what reads the service's selection for a store: `exact` as the compiler reports it, and one
   * list of ids per reading of the service's semantics where its documentation leaves two open.
   */
  open(
    store: VectorStore,
  ): Promise<{ select(node: FilterNode): Promise<{ exact: boolean; selections: string[][] }>; close?(): Promise<void> }>
}

const namespaceOf = (store: VectorStore): string => (store as unknown as { namespace: string }).namespace
/** Whether a record passes a native filter, given the service's evaluator of an expression. */
const passes = <E>(native: NativeFilter<E>, evaluate: (expr: E) => boolean): boolean =>
  native.kind === 'expr' ? evaluate(native.expr) : native.kind === 'true'

const NATIVE_CHECKS: NativeCheck[] = [
  {
    label: 'upstash (strict and lenient negations)',
    adapter: 'upstash',
    minExact: 30,
    async open(store) {
      const { compileUpstashFilter } = await import('../../adapters/upstash/filter.ts')
      const { evaluateUpstashFilter, parseUpstashFilter } = await import('../servers/upstash-filter.ts')
      return {
        async select(node) {
          const { exact, native } = compileUpstashFilter(node)
          const stored = [...upstashStrict.namespaces.get(namespaceOf(store))!]
          const selections = (['strict', 'lenient'] as const).map((semantics) =>
            stored
              .filter(([, s]) => passes(native, (expr) => evaluateUpstashFilter(parseUpstashFilter(expr), s.metadata as never, semantics)))
              .map(([id]) => id),
          )
          return { exact, selections }
        },
      }
    },
  },
  {
    label: 'qdrant',
    adapter: 'qdrant',
    minExact: 50,
    async open(store) {
      const { compileQdrantFilter } = await import('../../adapters/qdrant/filter.ts')
      const { matchesQdrantFilter } = await import('../servers/qdrant-filter.ts')
      return {
        async select(node) {
          const { exact, native } = compileQdrantFilter(node)
          const points = [...qdrant.collections.get('conformance')!.points.values()].filter((p) => p.payload._em_ns === namespaceOf(store))
          const selected = points
            .filter((p) => passes(native, (expr) => matchesQdrantFilter(p, { must: [expr] })))
            .map((p) => p.payload._em_id as string)
          return { exact, selections: [selected] }
        },
      }
    },
  },
  {
    label: 'azure_ai_search',
    adapter: 'azure_ai_search',
    minExact: 50,
    async open(store) {
      const { compileAzureFilter } = await import('../../adapters/azure-ai-search/filter.ts')
      const { evaluateOData, parseOData } = await import('../servers/azure-odata.ts')
      return {
        async select(node) {
          const { exact, native } = compileAzureFilter(node)
          const docs = [...azure.indexes.get('conformance')!.docs.values()].filter((d) => d.em_ns === namespaceOf(store))
          const selected = docs
            .filter((d) =>
              passes(native, (expr) =>
                evaluateOData(
                  parseOData(expr, () => 'filterable'),
                  d,
                ),
              ),
            )
            .map((d) => d.em_id as string)
          return { exact, selections: [selected] }
        },
      }
    },
  },
  {
    label: 's3_vectors (both readings of the negations)',
    adapter: 's3_vectors',
    minExact: 30,
    async open(store) {
      const { compileS3VectorsFilter } = await import('../../adapters/s3-vectors/filter.ts')
      const { matchesS3Filter } = await import('../servers/s3-vectors.ts')
      const index = (store as unknown as { index: string }).index
      return {
        async select(node) {
          const { exact, native } = compileS3VectorsFilter(node)
          const stored = [...s3NoElement.indexes.get(`edgemem-test/${index}`)!.vectors.values()]
          const selections = (['no-element', 'some-differs'] as const).map((negation) =>
            stored
              .filter((v) =>
                passes(native, (expr) =>
                  matchesS3Filter(expr, v.metadata, {
                    negation,
                    negationMatchesMissing: negation === 'no-element',
                  }),
                ),
              )
              .map((v) => v.key),
          )
          return { exact, selections }
        },
      }
    },
  },
  {
    label: 'neptune (Cypher on the graph)',
    adapter: 'neptune',
    minExact: 50,
    async open(store) {
      const { compileNeptuneFilter } = await import('../../adapters/neptune-analytics/filter.ts')
      const { parseCypherCondition } = await import('../servers/neptune-analytics.ts')
      return {
        async select(node) {
          const compiled = compileNeptuneFilter(node)
          const nodes = [...neptune.nodes.values()].filter((n) => n.props.em_ns === namespaceOf(store))
          const where = compiled.where === undefined ? undefined : parseCypherCondition(compiled.where)
          const selected = nodes
            .filter((n) => (!compiled.satisfiable ? false : where ? where(n as never, compiled.params) === true : true))
            .map((n) => n.props.em_id as string)
          return { exact: compiled.exact, selections: [selected] }
        },
      }
    },
  },
  {
    label: 'chroma',
    adapter: 'chroma',
    superset: true,
    exactWithoutArrays: true,
    minExact: 15,
    async open(store) {
      const { compileChromaFilter } = await import('../../adapters/chroma/filter.ts')
      const { parseWhere } = await import('../servers/chroma.ts')
      return {
        async select(node) {
          const { exact, native } = compileChromaFilter(node)
          const stored = [...[...chroma.collections.values()].find((c) => c.name === 'conformance')!.records.entries()].filter(
            ([, r]) => r.metadata?._em_ns === namespaceOf(store),
          )
          const where = native.kind === 'expr' ? parseWhere(native.expr) : undefined
          const selected = stored
            .filter(([id, r]) => (native.kind === 'false' ? false : where ? where(id, r.metadata) : true))
            .map(([, r]) => r.metadata!._em_id as string)
          return { exact, selections: [selected] }
        },
      }
    },
  },
  {
    label: 'elasticsearch (query DSL)',
    adapter: 'elasticsearch',
    superset: true,
    minExact: 50,
    async open(store) {
      const { compileSearchEngineFilter } = await import('../../adapters/elasticsearch/filter.ts')
      return {
        async select(node) {
          const { exact, native } = compileSearchEngineFilter(node)
          const docs = [...elasticsearch.indices.get('conformance')!.docs.entries()].filter(([, d]) => d._em_ns === namespaceOf(store))
          const selected = docs
            .filter(([id]) => passes(native, (expr) => elasticsearch.matches('conformance', expr, id)))
            .map(([, d]) => d._em_id as string)
          return { exact, selections: [selected] }
        },
      }
    },
  },
  {
    label: 'pgvector (the SQL on Postgres)',
    adapter: 'pgvector',
    minExact: 80,
    async open(store) {
      const { compilePgvectorFilter } = await import('../../adapters/pgvector/filter.ts')
      const { render, sql, param } = await import('../../adapters/pgvector/sql.ts')
      const { default: connect } = await import('postgres')
      const client = connect(postgres.connectionString, { max: 1, onnotice: () => {} })
      return {
        async select(node) {
          const { exact, native } = compilePgvectorFilter(node)
          if (native.kind === 'false') return { exact, selections: [[]] }
          const condition = native.kind === 'expr' ? native.expr : sql`TRUE`
          const { text, values } = render(
            sql`SELECT id FROM edgemem_memories WHERE namespace = ${param(namespaceOf(store))} AND ${condition}`,
          )
          const rows = await client.unsafe(text, values, { prepare: true })
          return { exact, selections: [rows.map((r) => r.id as string)] }
        },
        close: () => client.end({ timeout: 5 }),
      }
    },
  },
  {
    label: 'weaviate (where)',
    adapter: 'weaviate',
    superset: true,
    minExact: 15,
    async open(store) {
      const { compileWeaviateFilter, toRestWhere } = await import('../../adapters/weaviate/filter.ts')
      const { compileWhere } = await import('../servers/weaviate.ts')
      return {
        async select(node) {
          const { exact, native } = compileWeaviateFilter(node)
          const c = weaviate.classes.get('Conformance')!
          const where = native.kind === 'expr' ? compileWhere(c, toRestWhere(native.expr), '1.28.0') : undefined
          const selected = [...c.objects.values()]
            .filter((o) => o.properties.emNs === namespaceOf(store))
            .filter((o) => (native.kind === 'false' ? false : where ? where(o) : true))
            .map((o) => o.properties.emId as string)
          return { exact, selections: [selected] }
        },
      }
    },
  },
  {
    label: 'milvus (both readings of missing JSON keys)',
    adapter: 'milvus',
    superset: true,
    minExact: 15,
    async open(store) {
      const { compileMilvusFilter } = await import('../../adapters/milvus/filter.ts')
      const { compileMilvusExpr, parseMilvusExpr } = await import('../servers/milvus-expr.ts')
      return {
        async select(node) {
          const { exact, native } = compileMilvusFilter(node)
          const c = milvusTwoValued.collections.get('default/conformance')!
          const types = Object.fromEntries(c.fields.map((f) => [f.name, f.type]))
          const entities = c.entities.filter((e) => e.ns === namespaceOf(store))
          const selections = (['false', 'null'] as const).map((missing) => {
            const where = native.kind === 'expr' ? compileMilvusExpr(parseMilvusExpr(native.expr), types, missing) : undefined
            return entities.filter((e) => (native.kind === 'false' ? false : where ? where(e) === true : true)).map((e) => e.rid as string)
          })
          return { exact, selections }
        },
      }
    },
  },
]

describe('native filters: what the service selects alone', () => {
  for (const check of NATIVE_CHECKS) {
    it(`${check.label}: ${check.superset ? 'never misses a reference id; ' : ''}exactly the reference ids when reported exact`, async () => {
      const target = targets.find((t) => (check.target ? t.label === check.target : t.adapter === check.adapter))!
      const store = makeAdapter(check.adapter, target.urls(), uniqueCollection('px'))
      await store.init({ dimensions: DIMS })
      const service = await check.open(store)
      let exact = 0
      try {
        await fc.assert(
          fc.asyncProperty(
            fc.array(payload, { minLength: 1, maxLength: 12 }),
            filter,
            fc.boolean(),
            async (generated, node, dropArrays) => {
              const payloads =
                check.exactWithoutArrays && dropArrays
                  ? generated.map((p) => Object.fromEntries(Object.entries(p).filter(([, v]) => !Array.isArray(v))) as Payload)
                  : generated
              const records = payloads.map((p, i) => ({ id: `r${i}`, vector: randomVector(seeded(i + 1), DIMS), payload: p }))
              await store.reset()
              await store.upsert(records)
              const expected = records
                .filter((r) => matchesFilter(node, r.payload))
                .map((r) => r.id)
                .sort()
              const { exact: reported, selections } = await service.select(node)
              const arrays = records.some((r) => Object.values(r.payload).some((v) => Array.isArray(v)))
              const mustBeExact = reported && !(check.exactWithoutArrays && arrays)
              if (mustBeExact) exact++
              for (const selection of selections) {
                const selected = [...selection].sort()
                if (check.superset) expect(selected).toEqual(expect.arrayContaining(expected))
                if (mustBeExact) expect(selected).toEqual(expected)
              }
            },
          ),
          { numRuns: 150 },
        )
      } finally {
        await service.close?.()
        await store.close?.()
      }
      // The generator must exercise the exact paths, not only the post-filtered ones.
      expect(exact).toBeGreaterThan(check.minExact)
    }, 120_000)
  }
})
