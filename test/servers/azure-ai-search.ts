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
import { evaluateOData, ODataError, parseOData, type ODataNode } from './azure-odata.ts'

/**
 * A local Azure AI Search REST server (data plane, api-version 2024-07-01), after the public REST
 * reference: `api-key` auth (401 without a key, 403 with a wrong one, empty bodies), a required
 * `api-version` query parameter, `{error: {code, message}}` error bodies, indexes created with
 * `PUT /indexes/{name}` (201; `If-None-Match: *` makes it create-only: 412 when it exists), read with GET
 * (404 when missing), documents written with `POST /indexes/{name}/docs/index` (at most 1000 actions;
 * 200 when every action succeeded, 207 otherwise, per-document `{key, status, errorMessage, statusCode}`;
 * keys of letters, digits, `_ - =`), and `POST /indexes/{name}/docs/search` with `filter` (OData,
 * azure-odata.ts), `orderby`, `select` (retrievable fields only), `top` (at most 1000), `skip`, and
 * `vectorQueries` of kind `vector` (pre-filtered, exhaustive) scored `1 / (1 + distance)`: documented for
 * cosine (`1 / (1 + (1 - cos))`), assumed for euclidean (the adapter does not rely on it). Vector search is exact here; the service's HNSW is
 * approximate.
 */

interface Field {
  name: string
  type: string
  key?: boolean
  filterable?: boolean
  sortable?: boolean
  retrievable?: boolean
  searchable?: boolean
  dimensions?: number
  vectorSearchProfile?: string
}

interface Index {
  definition: Record<string, unknown> & { fields: Field[] }
  metric: 'cosine' | 'euclidean'
  key: string
  docs: Map<string, Record<string, unknown>>
}

export interface FakeAzureSearch {
  server: FakeHttpServer
  url: string
  apiKey: string
  indexes: Map<string, Index>
  close(): Promise<void>
}

class AzureError extends Error {
  readonly status: number
  constructor(status: number, message: string) {
    super(message)
    this.status = status
  }
}

const KEY = /^[A-Za-z0-9_\-=]{1,1024}$/
const INDEX_NAME = /^[a-z0-9](?:[a-z0-9-]{0,126}[a-z0-9])?$/
const SEARCH_KEYS = ['search', 'filter', 'select', 'top', 'skip', 'orderby', 'vectorQueries', 'vectorFilterMode', 'count']
const MAX_TOP = 1000
const MAX_SKIP = 100_000

export async function startAzureSearchServer(options: { apiKey?: string } = {}): Promise<FakeAzureSearch> {
  const apiKey = options.apiKey ?? 'admin-key'
  const indexes = new Map<string, Index>()

  const fail = (status: number, message: string): FakeResponse => ({ status, body: { error: { code: '', message } } })

  const index = (name: string): Index => {
    const found = indexes.get(name)
    if (!found) throw new AzureError(404, `The index '${name}' for service 'fake' was not found.`)
    return found
  }

  const createIndex = (name: string, body: unknown): Index => {
    if (!isPlainObject(body) || !Array.isArray(body.fields))
      throw new AzureError(400, "The request is invalid. Details: index : The 'fields' property is required.")
    if (body.name !== undefined && body.name !== name)
      throw new AzureError(
        400,
        `The request is invalid. Details: The index name '${String(body.name)}' in the request body does not match the index name '${name}' in the request URI.`,
      )
    if (!INDEX_NAME.test(name))
      throw new AzureError(
        400,
        `Invalid index name '${name}'. Index names must only contain lowercase letters, digits or dashes, cannot start or end with dashes and are limited to 128 characters.`,
      )
    const fields = body.fields as Field[]
    const keys = fields.filter((f) => f.key === true)
    if (keys.length !== 1 || keys[0]!.type !== 'Edm.String')
      throw new AzureError(400, 'The request is invalid. Details: index : The index must contain exactly one key field of type Edm.String.')
    const vectorSearch = (body.vectorSearch ?? {}) as {
      profiles?: { name: string; algorithm: string }[]
      algorithms?: Record<string, unknown>[]
    }
    let metric: Index['metric'] = 'cosine'
    for (const field of fields) {
      if (!/^[A-Za-z][A-Za-z0-9_]{0,127}$/.test(field.name) || field.name.startsWith('azureSearch'))
        throw new AzureError(400, `The request is invalid. Details: index : Invalid field name '${field.name}'.`)
      if (field.type !== 'Collection(Edm.Single)') continue
      if (!Number.isInteger(field.dimensions) || field.dimensions! < 2 || field.dimensions! > 4096)
        throw new AzureError(
          400,
          `The request is invalid. Details: index : The vector field '${field.name}' must have a 'dimensions' property between 2 and 4096.`,
        )
      const profile = vectorSearch.profiles?.find((p) => p.name === field.vectorSearchProfile)
      const algorithm = vectorSearch.algorithms?.find((a) => a.name === profile?.algorithm)
      if (!profile || !algorithm)
        throw new AzureError(
          400,
          `The request is invalid. Details: index : The vector field '${field.name}' refers to a vector search profile '${String(field.vectorSearchProfile)}' that does not exist.`,
        )
      const params = (algorithm.hnswParameters ?? algorithm.exhaustiveKnnParameters ?? {}) as { metric?: string }
      const m = params.metric ?? 'cosine'
      if (m !== 'cosine' && m !== 'euclidean') throw new AzureError(400, `fake Azure AI Search: metric '${m}' is not modelled`)
      metric = m
    }
    const defaults = (f: Field): Field => ({ retrievable: true, filterable: false, sortable: false, searchable: false, ...f })
    const definition = { ...clone(body), name, fields: fields.map(defaults) } as Index['definition']
    return { definition, metric, key: keys[0]!.name, docs: new Map() }
  }

  const fieldOf = (ix: Index, name: string): Field | undefined => ix.definition.fields.find((f) => f.name === name)

  const checkDocument = (ix: Index, doc: Record<string, unknown>): void => {
    for (const [name, value] of Object.entries(doc)) {
      if (name === '@search.action') continue
      const field = fieldOf(ix, name)
      if (!field)
        throw new AzureError(
          400,
          `The request is invalid. Details: The property '${name}' does not exist on type 'search.documentFields'. Make sure to only use property names that are defined by the type.`,
        )
      if (value === null) continue
      if (field.type === 'Edm.String' && typeof value !== 'string')
        throw new AzureError(
          400,
          `The request is invalid. Details: Cannot convert the literal '${JSON.stringify(value)}' to the expected type 'Edm.String'.`,
        )
      if (field.type === 'Collection(Edm.String)' && !(Array.isArray(value) && value.every((v) => typeof v === 'string')))
        throw new AzureError(400, `The request is invalid. Details: A value of type 'Collection(Edm.String)' was expected for '${name}'.`)
      if (field.type === 'Collection(Edm.Single)') {
        if (!Array.isArray(value) || !value.every((v) => typeof v === 'number'))
          throw new AzureError(400, `The request is invalid. Details: A value of type 'Collection(Edm.Single)' was expected for '${name}'.`)
        if (value.length !== field.dimensions)
          throw new AzureError(
            400,
            `The request is invalid. Details: actions : 0: There's a mismatch in vector dimensions. The vector field '${name}', with dimension of '${field.dimensions}', expects a length of '${field.dimensions}'. However, the provided vector has a length of '${value.length}'. Please ensure that the vector length matches the expected length of the vector field.`,
          )
      }
    }
  }

  const indexDocs = (ix: Index, body: unknown): FakeResponse => {
    if (!isPlainObject(body) || !Array.isArray(body.value))
      throw new AzureError(400, "The request is invalid. Details: actions : The 'value' property is required.")
    const actions = body.value as Record<string, unknown>[]
    if (actions.length > 1000)
      throw new AzureError(413, `The request is invalid. Details: The batch contains ${actions.length} actions; at most 1000 are allowed.`)
    for (const action of actions) checkDocument(ix, action)
    const results = actions.map((action) => {
      const kind = action['@search.action'] ?? 'upload'
      const key = action[ix.key]
      if (typeof key !== 'string' || !KEY.test(key)) {
        return {
          key: typeof key === 'string' ? key : null,
          status: false,
          errorMessage: `Invalid document key: '${String(key)}'. Keys can only contain letters, digits, underscore (_), dash (-), or equal sign (=).`,
          statusCode: 400,
        }
      }
      const existing = ix.docs.get(key)
      const { '@search.action': _, ...fields } = action
      switch (kind) {
        case 'upload':
          ix.docs.set(key, clone(fields))
          return { key, status: true, errorMessage: null, statusCode: existing ? 200 : 201 }
        case 'merge':
          if (!existing) return { key, status: false, errorMessage: 'Document not found.', statusCode: 404 }
          ix.docs.set(key, { ...existing, ...clone(fields) })
          return { key, status: true, errorMessage: null, statusCode: 200 }
        case 'mergeOrUpload':
          ix.docs.set(key, { ...existing, ...clone(fields) })
          return { key, status: true, errorMessage: null, statusCode: existing ? 200 : 201 }
        case 'delete':
          ix.docs.delete(key)
          return { key, status: true, errorMessage: null, statusCode: 200 }
        default:
          throw new AzureError(400, `The request is invalid. Details: Invalid action '${String(kind)}'.`)
      }
    })
    return { status: results.every((r) => r.status) ? 200 : 207, body: { value: results } }
  }

  const score = (ix: Index, query: number[], stored: number[]): number => {
    if (ix.metric === 'cosine') return 1 / (1 + (1 - dotProduct(normalized(query), normalized(stored))))
    return 1 / (1 + Math.sqrt(squaredL2(query, stored)))
  }

  const search = (ix: Index, body: unknown): FakeResponse => {
    if (!isPlainObject(body)) throw new AzureError(400, 'The request is invalid. Details: parameters : The parameters are required.')
    for (const key of Object.keys(body))
      if (!SEARCH_KEYS.includes(key))
        throw new AzureError(
          400,
          `The request is invalid. Details: The parameter '${key}' in the request payload is not a valid parameter for the operation 'search'.`,
        )
    const top = body.top === undefined ? undefined : Number(body.top)
    if (top !== undefined && (!Number.isInteger(top) || top < 0)) throw new AzureError(400, "Invalid value for '$top'.")
    const skip = body.skip === undefined ? 0 : Number(body.skip)
    if (!Number.isInteger(skip) || skip < 0 || skip > MAX_SKIP)
      throw new AzureError(400, `Value must be between 0 and ${MAX_SKIP}.\r\nParameter name: $skip`)
    let node: ODataNode | undefined
    if (typeof body.filter === 'string') {
      try {
        node = parseOData(body.filter, (name) => {
          const field = fieldOf(ix, name)
          return !field ? 'unknown' : field.filterable ? 'filterable' : 'not-filterable'
        })
      } catch (err) {
        if (err instanceof ODataError) throw new AzureError(400, err.message)
        throw err
      }
    }
    const select = typeof body.select === 'string' ? body.select.split(',').map((s) => s.trim()) : undefined
    for (const name of select ?? []) {
      const field = fieldOf(ix, name)
      if (!field)
        throw new AzureError(
          400,
          `Invalid expression: Could not find a property named '${name}' on type 'search.document'.\r\nParameter name: $select`,
        )
      if (field.retrievable === false)
        throw new AzureError(400, `The field '${name}' is not retrievable and cannot be selected.\r\nParameter name: $select`)
    }
    let docs = [...ix.docs.values()].filter((d) => (node ? evaluateOData(node, d) : true))
    let scored: { doc: Record<string, unknown>; score: number }[]
    const vectorQueries = body.vectorQueries
    if (Array.isArray(vectorQueries) && vectorQueries.length > 0) {
      const vq = vectorQueries[0] as { kind?: string; vector?: unknown; k?: number; fields?: string }
      const field = fieldOf(ix, vq.fields ?? '')
      if (vq.kind !== 'vector' || !field || field.type !== 'Collection(Edm.Single)')
        throw new AzureError(400, `The request is invalid. Details: The field '${String(vq.fields)}' is not a vector field.`)
      if (!Array.isArray(vq.vector) || vq.vector.length !== field.dimensions)
        throw new AzureError(
          400,
          `The request is invalid. Details: There's a mismatch in vector dimensions. The vector field '${field.name}', with dimension of '${field.dimensions}', expects a length of '${field.dimensions}'. However, the provided vector has a length of '${Array.isArray(vq.vector) ? vq.vector.length : 0}'. Please ensure that the vector length matches the expected length of the vector field.`,
        )
      const k = vq.k ?? 50
      scored = docs
        .filter((d) => Array.isArray(d[field.name]))
        .map((doc) => ({ doc, score: score(ix, vq.vector as number[], doc[field.name] as number[]) }))
        .sort((a, b) => b.score - a.score)
        .slice(0, k)
    } else {
      if (typeof body.orderby === 'string') {
        const orders = body.orderby.split(',').map((part) => {
          const [name, direction = 'asc'] = part.trim().split(/\s+/)
          const field = fieldOf(ix, name!)
          if (!field?.sortable)
            throw new AzureError(400, `Invalid expression: The field '${name}' is not sortable.\r\nParameter name: $orderby`)
          return { name: name!, sign: direction === 'desc' ? -1 : 1 }
        })
        docs = docs.sort((a, b) => {
          for (const { name, sign } of orders) {
            const x = a[name] as string | number
            const y = b[name] as string | number
            if (x !== y) return (x < y ? -1 : 1) * sign
          }
          return 0
        })
      }
      scored = docs.map((doc) => ({ doc, score: 1 }))
    }
    const limit = Math.min(top ?? 50, MAX_TOP)
    const page = scored.slice(skip, skip + limit)
    const value = page.map(({ doc, score: s }) => {
      const out: Record<string, unknown> = { '@search.score': s }
      for (const field of ix.definition.fields) {
        if (field.retrievable === false) continue
        if (select && !select.includes(field.name)) continue
        out[field.name] = clone(doc[field.name] ?? null)
      }
      return out
    })
    return {
      status: 200,
      body: { '@odata.context': `https://fake.search.windows.net/indexes('${ix.definition.name}')/$metadata#docs(*)`, value },
    }
  }

  const handle = (req: FakeRequest): FakeResponse => {
    const given = req.headers['api-key']
    if (given === undefined) return { status: 401, body: '' }
    if (given !== apiKey) return { status: 403, body: '' }
    if (!req.query.get('api-version')) return fail(400, 'Invalid or missing api-version query string parameter.')
    const parsed = parseJsonBody(req.bodyText)
    if (!parsed.ok) return fail(400, `The request is invalid. Details: parameters : ${parsed.error}`)
    const match = /^\/indexes(?:\/([^/]+))?(\/docs(?:\/(index|search))?)?$/.exec(req.path)
    if (!match) return fail(404, `No HTTP resource was found that matches the request URI '${req.path}'.`)
    const name = match[1] ? decodeURIComponent(match[1]) : undefined
    try {
      if (!name) return fail(405, 'The requested resource does not support this method.')
      if (!match[2]) {
        if (req.method === 'GET') return { status: 200, body: clone(index(name).definition) }
        if (req.method === 'DELETE') {
          index(name)
          indexes.delete(name)
          return { status: 204 }
        }
        if (req.method === 'PUT') {
          const exists = indexes.has(name)
          if (exists && req.headers['if-none-match'] === '*')
            return fail(
              412,
              'The precondition given in one of the request headers evaluated to false. No change was made to the resource from this request.',
            )
          if (exists) throw new AzureError(400, `Existing index '${name}' cannot be updated by the fake.`)
          const created = createIndex(name, parsed.value)
          indexes.set(name, created)
          return { status: 201, body: clone(created.definition) }
        }
        return fail(405, 'The requested resource does not support this method.')
      }
      if (req.method !== 'POST' || !match[3]) return fail(405, 'The requested resource does not support this method.')
      const ix = index(name)
      return match[3] === 'index' ? indexDocs(ix, parsed.value) : search(ix, parsed.value)
    } catch (err) {
      if (err instanceof AzureError) return fail(err.status, err.message)
      throw err
    }
  }

  const server = await startFakeServer(handle, () => indexes.clear())
  return { server, url: server.url, apiKey, indexes, close: () => server.close() }
}
