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

/**
 * A local Elasticsearch 8.x / OpenSearch 2.x REST server, for the parts edgemem uses: index creation with
 * mappings (dense_vector / knn_vector, dynamic templates by `path_match`, keyword `ignore_above`, objects
 * with `enabled: false`), `_mapping`, `_bulk` (NDJSON, newline-terminated, per-item errors in a 200
 * answer), `_mget`, `_search` with the query DSL subset `bool` (filter/must/should/must_not with
 * Elasticsearch's `minimum_should_match` default: 1 only without must/filter), `term`, `terms`, `range`,
 * `exists`, `match_all`, `sort` + `search_after`, `_source` includes and `index.max_result_window`;
 * kNN search (Elasticsearch's top-level `knn` with `filter`; OpenSearch's `query.knn.<field>`) scored as
 * the engines document; `_delete_by_query`; the `{error: {root_cause, type, reason}, status}` error body.
 */
export type Engine = 'elasticsearch' | 'opensearch'

interface Index {
  mappings: {
    dynamic_templates?: Record<string, { path_match: string; mapping: Record<string, unknown> }>[]
    properties: Record<string, Record<string, unknown>>
  }
  /** Leaf field types by full path, as dynamic mapping adds them. */
  fields: Map<string, Record<string, unknown>>
  docs: Map<string, Record<string, unknown>>
}

export interface FakeSearchEngine {
  server: FakeHttpServer
  url: string
  engine: Engine
  indices: Map<string, Index>
  /** Whether the stored document matches the query DSL, as `_search` evaluates it. */
  matches(index: string, query: unknown, id: string): boolean
  close(): Promise<void>
}

class EngineError extends Error {
  readonly status: number
  readonly type: string
  constructor(status: number, type: string, reason: string) {
    super(reason)
    this.status = status
    this.type = type
  }
}
const bad = (type: string, reason: string) => new EngineError(400, type, reason)

type Query = (doc: Record<string, unknown>) => boolean

/** Every value of a field path in a document (objects descended, arrays flattened). */
function valuesAt(source: Record<string, unknown>, path: string): unknown[] {
  let current: unknown[] = [source]
  for (const segment of path.split('.')) {
    const next: unknown[] = []
    for (const value of current) {
      if (isPlainObject(value) && segment in value) {
        const v = value[segment]
        if (Array.isArray(v)) next.push(...v.flat(Infinity))
        else next.push(v)
      }
    }
    current = next
  }
  return current.filter((v) => v !== null && v !== undefined)
}

export async function startSearchEngineServer(options: { engine: Engine; apiKey?: string }): Promise<FakeSearchEngine> {
  const { engine } = options
  const indices = new Map<string, Index>()

  const index = (name: string): Index => {
    const found = indices.get(name)
    if (!found) throw new EngineError(404, 'index_not_found_exception', `no such index [${name}]`)
    return found
  }

  const fieldType = (idx: Index, path: string): Record<string, unknown> | undefined => idx.fields.get(path) ?? idx.mappings.properties[path]

  /** The indexed values of a field: keyword values above ignore_above are not indexed. */
  const indexed = (idx: Index, doc: Record<string, unknown>, path: string): unknown[] => {
    const type = fieldType(idx, path)
    if (!type) return []
    const values = valuesAt(doc, path)
    if (type.type === 'keyword' && typeof type.ignore_above === 'number')
      return values.filter((v) => typeof v !== 'string' || v.length <= (type.ignore_above as number))
    return values
  }

  const coerce = (idx: Index, path: string, value: unknown): unknown => {
    const type = fieldType(idx, path)?.type
    if (type === 'double' && typeof value !== 'number')
      throw bad('query_shard_exception', `failed to create query: For input string: "${String(value)}"`)
    if (type === 'boolean' && typeof value !== 'boolean')
      throw bad('query_shard_exception', `failed to create query: Can't parse boolean value [${String(value)}]`)
    return value
  }

  const single = (clause: unknown, what: string): [string, unknown] => {
    if (!isPlainObject(clause) || Object.keys(clause).length !== 1)
      throw bad('parsing_exception', `[${what}] query malformed, no start_object after query name`)
    return Object.entries(clause)[0]!
  }

  const parseQuery = (idx: Index, json: unknown): Query => {
    const [kind, body] = single(json, 'query')
    switch (kind) {
      case 'match_all':
        return () => true
      case 'term': {
        const [path, raw] = single(body, 'term')
        const value = coerce(idx, path, isPlainObject(raw) ? raw.value : raw)
        return (doc) => indexed(idx, doc, path).some((v) => v === value)
      }
      case 'terms': {
        const [path, raw] = single(body, 'terms')
        if (!Array.isArray(raw)) throw bad('parsing_exception', '[terms] query does not support [...]')
        const values = raw.map((v) => coerce(idx, path, v))
        return (doc) => indexed(idx, doc, path).some((v) => values.includes(v))
      }
      case 'range': {
        const [path, raw] = single(body, 'range')
        if (!isPlainObject(raw)) throw bad('parsing_exception', '[range] query malformed')
        const tests = Object.entries(raw).map(([op, bound]) => {
          const b = coerce(idx, path, bound) as number
          if (op === 'gt') return (v: number) => v > b
          if (op === 'gte') return (v: number) => v >= b
          if (op === 'lt') return (v: number) => v < b
          if (op === 'lte') return (v: number) => v <= b
          throw bad('parsing_exception', `[range] query does not support [${op}]`)
        })
        return (doc) => indexed(idx, doc, path).some((v) => typeof v === 'number' && tests.every((t) => t(v)))
      }
      case 'exists': {
        const field = (body as { field?: unknown }).field
        if (typeof field !== 'string') throw bad('parsing_exception', '[exists] must be provided with a [field]')
        return (doc) => indexed(idx, doc, field).length > 0
      }
      case 'bool': {
        if (!isPlainObject(body)) throw bad('parsing_exception', '[bool] malformed query')
        const list = (key: string): Query[] => {
          const raw = body[key]
          if (raw === undefined) return []
          return (Array.isArray(raw) ? raw : [raw]).map((q) => parseQuery(idx, q))
        }
        const must = [...list('must'), ...list('filter')]
        const should = list('should')
        const mustNot = list('must_not')
        const minimum =
          body.minimum_should_match !== undefined ? Number(body.minimum_should_match) : should.length > 0 && must.length === 0 ? 1 : 0
        return (doc) => must.every((q) => q(doc)) && !mustNot.some((q) => q(doc)) && should.filter((q) => q(doc)).length >= minimum
      }
      default:
        throw bad('parsing_exception', `unknown query [${kind}]`)
    }
  }

  const vectorField = (idx: Index): [string, Record<string, unknown>] => {
    const found = Object.entries(idx.mappings.properties).find(
      ([, m]) => m.type === (engine === 'elasticsearch' ? 'dense_vector' : 'knn_vector'),
    )
    if (!found) throw bad('illegal_argument_exception', 'no vector field')
    return found
  }

  const score = (mapping: Record<string, unknown>, q: number[], v: number[]): number => {
    if (engine === 'elasticsearch') {
      switch (mapping.similarity ?? 'cosine') {
        case 'cosine':
          return (1 + dotProduct(normalized(q), normalized(v))) / 2
        case 'dot_product':
          return (1 + dotProduct(q, v)) / 2
        case 'l2_norm':
          return 1 / (1 + squaredL2(q, v))
        default: {
          const dot = dotProduct(q, v)
          return dot < 0 ? 1 / (1 - dot) : dot + 1
        }
      }
    }
    const space = (mapping.method as { space_type?: string } | undefined)?.space_type ?? mapping.space_type ?? 'l2'
    if (space === 'cosinesimil') return (2 - (1 - dotProduct(normalized(q), normalized(v)))) / 2
    if (space === 'l2') return 1 / (1 + squaredL2(q, v))
    const dot = dotProduct(q, v)
    return dot > 0 ? dot + 1 : 1 / (1 - dot)
  }

  const filterSource = (source: Record<string, unknown>, includes: unknown, vectorName: string): Record<string, unknown> => {
    const out = clone(source)
    if (Array.isArray(includes)) {
      for (const key of Object.keys(out)) if (!includes.includes(key)) delete out[key]
    } else if (includes === false) return {}
    void vectorName
    return out
  }

  /** Dynamic mapping of a document's new leaf fields; a value of the wrong type is a document_parsing_exception. */
  const indexDocument = (idx: Index, id: string, source: Record<string, unknown>): void => {
    const [vectorName, vectorMapping] = vectorField(idx)
    const vector = source[vectorName]
    const dims = (vectorMapping.dims ?? vectorMapping.dimension) as number
    if (!Array.isArray(vector) || !vector.every((x) => typeof x === 'number'))
      throw bad('document_parsing_exception', `[1:1] failed to parse field [${vectorName}]`)
    if (vector.length !== dims) {
      throw engine === 'elasticsearch'
        ? bad(
            'document_parsing_exception',
            `[1:1] failed to parse: The [dense_vector] field [${vectorName}] in doc [document with id '${id}'] has a different number of dimensions [${vector.length}] than defined in the mapping [${dims}]`,
          )
        : bad('mapper_parsing_exception', `Vector dimension mismatch. Expected: ${dims}, Given: ${vector.length}`)
    }
    for (const [top, mapping] of Object.entries(idx.mappings.properties)) {
      if (mapping.type !== 'object' || mapping.enabled === false || !isPlainObject(source[top])) continue
      for (const [leaf, value] of Object.entries(source[top] as Record<string, unknown>)) {
        const path = `${top}.${leaf}`
        let type = idx.fields.get(path)
        if (!type) {
          const template = idx.mappings.dynamic_templates
            ?.map((t) => Object.values(t)[0]!)
            .find((t) => new RegExp(`^${t.path_match.replace(/\./g, '\\.').replace(/\*/g, '.*')}$`).test(path))
          if (!template) continue
          type = template.mapping
          idx.fields.set(path, type)
        }
        const values = (Array.isArray(value) ? value : [value]).filter((v) => v !== null)
        const ok = values.every((v) =>
          type!.type === 'keyword' ? typeof v === 'string' : type!.type === 'double' ? typeof v === 'number' : typeof v === 'boolean',
        )
        if (!ok)
          throw bad(
            'document_parsing_exception',
            `[1:1] failed to parse field [${path}] of type [${String(type.type)}] in document with id '${id}'`,
          )
      }
    }
    idx.docs.set(id, clone(source))
  }

  const body = (req: FakeRequest): Record<string, unknown> => {
    const parsed = parseJsonBody(req.bodyText)
    if (!parsed.ok) throw bad('x_content_parse_exception', `Failed to parse request body: ${parsed.error}`)
    return (parsed.value ?? {}) as Record<string, unknown>
  }

  const search = (idx: Index, b: Record<string, unknown>) => {
    const size = b.size === undefined ? 10 : Number(b.size)
    const from = b.from === undefined ? 0 : Number(b.from)
    if (from + size > 10_000)
      throw bad(
        'illegal_argument_exception',
        `Result window is too large, from + size must be less than or equal to: [10000] but was [${from + size}].`,
      )
    const [vectorName, vectorMapping] = vectorField(idx)
    let hits: { id: string; doc: Record<string, unknown>; score: number }[]
    let knn: { vector: number[]; k: number; filter?: unknown } | undefined
    let query = b.query
    if (engine === 'elasticsearch' && b.knn !== undefined) {
      const k = b.knn as Record<string, unknown>
      if (typeof k.k !== 'number' || typeof k.num_candidates !== 'number' || k.num_candidates < k.k || k.num_candidates > 10_000)
        throw bad('illegal_argument_exception', '[num_candidates] cannot be less than [k] or exceed [10000]')
      knn = { vector: k.query_vector as number[], k: k.k, filter: k.filter }
    } else if (engine === 'opensearch' && isPlainObject(query) && 'knn' in query) {
      const inner = (query.knn as Record<string, Record<string, unknown>>)[vectorName]
      if (!inner) throw bad('illegal_argument_exception', 'knn field not found')
      knn = { vector: inner.vector as number[], k: inner.k as number, filter: inner.filter }
      query = undefined
    }
    const docs = [...idx.docs.entries()]
    if (knn) {
      const dims = (vectorMapping.dims ?? vectorMapping.dimension) as number
      if (!Array.isArray(knn.vector) || knn.vector.length !== dims)
        throw engine === 'elasticsearch'
          ? bad(
              'illegal_argument_exception',
              `The query vector has a different number of dimensions [${knn.vector?.length}] than the document vectors [${dims}].`,
            )
          : bad('illegal_argument_exception', `Query vector has invalid dimension: ${knn.vector?.length}. Dimension should be: ${dims}`)
      const filter = knn.filter === undefined ? () => true : parseQuery(idx, knn.filter)
      hits = docs
        .filter(([, doc]) => filter(doc))
        .map(([id, doc]) => ({ id, doc, score: Math.fround(score(vectorMapping, knn!.vector, doc[vectorName] as number[])) }))
        .sort((x, y) => y.score - x.score)
        .slice(0, knn.k)
    } else {
      const q = query === undefined ? () => true : parseQuery(idx, query)
      hits = docs.filter(([, doc]) => q(doc)).map(([id, doc]) => ({ id, doc, score: 1 }))
    }
    const sort = b.sort as Record<string, string>[] | undefined
    let sortKey: string | undefined
    if (sort) {
      sortKey = Object.keys(sort[0]!)[0]!
      const key = (doc: Record<string, unknown>) => String(indexed(idx, doc, sortKey!)[0] ?? '')
      hits.sort((x, y) => (key(x.doc) < key(y.doc) ? -1 : key(x.doc) > key(y.doc) ? 1 : 0))
      if (Array.isArray(b.search_after)) {
        const after = String(b.search_after[0])
        hits = hits.filter((h) => key(h.doc) > after)
      }
    }
    const page = hits.slice(from, from + size)
    return {
      took: 1,
      timed_out: false,
      _shards: { total: 1, successful: 1, skipped: 0, failed: 0 },
      hits: {
        total: { value: hits.length, relation: 'eq' },
        max_score: page[0]?.score ?? null,
        hits: page.map((h) => ({
          _index: '',
          _id: h.id,
          _score: sortKey ? null : h.score,
          _source: filterSource(h.doc, b._source, vectorName),
          ...(sortKey ? { sort: [indexed(idx, h.doc, sortKey)[0]] } : {}),
        })),
      },
    }
  }

  const bulk = (req: FakeRequest) => {
    if (!req.bodyText.endsWith('\n')) throw bad('illegal_argument_exception', 'The bulk request must be terminated by a newline [\\n]')
    const lines = req.bodyText.split('\n').filter((l) => l.length > 0)
    const items: Record<string, unknown>[] = []
    for (let i = 0; i < lines.length; i++) {
      const action = JSON.parse(lines[i]!) as Record<string, { _index?: string; _id?: string }>
      const [kind, meta] = Object.entries(action)[0]!
      const name = meta._index ?? ''
      const id = meta._id ?? crypto.randomUUID()
      if (kind === 'index') {
        const source = JSON.parse(lines[++i]!) as Record<string, unknown>
        try {
          const idx = index(name)
          const existed = idx.docs.has(id)
          indexDocument(idx, id, source)
          items.push({ index: { _index: name, _id: id, result: existed ? 'updated' : 'created', status: existed ? 200 : 201 } })
        } catch (err) {
          if (!(err instanceof EngineError)) throw err
          items.push({ index: { _index: name, _id: id, status: err.status, error: { type: err.type, reason: err.message } } })
        }
      } else if (kind === 'delete') {
        const idx = indices.get(name)
        if (!idx) {
          items.push({
            delete: { _index: name, _id: id, status: 404, error: { type: 'index_not_found_exception', reason: `no such index [${name}]` } },
          })
          continue
        }
        const existed = idx.docs.delete(id)
        items.push({ delete: { _index: name, _id: id, result: existed ? 'deleted' : 'not_found', status: existed ? 200 : 404 } })
      } else
        throw bad(
          'illegal_argument_exception',
          `Malformed action/metadata line [${i + 1}], expected one of [create, delete, index, update] but found [${kind}]`,
        )
    }
    return { took: 1, errors: items.some((item) => 'error' in (Object.values(item)[0] as Record<string, unknown>)), items }
  }

  type Route = { method: string; pattern: RegExp; run: (req: FakeRequest, params: string[]) => unknown }
  const routes: Route[] = [
    {
      method: 'GET',
      pattern: /^\/$/,
      run: () =>
        engine === 'elasticsearch'
          ? { name: 'fake', cluster_name: 'fake', version: { number: '8.15.0' }, tagline: 'You Know, for Search' }
          : {
              name: 'fake',
              cluster_name: 'fake',
              version: { distribution: 'opensearch', number: '2.17.0' },
              tagline: 'The OpenSearch Project: https://opensearch.org/',
            },
    },
    { method: 'POST', pattern: /^\/_bulk$/, run: (req) => bulk(req) },
    {
      method: 'PUT',
      pattern: /^\/([^/_][^/]*)$/,
      run: (req, [name]) => {
        if (indices.has(name!)) throw bad('resource_already_exists_exception', `index [${name}/abc123] already exists`)
        if (!/^[a-z0-9][^A-Z\\/*?"<>|,#:\s]*$/.test(name!))
          throw bad('invalid_index_name_exception', `Invalid index name [${name}], must be lowercase`)
        const b = body(req)
        const mappings = b.mappings as Index['mappings'] | undefined
        if (!mappings?.properties) throw bad('mapper_parsing_exception', 'Failed to parse mapping: properties missing')
        const settings = (b.settings ?? {}) as Record<string, unknown>
        for (const m of Object.values(mappings.properties)) {
          if (m.type === 'knn_vector' && engine === 'opensearch' && settings['index.knn'] !== true)
            throw bad('mapper_parsing_exception', 'Failed to parse mapping: index.knn must be true to use a method')
          if (m.type === 'knn_vector' && engine === 'elasticsearch')
            throw bad('mapper_parsing_exception', 'No handler for type [knn_vector] declared on field [vector]')
          if (m.type === 'dense_vector' && engine === 'opensearch')
            throw bad('mapper_parsing_exception', 'No handler for type [dense_vector] declared on field [vector]')
        }
        indices.set(name!, { mappings: clone(mappings), fields: new Map(), docs: new Map() })
        return { acknowledged: true, shards_acknowledged: true, index: name }
      },
    },
    {
      method: 'DELETE',
      pattern: /^\/([^/_][^/]*)$/,
      run: (_req, [name]) => {
        index(name!)
        indices.delete(name!)
        return { acknowledged: true }
      },
    },
    {
      method: 'GET',
      pattern: /^\/([^/_][^/]*)\/_mapping$/,
      run: (_req, [name]) => {
        const idx = index(name!)
        const dynamic = Object.fromEntries(
          ['s', 'n', 'b'].map((top) => [
            top,
            {
              properties: Object.fromEntries(
                [...idx.fields].filter(([p]) => p.startsWith(`${top}.`)).map(([p, t]) => [p.slice(top.length + 1), t]),
              ),
            },
          ]),
        )
        return { [name!]: { mappings: { ...clone(idx.mappings), properties: { ...clone(idx.mappings.properties), ...dynamic } } } }
      },
    },
    {
      method: 'POST',
      pattern: /^\/([^/_][^/]*)\/_mget$/,
      run: (req, [name]) => {
        const idx = index(name!)
        const docs = body(req).docs as { _id: string; _source?: unknown }[]
        if (!Array.isArray(docs)) throw bad('action_request_validation_exception', 'Validation Failed: 1: no documents to get;')
        return {
          docs: docs.map((d) => {
            const doc = idx.docs.get(d._id)
            return doc
              ? { _index: name, _id: d._id, _version: 1, found: true, _source: filterSource(doc, d._source, 'vector') }
              : { _index: name, _id: d._id, found: false }
          }),
        }
      },
    },
    { method: 'POST', pattern: /^\/([^/_][^/]*)\/_search$/, run: (req, [name]) => search(index(name!), body(req)) },
    {
      method: 'POST',
      pattern: /^\/([^/_][^/]*)\/_delete_by_query$/,
      run: (req, [name]) => {
        const idx = index(name!)
        const q = parseQuery(idx, body(req).query)
        let deleted = 0
        for (const [id, doc] of idx.docs) {
          if (!q(doc)) continue
          idx.docs.delete(id)
          deleted++
        }
        return { took: 1, timed_out: false, total: deleted, deleted, failures: [] }
      },
    },
  ]

  const handle = (req: FakeRequest): FakeResponse => {
    if (options.apiKey !== undefined) {
      const auth = req.headers.authorization
      if (auth !== `ApiKey ${options.apiKey}`) {
        const reason = auth
          ? 'unable to authenticate with provided credentials and anonymous access is not allowed for this request'
          : `missing authentication credentials for REST request [${req.path}]`
        return {
          status: 401,
          headers: { 'WWW-Authenticate': 'ApiKey' },
          body: { error: { root_cause: [{ type: 'security_exception', reason }], type: 'security_exception', reason }, status: 401 },
        }
      }
    }
    for (const route of routes) {
      const match = route.pattern.exec(req.path)
      if (!match || route.method !== req.method) continue
      try {
        return {
          status: 200,
          body: route.run(
            req,
            match.slice(1).map((s) => decodeURIComponent(s)),
          ),
        }
      } catch (err) {
        if (err instanceof EngineError)
          return {
            status: err.status,
            body: {
              error: { root_cause: [{ type: err.type, reason: err.message }], type: err.type, reason: err.message },
              status: err.status,
            },
          }
        throw err
      }
    }
    return { status: 405, body: { error: `Incorrect HTTP method for uri [${req.path}] and method [${req.method}]`, status: 405 } }
  }

  const server = await startFakeServer(handle, () => indices.clear())
  const matches = (name: string, query: unknown, id: string): boolean => {
    const idx = index(name)
    return parseQuery(idx, query)(idx.docs.get(id)!)
  }
  return { server, url: server.url, engine, indices, matches, close: () => server.close() }
}
