/**
 * A GraphQL query-document reader for the fakes (the part of the October 2021 spec that read queries
 * use): an optional `query Name` header, nested selection sets, field aliases, arguments whose values are
 * strings (with the spec's escapes), block strings, numbers, booleans, null, enums, lists and input
 * objects. No variables, fragments or directives: a document using them is refused, as a server without
 * them would refuse it. Errors carry the position, like a real server's `locations`.
 */
export type GraphQLValue = string | number | boolean | null | { enum: string } | GraphQLValue[] | { object: Record<string, GraphQLValue> }

export interface GraphQLField {
  alias?: string
  name: string
  args: Record<string, GraphQLValue>
  selections: GraphQLField[]
  line: number
  column: number
}

export class GraphQLSyntaxError extends Error {
  readonly line: number
  readonly column: number
  constructor(message: string, line: number, column: number) {
    super(`Syntax Error GraphQL request (${line}:${column}) ${message}`)
    this.line = line
    this.column = column
  }
}

const NAME = /[_A-Za-z][_0-9A-Za-z]*/y
const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y

export function parseGraphQL(source: string): GraphQLField[] {
  let at = 0
  const position = (index: number) => {
    const before = source.slice(0, index).split('\n')
    return { line: before.length, column: before[before.length - 1]!.length + 1 }
  }
  const fail = (message: string): never => {
    const { line, column } = position(at)
    throw new GraphQLSyntaxError(message, line, column)
  }
  const skip = () => {
    for (;;) {
      const c = source[at]
      if (c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === ',' || c === '\uFEFF') at++
      else if (c === '#') while (at < source.length && source[at] !== '\n') at++
      else return
    }
  }
  const peek = (text: string) => {
    skip()
    return source.startsWith(text, at)
  }
  const expect = (text: string) => {
    if (!peek(text)) fail(`Expected "${text}", found ${source[at] === undefined ? '<EOF>' : `"${source[at]}"`}`)
    at += text.length
  }
  const name = (): string => {
    skip()
    NAME.lastIndex = at
    const match = NAME.exec(source)
    if (!match) return fail(`Expected Name, found ${source[at] === undefined ? '<EOF>' : `"${source[at]}"`}`)
    at += match[0].length
    return match[0]
  }
  const string = (): string => {
    if (source.startsWith('"""', at)) {
      const end = source.indexOf('"""', at + 3)
      if (end === -1) fail('Unterminated string.')
      const text = source.slice(at + 3, end)
      at = end + 3
      return text
    }
    at++
    let out = ''
    for (;;) {
      const c = source[at]
      if (c === undefined || c === '\n' || c === '\r') return fail('Unterminated string.')
      at++
      if (c === '"') return out
      if (c !== '\\') {
        out += c
        continue
      }
      const e = source[at++]
      const simple: Record<string, string> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' }
      if (e !== undefined && e in simple) out += simple[e]
      else if (e === 'u' && /^[0-9a-fA-F]{4}$/.test(source.slice(at, at + 4))) {
        out += String.fromCharCode(parseInt(source.slice(at, at + 4), 16))
        at += 4
      } else fail(`Invalid character escape sequence: \\${e ?? ''}`)
    }
  }
  const value = (): GraphQLValue => {
    skip()
    const c = source[at]
    if (c === '"') return string()
    if (c === '$') return fail('Variables are not supported by this server')
    if (c === '[') {
      at++
      const items: GraphQLValue[] = []
      while (!peek(']')) {
        if (at >= source.length) fail('Expected "]"')
        items.push(value())
      }
      at++
      return items
    }
    if (c === '{') {
      at++
      const object: Record<string, GraphQLValue> = {}
      while (!peek('}')) {
        if (at >= source.length) fail('Expected "}"')
        const key = name()
        expect(':')
        object[key] = value()
      }
      at++
      return { object }
    }
    if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) {
      NUMBER.lastIndex = at
      const match = NUMBER.exec(source)
      if (!match) return fail('Invalid number')
      at += match[0].length
      return Number(match[0])
    }
    const word = name()
    if (word === 'true') return true
    if (word === 'false') return false
    if (word === 'null') return null
    return { enum: word }
  }
  const selectionSet = (): GraphQLField[] => {
    expect('{')
    const fields: GraphQLField[] = []
    while (!peek('}')) {
      if (at >= source.length) fail('Expected "}"')
      if (peek('...')) fail('Fragments are not supported by this server')
      const { line, column } = position(at)
      let fieldName = name()
      let alias: string | undefined
      if (peek(':')) {
        at++
        alias = fieldName
        fieldName = name()
      }
      const args: Record<string, GraphQLValue> = {}
      if (peek('(')) {
        at++
        while (!peek(')')) {
          if (at >= source.length) fail('Expected ")"')
          const key = name()
          expect(':')
          args[key] = value()
        }
        at++
      }
      if (peek('@')) fail('Directives are not supported by this server')
      const selections = peek('{') ? selectionSet() : []
      fields.push({ ...(alias ? { alias } : {}), name: fieldName, args, selections, line, column })
    }
    at++
    return fields
  }
  skip()
  if (!peek('{')) {
    const keyword = name()
    if (keyword !== 'query') fail(`Unexpected Name "${keyword}"`)
    if (!peek('{')) name()
  }
  const fields = selectionSet()
  skip()
  if (at < source.length) fail(`Unexpected "${source[at]}"`)
  return fields
}

/** A GraphQL value as plain JSON: enums become their names, input objects plain objects. */
export function plainValue(value: GraphQLValue): unknown {
  if (Array.isArray(value)) return value.map(plainValue)
  if (value !== null && typeof value === 'object') {
    if ('enum' in value) return value.enum
    return Object.fromEntries(Object.entries(value.object).map(([k, v]) => [k, plainValue(v)]))
  }
  return value
}
