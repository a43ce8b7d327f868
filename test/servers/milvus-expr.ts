/**
 * The part of Milvus's boolean expression language (internal/parser/planparserv2, Plan.g4) the fakes
 * evaluate: `and`/`&&`, `or`/`||`, `not`/`!`, parentheses, `==`, `!=`, `<`, `<=`, `>`, `>=`, `in [..]`,
 * `not in [..]`, `json_contains`/`json_contains_any`/`json_contains_all`, field names and JSON paths
 * (`metadata["k"]["j"]`), and literals: double- or single-quoted strings with Go escapes (`\"`, `\\`,
 * `\n`, `\uXXXX`, `\UXXXXXXXX`, `\xHH`, ...; a raw newline is an error, as for Go's strconv.Unquote),
 * integers, floats with exponents, `true`/`false` (any case), lists. Keywords are case-insensitive.
 *
 * Comparisons are typed: numbers by value (int and float alike), strings by UTF-8 bytes, booleans only
 * with booleans; a type mismatch is false. What a test on a missing JSON key gives is a reading
 * (`MissingKeys`): 'false' (two-valued logic: `not` makes it true) or 'null' (SQL-like three-valued
 * logic: unknown, which `not` keeps unknown and only a true selects).
 */
export type MissingKeys = 'false' | 'null'
type Truth = boolean | null
type Value = string | number | boolean | null | undefined | Value[] | { [key: string]: Value }
export type Entity = Record<string, unknown>
export type Predicate = (entity: Entity) => Truth

export class ExprError extends Error {}

type Token = { kind: 'string' | 'number' | 'ident' | 'op' | 'punct'; text: string; value?: string | number }

const OPERATORS = ['==', '!=', '<=', '>=', '&&', '||', '<', '>', '!']

function unquote(body: string, quote: string): string {
  let out = ''
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!
    if (c === '\n') throw new ExprError('invalid syntax: newline in string literal')
    if (c !== '\\') {
      out += c
      continue
    }
    const e = body[++i]
    const simple: Record<string, string> = { n: '\n', t: '\t', r: '\r', b: '\b', f: '\f', v: '\v', a: '\x07', '\\': '\\' }
    if (e === undefined) throw new ExprError('invalid syntax: trailing backslash')
    if (e in simple) out += simple[e]
    else if (e === quote || e === "'" || e === '"') {
      if (e !== quote) throw new ExprError(`invalid syntax: \\${e} in a ${quote}-quoted string`)
      out += e
    } else if (e === 'u' || e === 'U' || e === 'x') {
      const length = e === 'u' ? 4 : e === 'U' ? 8 : 2
      const hex = body.slice(i + 1, i + 1 + length)
      if (!new RegExp(`^[0-9a-fA-F]{${length}}$`).test(hex)) throw new ExprError(`invalid syntax: \\${e}${hex}`)
      const code = parseInt(hex, 16)
      if (e !== 'x' && ((code >= 0xd800 && code <= 0xdfff) || code > 0x10ffff)) throw new ExprError(`invalid syntax: \\${e}${hex}`)
      out += String.fromCodePoint(code)
      i += length
    } else if (/[0-7]/.test(e)) {
      const oct = body.slice(i, i + 3)
      if (!/^[0-7]{3}$/.test(oct)) throw new ExprError(`invalid syntax: \\${oct}`)
      out += String.fromCharCode(parseInt(oct, 8))
      i += 2
    } else throw new ExprError(`invalid syntax: unknown escape \\${e}`)
  }
  return out
}

function tokenize(source: string): Token[] {
  const tokens: Token[] = []
  let i = 0
  while (i < source.length) {
    const c = source[i]!
    if (/\s/.test(c)) {
      i++
      continue
    }
    if (c === '"' || c === "'") {
      let j = i + 1
      while (j < source.length && source[j] !== c) j += source[j] === '\\' ? 2 : 1
      if (j >= source.length) throw new ExprError('unterminated string literal')
      tokens.push({ kind: 'string', text: source.slice(i, j + 1), value: unquote(source.slice(i + 1, j), c) })
      i = j + 1
      continue
    }
    const number = /^(?:\d+\.\d*|\.\d+|\d+)(?:[eE][+-]?\d+)?/.exec(source.slice(i))
    if (number) {
      tokens.push({ kind: 'number', text: number[0], value: Number(number[0]) })
      i += number[0].length
      continue
    }
    const ident = /^[A-Za-z_][A-Za-z0-9_]*/.exec(source.slice(i))
    if (ident) {
      tokens.push({ kind: 'ident', text: ident[0] })
      i += ident[0].length
      continue
    }
    const op = OPERATORS.find((o) => source.startsWith(o, i))
    if (op) {
      tokens.push({ kind: 'op', text: op })
      i += op.length
      continue
    }
    if ('()[],-+'.includes(c)) {
      tokens.push({ kind: 'punct', text: c })
      i++
      continue
    }
    throw new ExprError(`token recognition error at: '${c}'`)
  }
  return tokens
}

type Node =
  | { kind: 'and' | 'or'; children: Node[] }
  | { kind: 'not'; child: Node }
  | { kind: 'cmp'; op: string; left: Operand; right: Operand }
  | { kind: 'in'; negated: boolean; operand: Operand; list: Value[] }
  | { kind: 'call'; name: string; path: Operand; value: Value }
type Operand = { kind: 'path'; field: string; keys: string[] } | { kind: 'literal'; value: Value }

export function parseMilvusExpr(source: string): Node {
  const tokens = tokenize(source)
  let at = 0
  const peek = () => tokens[at]
  const word = (t: Token | undefined, w: string) => t?.kind === 'ident' && t.text.toLowerCase() === w
  const expectPunct = (text: string) => {
    const t = tokens[at++]
    if (t?.text !== text) throw new ExprError(`mismatched input '${t?.text ?? '<EOF>'}' expecting '${text}'`)
  }
  const literal = (): Value => {
    const t = tokens[at++]
    if (!t) throw new ExprError("mismatched input '<EOF>'")
    if (t.kind === 'string' || t.kind === 'number') return t.value as Value
    if (t.kind === 'punct' && (t.text === '-' || t.text === '+')) {
      const n = tokens[at++]
      if (n?.kind !== 'number') throw new ExprError(`mismatched input '${n?.text ?? '<EOF>'}'`)
      return t.text === '-' ? -(n.value as number) : (n.value as number)
    }
    if (word(t, 'true')) return true
    if (word(t, 'false')) return false
    if (t.text === '[') {
      const items: Value[] = []
      while (peek()?.text !== ']') {
        items.push(literal())
        if (peek()?.text === ',') at++
        else if (peek()?.text !== ']') throw new ExprError(`mismatched input '${peek()?.text ?? '<EOF>'}' expecting ']'`)
      }
      at++
      return items
    }
    throw new ExprError(`extraneous input '${t.text}'`)
  }
  const operand = (): Operand => {
    const t = peek()
    if (t?.kind === 'ident' && !word(t, 'true') && !word(t, 'false')) {
      at++
      const keys: string[] = []
      while (peek()?.text === '[') {
        at++
        const k = tokens[at++]
        if (k?.kind !== 'string') throw new ExprError('json key must be a string literal')
        keys.push(k.value as string)
        expectPunct(']')
      }
      return { kind: 'path', field: t.text, keys }
    }
    return { kind: 'literal', value: literal() }
  }
  const primary = (): Node => {
    const t = peek()
    if (t?.text === '(') {
      at++
      const inner = or()
      expectPunct(')')
      return inner
    }
    if (
      t?.kind === 'ident' &&
      ['json_contains', 'json_contains_any', 'json_contains_all'].includes(t.text.toLowerCase()) &&
      tokens[at + 1]?.text === '('
    ) {
      at += 2
      const path = operand()
      if (path.kind !== 'path') throw new ExprError(`${t.text} needs a field as its first argument`)
      expectPunct(',')
      const value = literal()
      expectPunct(')')
      if (t.text.toLowerCase() !== 'json_contains' && !Array.isArray(value)) throw new ExprError(`${t.text} needs a list`)
      return { kind: 'call', name: t.text.toLowerCase(), path, value }
    }
    const left = operand()
    const next = peek()
    if (word(next, 'in') || (word(next, 'not') && word(tokens[at + 1], 'in'))) {
      const negated = word(next, 'not')
      at += negated ? 2 : 1
      const list = literal()
      if (!Array.isArray(list)) throw new ExprError('the right side of in must be a list')
      return { kind: 'in', negated, operand: left, list }
    }
    if (next?.kind === 'op' && ['==', '!=', '<', '<=', '>', '>='].includes(next.text)) {
      at++
      return { kind: 'cmp', op: next.text, left, right: operand() }
    }
    throw new ExprError(`mismatched input '${next?.text ?? '<EOF>'}': expression is not boolean`)
  }
  const unary = (): Node => {
    const t = peek()
    if (word(t, 'not') || t?.text === '!') {
      at++
      return { kind: 'not', child: unary() }
    }
    return primary()
  }
  const and = (): Node => {
    const children = [unary()]
    while (word(peek(), 'and') || peek()?.text === '&&') {
      at++
      children.push(unary())
    }
    return children.length === 1 ? children[0]! : { kind: 'and', children }
  }
  const or = (): Node => {
    const children = [and()]
    while (word(peek(), 'or') || peek()?.text === '||') {
      at++
      children.push(and())
    }
    return children.length === 1 ? children[0]! : { kind: 'or', children }
  }
  const node = or()
  if (at < tokens.length) throw new ExprError(`extraneous input '${tokens[at]!.text}'`)
  return node
}

const bytes = new TextEncoder()
function compare(a: Value, b: Value): number | undefined {
  if (typeof a === 'number' && typeof b === 'number') return a < b ? -1 : a > b ? 1 : 0
  if (typeof a === 'string' && typeof b === 'string') {
    const x = bytes.encode(a)
    const y = bytes.encode(b)
    for (let i = 0; i < Math.min(x.length, y.length); i++) if (x[i] !== y[i]) return x[i]! - y[i]!
    return x.length - y.length
  }
  if (typeof a === 'boolean' && typeof b === 'boolean') return a === b ? 0 : undefined
  return undefined
}
const equal = (a: Value, b: Value): boolean => compare(a, b) === 0

/** Evaluates a parsed expression; `schema` maps field names to their Milvus data types. */
export function compileMilvusExpr(node: Node, schema: Record<string, string>, missing: MissingKeys): Predicate {
  const resolve = (o: Operand, entity: Entity): Value => {
    if (o.kind === 'literal') return o.value
    let value = entity[o.field] as Value
    for (const k of o.keys) {
      if (value === null || typeof value !== 'object' || Array.isArray(value) || !Object.hasOwn(value, k)) return undefined
      value = (value as Record<string, Value>)[k]
    }
    return value
  }
  const check = (o: Operand) => {
    if (o.kind !== 'path') return
    const type = schema[o.field]
    if (!type) throw new ExprError(`field ${o.field} not exist`)
    if (o.keys.length > 0 && type !== 'JSON') throw new ExprError(`only JSON fields can be accessed by key: ${o.field}`)
  }
  const unknown: Truth = missing === 'null' ? null : false
  const build = (n: Node): Predicate => {
    switch (n.kind) {
      case 'and': {
        const parts = n.children.map(build)
        return (e) => {
          let result: Truth = true
          for (const p of parts) {
            const v = p(e)
            if (v === false) return false
            if (v === null) result = null
          }
          return result
        }
      }
      case 'or': {
        const parts = n.children.map(build)
        return (e) => {
          let result: Truth = false
          for (const p of parts) {
            const v = p(e)
            if (v === true) return true
            if (v === null) result = null
          }
          return result
        }
      }
      case 'not': {
        const inner = build(n.child)
        return (e) => {
          const v = inner(e)
          return v === null ? null : !v
        }
      }
      case 'cmp': {
        check(n.left)
        check(n.right)
        return (e) => {
          const a = resolve(n.left, e)
          const b = resolve(n.right, e)
          if (a === undefined || b === undefined || a === null || b === null) return unknown
          const c = compare(a, b)
          // A type mismatch (or an array or object compared with a scalar) is false, even for !=.
          if (c === undefined) return false
          switch (n.op) {
            case '==':
              return c === 0
            case '!=':
              return c !== 0
            case '<':
              return c < 0
            case '<=':
              return c <= 0
            case '>':
              return c > 0
            default:
              return c >= 0
          }
        }
      }
      case 'in': {
        check(n.operand)
        return (e) => {
          const v = resolve(n.operand, e)
          if (v === undefined || v === null) return unknown
          const found = n.list.some((item) => equal(v, item))
          return n.negated ? !found : found
        }
      }
      case 'call': {
        check(n.path)
        const wanted = n.name === 'json_contains' ? [n.value] : (n.value as Value[])
        return (e) => {
          const v = resolve(n.path, e)
          if (v === undefined || v === null) return unknown
          if (!Array.isArray(v)) return false
          const has = (w: Value) => v.some((element) => equal(element, w))
          return n.name === 'json_contains_all' ? wanted.every(has) : wanted.some(has)
        }
      }
    }
  }
  return build(node)
}
