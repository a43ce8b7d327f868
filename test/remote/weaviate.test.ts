import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { createWeaviateVectorStore, type WeaviateVectorStore } from '../../adapters/weaviate.ts'
import { compileWeaviateFilter, toGraphQL } from '../../adapters/weaviate/filter.ts'
import { ConfigError, DimensionMismatchError, RemoteError } from '../../src/errors.ts'
import { eq, MATCH_ALL } from '../../src/filters/ast.ts'
import { parseGraphQL, plainValue } from '../servers/graphql-lite.ts'
import { startWeaviateServer, type FakeWeaviate } from '../servers/weaviate.ts'

const vec = (...values: number[]) => Float32Array.from(values)
const transport = { retryBaseDelayMs: 1, maxRetries: 1, timeoutMs: 5_000 }

describe('fake Weaviate server (REST v1 + GraphQL)', () => {
  let fake: FakeWeaviate
  beforeAll(async () => {
    fake = await startWeaviateServer({ apiKey: 'key', queryMaximumResults: 50 })
  })
  afterAll(() => fake.close())
  beforeEach(() => fake.server.reset())

  const call = async (method: string, path: string, body?: unknown, key: string | null = 'key') => {
    const response = await fetch(fake.url + path, {
      method,
      headers: { ...(key ? { authorization: `Bearer ${key}` } : {}), 'content-type': 'application/json' },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    })
    const text = await response.text()
    return { status: response.status, body: (text ? JSON.parse(text) : undefined) as Record<string, unknown> }
  }
  const article = {
    class: 'article',
    vectorizer: 'none',
    vectorIndexConfig: { distance: 'dot' },
    properties: [
      { name: 'title', dataType: ['text'], tokenization: 'field' },
      { name: 'tags', dataType: ['text[]'], tokenization: 'field' },
      { name: 'words', dataType: ['text'] },
      { name: 'secret', dataType: ['text'], indexFilterable: false },
    ],
  }

  it('answers with Weaviate envelopes: 401 {code, message}, 404 without body, 422 {error: [{message}]}', async () => {
    expect(await call('GET', '/v1/schema/Article', undefined, null)).toEqual({
      status: 401,
      body: { code: 401, message: 'anonymous access not enabled. Please authenticate through one of the available methods: [api-key]' },
    })
    expect((await call('GET', '/v1/schema/Article', undefined, 'wrong')).status).toBe(401)
    expect(await call('GET', '/v1/schema/Article')).toEqual({ status: 404, body: undefined })
    const created = await call('POST', '/v1/schema', article)
    expect(created.status).toBe(200)
    expect(created.body).toMatchObject({ class: 'Article', vectorIndexConfig: { distance: 'dot' } })
    expect(await call('POST', '/v1/schema', article)).toEqual({
      status: 422,
      body: { error: [{ message: 'class name "Article" already exists' }] },
    })
    expect((await call('POST', '/v1/schema', { class: '1abc' })).status).toBe(422)
    expect((await call('POST', '/v1/schema', { class: 'Other', vectorizer: 'text2vec-openai' })).status).toBe(422)
  })

  it('imports per object (errors inside a 200), replaces whole, deletes by where, and answers GraphQL with errors at HTTP 200', async () => {
    await call('POST', '/v1/schema', article)
    const id1 = '00000000-0000-4000-8000-000000000001'
    const id2 = '00000000-0000-4000-8000-000000000002'
    const imported = await call('POST', '/v1/batch/objects', {
      objects: [
        { class: 'Article', id: id1, vector: [1, 0], properties: { title: ' a b ', tags: ['x', 'y'], words: 'Hello, World' } },
        { class: 'Article', id: id2, vector: [0, 2], properties: { title: 'c', tags: [] } },
        { class: 'Article', id: '00000000-0000-4000-8000-000000000003', vector: [1, 0, 0], properties: {} },
        { class: 'Article', id: '00000000-0000-4000-8000-000000000004', vector: [1, 0], properties: { nope: 1 } },
      ],
    })
    expect(imported.status).toBe(200)
    const results = (imported.body as unknown as { result: { errors?: { error: { message: string }[] } } }[]).map(
      (r) => r.result.errors?.error[0]?.message,
    )
    expect(results[0]).toBeUndefined()
    expect(results[2]).toBe('new node has a vector with length 3. Existing nodes have vectors with length 2')
    expect(results[3]).toMatch(/^no such prop with name 'nope' found in class 'Article'/)

    const get = async (args: string, fields = 'title _additional { id distance }') =>
      call('POST', '/v1/graphql', { query: `{ Get { Article(${args}) { ${fields} } } }` })
    // field tokenization: trimmed whole value; word tokenization: lowercased words.
    expect(((await get('where: {path: ["title"], operator: Equal, valueText: "a b"}')).body.data as any).Get.Article).toHaveLength(1)
    expect(((await get('where: {path: ["words"], operator: Equal, valueText: "hello"}')).body.data as any).Get.Article).toHaveLength(1)
    expect(
      ((await get('where: {path: ["tags"], operator: ContainsAny, valueText: ["y", "z"]}')).body.data as any).Get.Article,
    ).toHaveLength(1)
    const near = await get('nearVector: {vector: [0, 1]}, limit: 5')
    expect((near.body.data as any).Get.Article.map((o: any) => o._additional.distance)).toEqual([-2, 0])
    expect((await get('where: {path: ["title"], operator: "Equal", valueText: "c"}')).body.errors).toBeDefined()
    const filterable = await get('where: {path: ["secret"], operator: Equal, valueText: "c"}')
    expect(filterable.status).toBe(200)
    expect((filterable.body.errors as { message: string }[])[0]!.message).toMatch(/requires inverted index/)
    expect((await get('where: {operator: Not, operands: [{path: ["title"], operator: Equal, valueText: "c"}]}')).body.errors).toBeDefined()
    expect(((await get('limit: 40, offset: 11')).body.errors as { message: string }[])[0]!.message).toMatch(
      /query maximum results exceeded/,
    )
    expect((await call('POST', '/v1/graphql', { query: '{ Get { Missing { title } } }' })).body).toMatchObject({
      errors: [{ message: 'Cannot query field "Missing" on type "GetObjectsObj".' }],
    })
    expect(((await call('POST', '/v1/graphql', { query: '{ Get { Article( { title } } }' })).body.errors as unknown[]).length).toBe(1)

    await call('POST', '/v1/batch/objects', { objects: [{ class: 'Article', id: id1, vector: [1, 1], properties: { title: 'z' } }] })
    expect(
      ((await get(`where: {path: ["id"], operator: ContainsAny, valueText: ["${id1}"]}`, 'title tags')).body.data as any).Get.Article,
    ).toEqual([{ title: 'z', tags: null }])
    const deleted = await call('DELETE', '/v1/batch/objects', {
      match: { class: 'Article', where: { path: ['title'], operator: 'Equal', valueText: 'z' } },
      output: 'minimal',
    })
    expect(deleted.body.results).toEqual({ matches: 1, limit: 50, successful: 1, failed: 0, objects: null })
    expect(fake.classes.get('Article')!.objects.size).toBe(1)
  })

  it('reads GraphQL strings with every escape', () => {
    const text = 'q"uo\\te\n\t\u0001 \u2028 é 😀'
    const [get] = parseGraphQL(`query Q { Get { A(where: {path: ["x"], operator: Equal, valueText: ${toGraphQL(text)}}) { x } } }`)
    expect(plainValue(get!.selections[0]!.args.where!)).toEqual({ path: ['x'], operator: 'Equal', valueText: text })
  })
})

describe('Weaviate adapter', () => {
  let fake: FakeWeaviate
  beforeAll(async () => {
    fake = await startWeaviateServer({ apiKey: 'key' })
  })
  afterAll(() => fake.close())
  beforeEach(() => fake.server.reset())

  const store = (collection = 'm', extra: Record<string, unknown> = {}) =>
    createWeaviateVectorStore({ url: fake.url, apiKey: 'key', ...transport, ...extra }, { collection }) as WeaviateVectorStore

  it('creates a capitalised class with vectorizer none, sends the Bearer key, and round-trips hostile ids and values', async () => {
    const s = store('m', { className: 'memories' })
    await s.init({ dimensions: 2 })
    expect(fake.classes.get('Memories')).toMatchObject({ distance: 'cosine', description: 'edgemem memories (dimensions: 2)' })
    expect(fake.server.requests.every((r) => r.headers.authorization === 'Bearer key')).toBe(true)
    const hostile = 'a"} } } { Get { X'
    const payload = { user_id: '"\\\n}', text: 'x\u0000y', n: 1e21, nested: { deep: [1, null] }, none: null }
    await s.upsert([{ id: hostile, vector: vec(1, 0), payload }])
    expect(await s.get([hostile, 'missing'])).toEqual([{ id: hostile, payload }, null])
    expect((await s.list({ filter: eq('user_id', '"\\\n}'), scope: {}, limit: 10 })).records.map((r) => r.id)).toEqual([hostile])
    const [hit] = await s.search({ vector: vec(1, 0), topK: 1, filter: eq('n', 1e21), scope: {} })
    expect(hit).toMatchObject({ id: hostile })
    expect(hit!.score).toBeCloseTo(1, 6)
  })

  it('scores dot and l2-squared classes like the other stores (dot product; 1 - d²/2)', async () => {
    const dot = store('d', { className: 'Dotty', distance: 'dot' })
    await dot.upsert([{ id: 'a', vector: vec(0.6, 0.8), payload: {} }])
    expect((await dot.search({ vector: vec(1, 0), topK: 1, filter: MATCH_ALL, scope: {} }))[0]!.score).toBeCloseTo(0.6, 6)
    const l2 = store('e', { className: 'Euclid', distance: 'l2-squared' })
    await l2.upsert([{ id: 'a', vector: vec(0.6, 0.8), payload: {} }])
    expect((await l2.search({ vector: vec(1, 0), topK: 1, filter: MATCH_ALL, scope: {} }))[0]!.score).toBeCloseTo(0.6, 6)
    expect(l2.metric).toBe('euclidean')
  })

  it('keeps Memory collections apart in one class; reset removes only its own', async () => {
    const a = store('a')
    const b = store('b')
    await a.upsert([{ id: 'x', vector: vec(1, 0), payload: { k: 1 } }])
    await b.upsert([{ id: 'x', vector: vec(0, 1), payload: { k: 2 } }])
    await a.reset()
    expect(await a.get(['x'])).toEqual([null])
    expect((await b.get(['x']))[0]?.payload).toEqual({ k: 2 })
    await b.delete(['x', 'y'])
    expect(fake.classes.get('Edgemem')!.objects.size).toBe(0)
  })

  it('adopts an existing class, refuses a foreign one, and reports dimension mismatches', async () => {
    await store('a').init({ dimensions: 3 })
    const again = store('b')
    await again.init()
    expect(again.dimensions).toBe(3)
    await expect(again.init({ dimensions: 4 })).rejects.toBeInstanceOf(DimensionMismatchError)
    await fetch(`${fake.url}/v1/schema`, {
      method: 'POST',
      headers: { authorization: 'Bearer key' },
      body: JSON.stringify({ class: 'Foreign', properties: [{ name: 'title', dataType: ['text'] }] }),
    })
    await expect(store('a', { className: 'Foreign' }).init()).rejects.toBeInstanceOf(ConfigError)
    expect(() => store(' padded ')).toThrow(ConfigError)
    // Another process created the class meanwhile: the 422 "already exists" is adopted.
    const racer = store('r', { className: 'Racer' })
    await store('s', { className: 'Racer' }).init({ dimensions: 2 })
    ;(racer as unknown as { discovered: { get: () => Promise<void> } }).discovered = { get: async () => {} }
    await racer.init({ dimensions: 2 })
    expect(racer.dimensions).toBe(2)
  })

  it('turns GraphQL errors (HTTP 200) and per-object import errors into RemoteError with the service message', async () => {
    const s = store()
    await s.init({ dimensions: 2 })
    fake.server.injectFault({
      kind: 'status',
      status: 200,
      body: { data: { Get: { Edgemem: null } }, errors: [{ message: 'boom from graphql' }] },
    })
    const error = (await s.search({ vector: vec(1, 0), topK: 1, filter: MATCH_ALL, scope: {} }).catch((e: unknown) => e)) as RemoteError
    expect(error).toBeInstanceOf(RemoteError)
    expect(error.serviceMessage).toBe('boom from graphql')
    fake.server.injectFault({
      kind: 'status',
      status: 200,
      body: [{ id: 'x', result: { errors: { error: [{ message: 'store is read-only' }] } } }],
    })
    await expect(s.upsert([{ id: 'a', vector: vec(1, 0), payload: {} }])).rejects.toMatchObject({ serviceMessage: 'store is read-only' })
    fake.server.injectFault({ kind: 'status', status: 401, body: { code: 401, message: 'unauthorized: invalid api key' } })
    await expect(s.get(['a'])).rejects.toMatchObject({ status: 401, serviceMessage: 'unauthorized: invalid api key' })
  })

  it('compiles equality to ContainsAny on value tokens, exact unless field tokenization would trim the value', () => {
    expect(compileWeaviateFilter(eq('color', 'red'))).toEqual({
      native: { kind: 'expr', expr: { operator: 'ContainsAny', path: ['emTokens'], valueText: ['s5:color=red'] } },
      exact: true,
    })
    expect(compileWeaviateFilter(eq('color', 'red ')).exact).toBe(false)
    expect(toGraphQL({ operator: 'ContainsAny', path: ['emTokens'], valueText: ['a"b'] })).toBe(
      '{operator: ContainsAny, path: ["emTokens"], valueText: ["a\\"b"]}',
    )
  })
})
