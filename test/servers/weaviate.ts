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
import { type GraphQLField, GraphQLSyntaxError, type GraphQLValue, parseGraphQL, plainValue } from './graphql-lite.ts'

/**
 * A local Weaviate (1.2x-1.3x) as its REST v1 and GraphQL endpoints behave (weaviate/weaviate,
 * docs.weaviate.io: REST reference, GraphQL `Get`, conditional filters, env vars):
 * - `Authorization: Bearer <key>` when an API key is configured (401 `{code, message}` otherwise);
 * - `/v1/schema` class create (class names capitalised, `vectorizer: none` only — the fake has no
 *   modules —, distances cosine/dot/l2-squared/hamming/manhattan, properties with dataType and
 *   tokenization), GET/DELETE `/v1/schema/{class}` (a missing class: 404 without body), 422
 *   `{error: [{message}]}` for invalid or duplicate classes; auto-schema is off: unknown properties fail;
 * - `/v1/batch/objects`: POST imports (an existing id is replaced whole; 200 with one result per object,
 *   a refused object carries `result.errors.error[].message`, e.g. a vector of another length), DELETE
 *   with `match.where` (at most QUERY_MAXIMUM_RESULTS objects per request, `results` counts);
 * - `/v1/graphql`: `Get { Class(nearVector: {vector}, where, limit, offset) { props _additional { id distance vector } } }`,
 *   errors with HTTP 200 and an `errors` list (syntax, unknown class or field, limit + offset above
 *   QUERY_MAXIMUM_RESULTS, vector length mismatch); objects without nearVector in storage order (an
 *   update moves the object to the end: a new doc id), with nearVector by distance (cosine 1 − cos,
 *   dot −a·b, l2-squared the squared distance);
 * - `where` filters: And/Or/Not, Equal/NotEqual/GreaterThan(Equal)/LessThan(Equal) on text and numbers,
 *   ContainsAny/ContainsAll/ContainsNone on arrays and `id`; text operands and values are tokenized like the
 *   property (`field`: the whole value, surrounding whitespace trimmed; `word`: lowercased alphanumeric
 *   words); filtering on a property with `indexFilterable: false` is an error. Not and ContainsNone need
 *   Weaviate 1.33: `version` below that refuses them.
 */
type Tokenization = 'word' | 'lowercase' | 'whitespace' | 'field'
interface Property {
  name: string
  dataType: string[]
  tokenization?: Tokenization
  indexFilterable: boolean
  indexSearchable: boolean
}
interface WeaviateObject {
  id: string
  properties: Record<string, unknown>
  vector: number[]
  created: number
  updated: number
}
export interface WeaviateClassState {
  name: string
  description?: string
  distance: 'cosine' | 'dot' | 'l2-squared' | 'hamming' | 'manhattan'
  properties: Property[]
  /** The vector length fixed by the first import (the HNSW index keeps it after deletes). */
  dimensions: number | null
  objects: Map<string, WeaviateObject>
}

export interface WeaviateServerOptions {
  /** When set, every request but /v1/.well-known needs `Authorization: Bearer <apiKey>`. */
  apiKey?: string
  /** QUERY_MAXIMUM_RESULTS (default 10 000). */
  queryMaximumResults?: number
  /** The server version; below 1.33 `Not` and `ContainsNone` are refused (default 1.28.0). */
  version?: string
}

export interface FakeWeaviate {
  server: FakeHttpServer
  url: string
  apiKey: string | undefined
  classes: Map<string, WeaviateClassState>
  close(): Promise<void>
}

class UnprocessableError extends Error {}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
const CLASS_NAME = /^[A-Z][_0-9A-Za-z]{0,254}$/
const PROPERTY_NAME = /^[_A-Za-z][_0-9A-Za-z]{0,230}$/
const DATA_TYPES = ['text', 'text[]', 'int', 'int[]', 'number', 'number[]', 'boolean', 'boolean[]', 'date', 'date[]', 'uuid', 'uuid[]']

/** Tokens of a text as the property's tokenization makes them (filters compare token sets). */
function tokens(text: string, tokenization: Tokenization): string[] {
  switch (tokenization) {
    case 'field':
      return text.trim() === '' ? [] : [text.trim()]
    case 'whitespace':
      return text.split(/\s+/).filter(Boolean)
    case 'lowercase':
      return text.toLowerCase().split(/\s+/).filter(Boolean)
    case 'word':
      return text
        .toLowerCase()
        .split(/[^\p{L}\p{N}]+/u)
        .filter(Boolean)
  }
}

type Filter = (object: WeaviateObject) => boolean

function versionAtLeast(version: string, major: number, minor: number): boolean {
  const [a = 0, b = 0] = version.split('.').map(Number)
  return a > major || (a === major && b >= minor)
}

export function compileWhere(c: WeaviateClassState, where: Record<string, unknown>, version: string): Filter {
  const operator = where.operator
  if (typeof operator !== 'string') throw new UnprocessableError('invalid where filter: operator is required')
  if (operator === 'And' || operator === 'Or' || operator === 'Not') {
    const operands = where.operands
    if (!Array.isArray(operands) || operands.length === 0)
      throw new UnprocessableError(`invalid where filter: operator ${operator} requires operands`)
    if (operator === 'Not' && !versionAtLeast(version, 1, 33)) throw new UnprocessableError(`unrecognized operator: ${operator}`)
    if (operator === 'Not' && operands.length !== 1) throw new UnprocessableError('invalid where filter: Not takes exactly one operand')
    const children = operands.map((o) => {
      if (!isPlainObject(o)) throw new UnprocessableError('invalid where filter: operands must be filters')
      return compileWhere(c, o, version)
    })
    if (operator === 'And') return (o) => children.every((f) => f(o))
    if (operator === 'Or') return (o) => children.some((f) => f(o))
    return (o) => !children[0]!(o)
  }
  const path = where.path
  if (!Array.isArray(path) || path.length !== 1 || typeof path[0] !== 'string')
    throw new UnprocessableError('invalid where filter: path must name one property')
  const name = path[0]
  const valueKeys = Object.keys(where).filter((k) => k.startsWith('value'))
  if (valueKeys.length !== 1) throw new UnprocessableError('invalid where filter: exactly one value<Type> must be set')
  const valueKey = valueKeys[0]!
  const raw = where[valueKey]
  const operands: unknown[] = Array.isArray(raw) ? raw : [raw]
  const listOperator = operator === 'ContainsAny' || operator === 'ContainsAll' || operator === 'ContainsNone'
  if (operator === 'ContainsNone' && !versionAtLeast(version, 1, 33)) throw new UnprocessableError(`unrecognized operator: ${operator}`)
  const comparisons = ['Equal', 'NotEqual', 'GreaterThan', 'GreaterThanEqual', 'LessThan', 'LessThanEqual']
  if (!listOperator && !comparisons.includes(operator)) throw new UnprocessableError(`unrecognized operator: ${operator}`)
  if (!listOperator && operands.length !== 1) throw new UnprocessableError(`invalid where filter: ${operator} takes one value`)

  let valuesOf: (o: WeaviateObject) => unknown[]
  let operandValues: unknown[]
  if (name === 'id' || name === '_id') {
    if (!['valueText', 'valueTextArray', 'valueString', 'valueStringArray'].includes(valueKey))
      throw new UnprocessableError(`invalid where filter: id needs valueText`)
    valuesOf = (o) => [o.id]
    operandValues = operands.map((v) => String(v).toLowerCase())
  } else {
    const property = c.properties.find((p) => p.name === name)
    if (!property) throw new UnprocessableError(`no such prop with name '${name}' found in class '${c.name}' in the schema`)
    if (!property.indexFilterable)
      throw new UnprocessableError(
        `Filtering by property '${name}' requires inverted index. Is \`indexFilterable\` option of property '${name}' enabled? Set it to \`true\` or leave empty`,
      )
    const base = property.dataType[0]!.replace('[]', '')
    if (base === 'text') {
      if (!['valueText', 'valueTextArray', 'valueString', 'valueStringArray'].includes(valueKey))
        throw new UnprocessableError(`data type filter cannot use "${valueKey}" on type "${property.dataType[0]}", use "valueText" instead`)
      const tokenization = property.tokenization ?? 'word'
      valuesOf = (o) => {
        const stored = o.properties[name]
        const texts = Array.isArray(stored) ? stored : stored === undefined || stored === null ? [] : [stored]
        return texts.flatMap((t) => tokens(String(t), tokenization))
      }
      operandValues = operands.flatMap((v) => {
        if (typeof v !== 'string') throw new UnprocessableError('invalid where filter: valueText must be a string')
        return tokens(v, tokenization)
      })
    } else if (base === 'number' || base === 'int') {
      valuesOf = (o) => {
        const stored = o.properties[name]
        return Array.isArray(stored) ? stored : stored === undefined || stored === null ? [] : [stored]
      }
      operandValues = operands
    } else {
      valuesOf = (o) => {
        const stored = o.properties[name]
        return Array.isArray(stored) ? stored : stored === undefined || stored === null ? [] : [stored]
      }
      operandValues = operands
    }
  }
  switch (operator) {
    case 'ContainsAny':
      return (o) => valuesOf(o).some((v) => operandValues.includes(v))
    case 'ContainsAll':
      return (o) => operandValues.every((v) => valuesOf(o).includes(v))
    case 'ContainsNone':
      return (o) => !valuesOf(o).some((v) => operandValues.includes(v))
    case 'Equal':
      // On arrays (and on tokenized texts) Equal means "holds every token of the operand".
      return (o) => operandValues.length > 0 && operandValues.every((v) => valuesOf(o).includes(v))
    case 'NotEqual':
      return (o) => !(operandValues.length > 0 && operandValues.every((v) => valuesOf(o).includes(v)))
    default: {
      // Texts and numbers both order; the operand's type must match the stored value's.
      const operand = operandValues[0] as number
      const test = (v: unknown) =>
        typeof v === typeof operand &&
        (operator === 'GreaterThan'
          ? (v as number) > operand
          : operator === 'GreaterThanEqual'
            ? (v as number) >= operand
            : operator === 'LessThan'
              ? (v as number) < operand
              : (v as number) <= operand)
      return (o) => valuesOf(o).some(test)
    }
  }
}

/** A GraphQL `where` argument as REST JSON (list values under the same key): operators must be enums. */
function whereFromGraphQL(value: GraphQLValue): Record<string, unknown> {
  if (value === null || typeof value !== 'object' || Array.isArray(value) || !('object' in value))
    throw new UnprocessableError('Argument "where" has invalid value: expected type "GetObjectsXWhereInpObj"')
  const operator = value.object.operator
  if (operator !== undefined && (operator === null || typeof operator !== 'object' || Array.isArray(operator) || !('enum' in operator)))
    throw new UnprocessableError(
      `Argument "where" has invalid value: In field "operator": Expected type "WhereOperatorEnum", found ${JSON.stringify(plainValue(operator))}.`,
    )
  const out: Record<string, unknown> = {}
  for (const [key, v] of Object.entries(value.object)) {
    out[key] = key === 'operands' ? (Array.isArray(v) ? v : [v]).map(whereFromGraphQL) : plainValue(v)
  }
  return out
}

function checkPropertyValue(c: WeaviateClassState, name: string, value: unknown): string | undefined {
  const property = c.properties.find((p) => p.name === name)
  if (!property)
    return `no such prop with name '${name}' found in class '${c.name}' in the schema. Check your schema files for which properties in this class are available`
  const type = property.dataType[0]!
  const ok = (base: string, v: unknown) =>
    base === 'text' || base === 'date' || base === 'uuid'
      ? typeof v === 'string'
      : base === 'number'
        ? typeof v === 'number'
        : base === 'int'
          ? Number.isInteger(v)
          : base === 'boolean'
            ? typeof v === 'boolean'
            : false
  if (type.endsWith('[]')) {
    if (!Array.isArray(value) || !value.every((v) => ok(type.slice(0, -2), v)))
      return `invalid ${type} property '${name}' on class '${c.name}': not a ${type}`
  } else if (!ok(type, value)) return `invalid ${type} property '${name}' on class '${c.name}': not a ${type}`
  return undefined
}

export async function startWeaviateServer(options: WeaviateServerOptions = {}): Promise<FakeWeaviate> {
  const maximum = options.queryMaximumResults ?? 10_000
  const version = options.version ?? '1.28.0'
  const classes = new Map<string, WeaviateClassState>()
  const capitalised = (name: string) => name.charAt(0).toUpperCase() + name.slice(1)

  const unprocessable = (message: string): FakeResponse => ({ status: 422, body: { error: [{ message }] } })
  const json = (req: FakeRequest): unknown => {
    const parsed = parseJsonBody(req.bodyText)
    if (!parsed.ok) throw new UnprocessableError(`parsing body body from "" failed, because ${parsed.error}`)
    return parsed.value
  }

  const present = (c: WeaviateClassState) => ({
    class: c.name,
    ...(c.description !== undefined ? { description: c.description } : {}),
    vectorizer: 'none',
    vectorIndexType: 'hnsw',
    vectorIndexConfig: { distance: c.distance, ef: -1, efConstruction: 128, maxConnections: 32 },
    invertedIndexConfig: { bm25: { b: 0.75, k1: 1.2 }, cleanupIntervalSeconds: 60 },
    multiTenancyConfig: { enabled: false },
    properties: c.properties.map((p) => ({ ...p })),
  })

  const createClass = (body: unknown): FakeResponse => {
    if (!isPlainObject(body) || typeof body.class !== 'string') return unprocessable('class name is required')
    const name = capitalised(body.class)
    if (!CLASS_NAME.test(name)) return unprocessable(`'${body.class}' is not a valid class name`)
    if (classes.has(name)) return unprocessable(`class name "${name}" already exists`)
    const vectorizer = body.vectorizer ?? 'none'
    if (vectorizer !== 'none') return unprocessable(`vectorizer: no module with name "${String(vectorizer)}" present`)
    const config = isPlainObject(body.vectorIndexConfig) ? body.vectorIndexConfig : {}
    const distance = config.distance ?? 'cosine'
    if (!['cosine', 'dot', 'l2-squared', 'hamming', 'manhattan'].includes(distance as string))
      return unprocessable(`vector index config: distance metric "${String(distance)}" not supported`)
    const properties: Property[] = []
    for (const raw of Array.isArray(body.properties) ? body.properties : []) {
      if (!isPlainObject(raw) || typeof raw.name !== 'string' || !PROPERTY_NAME.test(raw.name))
        return unprocessable(`'${String((raw as { name?: unknown })?.name)}' is not a valid property name`)
      const dataType = raw.dataType
      if (!Array.isArray(dataType) || dataType.length !== 1 || !DATA_TYPES.includes(dataType[0] as string))
        return unprocessable(`property '${raw.name}': invalid dataType`)
      const text = (dataType[0] as string).startsWith('text')
      const tokenization = raw.tokenization ?? (text ? 'word' : undefined)
      if (tokenization !== undefined && (!text || !['word', 'lowercase', 'whitespace', 'field'].includes(tokenization as string)))
        return unprocessable(`tokenization '${String(tokenization)}' is not allowed for data type '${String(dataType[0])}'`)
      const propertyName = raw.name
      if (properties.some((p) => p.name.toLowerCase() === propertyName.toLowerCase()))
        return unprocessable(`class "${name}": conflict for property "${propertyName}": already in use or provided multiple times`)
      properties.push({
        name: raw.name,
        dataType: [dataType[0] as string],
        ...(tokenization ? { tokenization: tokenization as Tokenization } : {}),
        indexFilterable: raw.indexFilterable !== false,
        indexSearchable: text && raw.indexSearchable !== false,
      })
    }
    const c: WeaviateClassState = {
      name,
      ...(typeof body.description === 'string' ? { description: body.description } : {}),
      distance: distance as WeaviateClassState['distance'],
      properties,
      dimensions: null,
      objects: new Map(),
    }
    classes.set(name, c)
    return { status: 200, body: present(c) }
  }

  const importObjects = (body: unknown): FakeResponse => {
    if (!isPlainObject(body) || !Array.isArray(body.objects)) return unprocessable('objects: body.objects in body is required')
    for (const raw of body.objects) {
      if (!isPlainObject(raw)) return unprocessable('objects: must be objects')
      if (raw.id !== undefined && (typeof raw.id !== 'string' || !UUID.test(raw.id)))
        return unprocessable(`id in body must be of type uuid: "${String(raw.id)}"`)
    }
    const now = Date.now()
    const results = (body.objects as Record<string, unknown>[]).map((raw) => {
      const errors: string[] = []
      const c = typeof raw.class === 'string' ? classes.get(capitalised(raw.class)) : undefined
      const id = typeof raw.id === 'string' ? raw.id.toLowerCase() : crypto.randomUUID()
      const properties = isPlainObject(raw.properties) ? raw.properties : {}
      const vector = raw.vector
      if (!c) errors.push(`class '${String(raw.class)}' not present in schema`)
      else {
        for (const [key, value] of Object.entries(properties)) {
          if (value === null) continue
          const problem = checkPropertyValue(c, key, value)
          if (problem) errors.push(problem)
        }
        if (!Array.isArray(vector) || vector.length === 0 || !vector.every((x) => typeof x === 'number' && Number.isFinite(x)))
          errors.push('vectorizer "none" requires a vector on every object')
        else if (c.dimensions !== null && vector.length !== c.dimensions)
          errors.push(`new node has a vector with length ${vector.length}. Existing nodes have vectors with length ${c.dimensions}`)
      }
      if (errors.length === 0 && c) {
        c.dimensions ??= (vector as number[]).length
        const existing = c.objects.get(id)
        // A re-import replaces the object whole and gives it a new doc id (the end of the storage order).
        c.objects.delete(id)
        c.objects.set(id, {
          id,
          properties: clone(Object.fromEntries(Object.entries(properties).filter(([, v]) => v !== null))),
          vector: (vector as number[]).slice(),
          created: existing?.created ?? now,
          updated: now,
        })
      }
      return {
        class: c?.name ?? raw.class,
        id,
        properties,
        creationTimeUnix: now,
        lastUpdateTimeUnix: now,
        result:
          errors.length === 0 ? { status: 'SUCCESS' } : { status: 'FAILED', errors: { error: errors.map((message) => ({ message })) } },
      }
    })
    return { status: 200, body: results }
  }

  const deleteObjects = (body: unknown): FakeResponse => {
    if (!isPlainObject(body) || !isPlainObject(body.match)) return unprocessable('match: body.match in body is required')
    const { match } = body
    const c = typeof match.class === 'string' ? classes.get(capitalised(match.class)) : undefined
    if (!c) return unprocessable(`validate: class: ${String(match.class)} doesn't exist`)
    if (!isPlainObject(match.where)) return unprocessable('validate: failed to parse where filter: filter cannot be empty')
    const where = compileWhere(c, match.where, version)
    const matched = [...c.objects.values()].filter(where)
    const deleted = matched.slice(0, maximum)
    const dryRun = body.dryRun === true
    if (!dryRun) for (const o of deleted) c.objects.delete(o.id)
    const verbose = body.output === 'verbose'
    return {
      status: 200,
      body: {
        match: { class: c.name, where: match.where },
        output: verbose ? 'verbose' : 'minimal',
        deletionTimeUnixMilli: Date.now(),
        dryRun,
        results: {
          matches: deleted.length,
          limit: maximum,
          successful: dryRun ? 0 : deleted.length,
          failed: 0,
          objects: verbose ? deleted.map((o) => ({ id: o.id, status: dryRun ? 'DRYRUN' : 'SUCCESS' })) : null,
        },
      },
    }
  }

  const distance = (c: WeaviateClassState, query: number[], stored: number[]): number => {
    switch (c.distance) {
      case 'cosine':
        return 1 - dotProduct(normalized(query), normalized(stored))
      case 'dot':
        return -dotProduct(query, stored)
      case 'l2-squared':
        return squaredL2(query, stored)
      case 'manhattan':
        return query.reduce((s, q, i) => s + Math.abs(q - stored[i]!), 0)
      case 'hamming':
        return query.reduce((s, q, i) => s + (q === stored[i] ? 0 : 1), 0)
    }
  }

  class GraphQLError extends Error {
    readonly field: GraphQLField | undefined
    constructor(message: string, field?: GraphQLField) {
      super(message)
      this.field = field
    }
  }

  const nonNegativeInt = (value: GraphQLValue | undefined, name: string, field: GraphQLField): number | undefined => {
    if (value === undefined) return undefined
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0)
      throw new GraphQLError(
        `Argument "${name}" has invalid value ${JSON.stringify(plainValue(value))}.\nExpected type "Int", found ${JSON.stringify(plainValue(value))}.`,
        field,
      )
    return value
  }

  const getClass = (field: GraphQLField): unknown[] => {
    const c = classes.get(field.name)
    if (!c) throw new GraphQLError(`Cannot query field "${field.name}" on type "GetObjectsObj".`, field)
    for (const arg of Object.keys(field.args)) {
      if (!['nearVector', 'where', 'limit', 'offset', 'after'].includes(arg))
        throw new GraphQLError(`Unknown argument "${arg}" on field "${field.name}" of type "GetObjectsObj".`, field)
    }
    const limit = nonNegativeInt(field.args.limit, 'limit', field)
    const offset = nonNegativeInt(field.args.offset, 'offset', field) ?? 0
    if ((limit ?? 10) + offset > maximum)
      throw new GraphQLError(`explorer: list class: search: invalid pagination params: query maximum results exceeded`, field)
    let where: Filter | undefined
    if (field.args.where !== undefined) {
      try {
        where = compileWhere(c, whereFromGraphQL(field.args.where), version)
      } catch (err) {
        if (err instanceof UnprocessableError) throw new GraphQLError(err.message, field)
        throw err
      }
    }
    let rows = [...c.objects.values()].filter((o) => !where || where(o))
    let distances: Map<string, number> | undefined
    if (field.args.nearVector !== undefined) {
      const near = plainValue(field.args.nearVector) as { vector?: unknown }
      const vector = near?.vector
      if (!Array.isArray(vector) || !vector.every((x) => typeof x === 'number'))
        throw new GraphQLError('Argument "nearVector" has invalid value: In field "vector": Expected "[Float]!", found null.', field)
      if (c.dimensions !== null && vector.length !== c.dimensions)
        throw new GraphQLError(
          `explorer: get class: vector search: object vector search at index ${c.name.toLowerCase()}: shard ${c.name.toLowerCase()}_0: vector search: knn search: distance between entrypoint and query node: vector lengths don't match: ${c.dimensions} vs ${vector.length}`,
          field,
        )
      distances = new Map(rows.map((o) => [o.id, distance(c, vector as number[], o.vector)]))
      rows = rows.sort((a, b) => distances!.get(a.id)! - distances!.get(b.id)!)
    }
    rows = rows.slice(offset, offset + (limit ?? 10))
    return rows.map((o) => {
      const out: Record<string, unknown> = {}
      for (const selection of field.selections) {
        const key = selection.alias ?? selection.name
        if (selection.name === '_additional') {
          const additional: Record<string, unknown> = {}
          for (const a of selection.selections) {
            const k = a.alias ?? a.name
            if (a.name === 'id') additional[k] = o.id
            else if (a.name === 'distance') additional[k] = distances?.get(o.id) ?? null
            else if (a.name === 'vector') additional[k] = o.vector.slice()
            else if (a.name === 'creationTimeUnix') additional[k] = String(o.created)
            else if (a.name === 'lastUpdateTimeUnix') additional[k] = String(o.updated)
            else throw new GraphQLError(`Cannot query field "${a.name}" on type "${c.name}AdditionalFields".`, a)
          }
          out[key] = additional
        } else {
          const property = c.properties.find((p) => p.name === selection.name)
          if (!property) throw new GraphQLError(`Cannot query field "${selection.name}" on type "${c.name}".`, selection)
          out[key] = clone(o.properties[selection.name] ?? null)
        }
      }
      return out
    })
  }

  const graphql = (body: unknown): FakeResponse => {
    if (!isPlainObject(body) || typeof body.query !== 'string') return unprocessable('query: body.query in body is required')
    let fields: GraphQLField[]
    try {
      fields = parseGraphQL(body.query)
    } catch (err) {
      if (err instanceof GraphQLSyntaxError)
        return {
          status: 200,
          body: { data: null, errors: [{ locations: [{ line: err.line, column: err.column }], message: err.message }] },
        }
      throw err
    }
    const data: Record<string, unknown> = {}
    const errors: unknown[] = []
    for (const top of fields) {
      if (top.name !== 'Get') {
        errors.push({
          locations: [{ line: top.line, column: top.column }],
          message: `Cannot query field "${top.name}" on type "WeaviateObj".`,
        })
        continue
      }
      const get: Record<string, unknown> = {}
      for (const field of top.selections) {
        try {
          get[field.alias ?? field.name] = getClass(field)
        } catch (err) {
          if (!(err instanceof GraphQLError)) throw err
          get[field.alias ?? field.name] = null
          const at = err.field ?? field
          errors.push({ locations: [{ line: at.line, column: at.column }], message: err.message, path: ['Get', field.alias ?? field.name] })
        }
      }
      data[top.alias ?? top.name] = get
    }
    return { status: 200, body: errors.length > 0 ? { data, errors } : { data } }
  }

  const handle = (req: FakeRequest): FakeResponse => {
    if (options.apiKey !== undefined && !req.path.startsWith('/v1/.well-known/')) {
      const auth = req.headers.authorization
      if (!auth)
        return {
          status: 401,
          body: { code: 401, message: 'anonymous access not enabled. Please authenticate through one of the available methods: [api-key]' },
        }
      if (auth !== `Bearer ${options.apiKey}`) return { status: 401, body: { code: 401, message: 'unauthorized: invalid api key' } }
    }
    try {
      if (req.path === '/v1/.well-known/ready' || req.path === '/v1/.well-known/live') return { status: 200, body: '' }
      if (req.path === '/v1/meta' && req.method === 'GET')
        return { status: 200, body: { hostname: 'http://[::]:8080', modules: {}, version } }
      if (req.path === '/v1/schema' && req.method === 'GET') return { status: 200, body: { classes: [...classes.values()].map(present) } }
      if (req.path === '/v1/schema' && req.method === 'POST') return createClass(json(req))
      const schema = /^\/v1\/schema\/([^/]+)$/.exec(req.path)
      if (schema) {
        const c = classes.get(capitalised(decodeURIComponent(schema[1]!)))
        if (req.method === 'GET') return c ? { status: 200, body: present(c) } : { status: 404, body: '' }
        if (req.method === 'DELETE') {
          if (c) classes.delete(c.name)
          return { status: 200, body: '' }
        }
      }
      if (req.path === '/v1/batch/objects' && req.method === 'POST') return importObjects(json(req))
      if (req.path === '/v1/batch/objects' && req.method === 'DELETE') return deleteObjects(json(req))
      if (req.path === '/v1/graphql' && req.method === 'POST') return graphql(json(req))
    } catch (err) {
      if (err instanceof UnprocessableError) return unprocessable(err.message)
      throw err
    }
    return { status: 404, body: { code: 404, message: `path ${req.path} was not found` } }
  }

  const server = await startFakeServer(handle, () => classes.clear())
  return { server, url: server.url, apiKey: options.apiKey, classes, close: () => server.close() }
}
