/**
 * Upstash Vector's SQL-like metadata filter language, as documented (upstash.com/docs/vector/features/
 * filtering and the spec in shared/specs/remote-vector-apis.md): a real lexer and recursive-descent
 * parser plus an evaluator, used by the fake Upstash server.
 *
 * Grammar (keywords case-insensitive; AND binds tighter than OR):
 *   filter    := orExpr
 *   orExpr    := andExpr ( OR andExpr )*
 *   andExpr   := primary ( AND primary )*
 *   primary   := '(' orExpr ')' | HAS [NOT] FIELD path | path compare literal
 *              | path [NOT] IN '(' literal (',' literal)* ')' | path [NOT] GLOB string | path [NOT] CONTAINS literal
 *   compare   := = | != | < | <= | > | >=
 *   path      := identifier [a-zA-Z_][a-zA-Z_0-9.[\]#-]* (a.b, arr[0], arr[#-1])
 *   literal   := 'single' | "double" (backslash escapes the next character) | -?digits[.digits] | true | false
 *
 * The docs say which value types each operator applies to (=, != on strings, numbers, booleans; < > on
 * numbers; GLOB on strings; CONTAINS on arrays) but not what the negated forms do on a missing field or a
 * value of another type. The server takes that as an option so adapters are tested under both readings:
 *   'strict'   — a negated operator also needs the field present with a type it applies to;
 *   'lenient'  — a negated operator is the plain complement of its positive form.
 */

export type NegationSemantics = 'strict' | 'lenient'
type Json = null | boolean | number | string | Json[] | { [key: string]: Json }
type Literal = string | number | boolean

export type FilterAst =
  | { type: 'and' | 'or'; children: FilterAst[] }
  | { type: 'has'; negated: boolean; path: PathStep[] }
  | { type: 'compare'; op: '=' | '!=' | '<' | '<=' | '>' | '>='; path: PathStep[]; value: Literal }
  | { type: 'in'; negated: boolean; path: PathStep[]; values: Literal[] }
  | { type: 'glob'; negated: boolean; path: PathStep[]; pattern: string }
  | { type: 'contains'; negated: boolean; path: PathStep[]; value: Literal }

export type PathStep = { key: string } | { index: number } | { fromEnd: number }

export class FilterSyntaxError extends Error {}

type Token =
  | { t: 'ident'; v: string; at: number }
  | { t: 'kw'; v: string; at: number }
  | { t: 'str'; v: string; at: number }
  | { t: 'num'; v: number; at: number }
  | { t: 'op'; v: string; at: number }
  | { t: 'punct'; v: '(' | ')' | ','; at: number }

const KEYWORDS = new Set(['AND', 'OR', 'NOT', 'IN', 'GLOB', 'CONTAINS', 'HAS', 'FIELD', 'TRUE', 'FALSE'])

function lex(input: string): Token[] {
  const tokens: Token[] = []
  let i = 0
  while (i < input.length) {
    const ch = input[i]!
    if (/\s/.test(ch)) {
      i++
      continue
    }
    const at = i
    if (ch === '(' || ch === ')' || ch === ',') {
      tokens.push({ t: 'punct', v: ch, at })
      i++
    } else if (ch === "'" || ch === '"') {
      let value = ''
      i++
      for (;;) {
        if (i >= input.length) throw new FilterSyntaxError(`unterminated string starting at ${at}`)
        const c = input[i]!
        if (c === '\\') {
          if (i + 1 >= input.length) throw new FilterSyntaxError(`dangling escape at ${i}`)
          value += input[i + 1]
          i += 2
        } else if (c === ch) {
          i++
          break
        } else {
          value += c
          i++
        }
      }
      tokens.push({ t: 'str', v: value, at })
    } else if (/[0-9]/.test(ch) || (ch === '-' && /[0-9]/.test(input[i + 1] ?? ''))) {
      const match = /^-?[0-9]+(\.[0-9]+)?/.exec(input.slice(i))!
      tokens.push({ t: 'num', v: Number(match[0]), at })
      i += match[0].length
      if (/[A-Za-z_]/.test(input[i] ?? '')) throw new FilterSyntaxError(`invalid number at ${at}`)
    } else if (/[A-Za-z_]/.test(ch)) {
      const match = /^[A-Za-z_][A-Za-z_0-9.[\]#-]*/.exec(input.slice(i))!
      const word = match[0]
      i += word.length
      if (KEYWORDS.has(word.toUpperCase())) tokens.push({ t: 'kw', v: word.toUpperCase(), at })
      else tokens.push({ t: 'ident', v: word, at })
    } else {
      const match = /^(!=|<=|>=|=|<|>)/.exec(input.slice(i))
      if (!match) throw new FilterSyntaxError(`unexpected character '${ch}' at ${i}`)
      tokens.push({ t: 'op', v: match[0], at })
      i += match[0].length
    }
  }
  return tokens
}

function parsePath(raw: string): PathStep[] {
  const steps: PathStep[] = []
  const re = /([A-Za-z_][A-Za-z_0-9-]*)|\[(#-)?([0-9]+)\]|(\.)/gy
  let expectKey = true
  let last = 0
  for (let match = re.exec(raw); match !== null; match = re.exec(raw)) {
    last = re.lastIndex
    if (match[1] !== undefined) {
      if (!expectKey) throw new FilterSyntaxError(`invalid path ${raw}`)
      steps.push({ key: match[1] })
      expectKey = false
    } else if (match[3] !== undefined) {
      if (expectKey) throw new FilterSyntaxError(`invalid path ${raw}`)
      steps.push(match[2] ? { fromEnd: Number(match[3]) } : { index: Number(match[3]) })
    } else {
      if (expectKey) throw new FilterSyntaxError(`invalid path ${raw}`)
      expectKey = true
    }
  }
  if (last !== raw.length || expectKey) throw new FilterSyntaxError(`invalid path ${raw}`)
  return steps
}

class Parser {
  private pos = 0
  private readonly tokens: Token[]
  constructor(tokens: Token[]) {
    this.tokens = tokens
  }

  parse(): FilterAst {
    const ast = this.or()
    if (this.pos < this.tokens.length) throw new FilterSyntaxError(`unexpected token at ${this.tokens[this.pos]!.at}`)
    return ast
  }

  private peek(): Token | undefined {
    return this.tokens[this.pos]
  }

  private isKw(word: string): boolean {
    const token = this.peek()
    return token?.t === 'kw' && token.v === word
  }

  private expectKw(word: string): void {
    if (!this.isKw(word)) throw new FilterSyntaxError(`expected ${word} at ${this.peek()?.at ?? 'end'}`)
    this.pos++
  }

  private expectPunct(p: string): void {
    const token = this.peek()
    if (token?.t !== 'punct' || token.v !== p) throw new FilterSyntaxError(`expected '${p}' at ${token?.at ?? 'end'}`)
    this.pos++
  }

  private or(): FilterAst {
    const children = [this.and()]
    while (this.isKw('OR')) {
      this.pos++
      children.push(this.and())
    }
    return children.length === 1 ? children[0]! : { type: 'or', children }
  }

  private and(): FilterAst {
    const children = [this.primary()]
    while (this.isKw('AND')) {
      this.pos++
      children.push(this.primary())
    }
    return children.length === 1 ? children[0]! : { type: 'and', children }
  }

  private literal(): Literal {
    const token = this.peek()
    if (token?.t === 'str' || token?.t === 'num') {
      this.pos++
      return token.v
    }
    if (token?.t === 'kw' && (token.v === 'TRUE' || token.v === 'FALSE')) {
      this.pos++
      return token.v === 'TRUE'
    }
    throw new FilterSyntaxError(`expected a literal at ${token?.at ?? 'end'}`)
  }

  private primary(): FilterAst {
    const token = this.peek()
    if (!token) throw new FilterSyntaxError('unexpected end of filter')
    if (token.t === 'punct' && token.v === '(') {
      this.pos++
      const inner = this.or()
      this.expectPunct(')')
      return inner
    }
    if (this.isKw('HAS')) {
      this.pos++
      const negated = this.isKw('NOT')
      if (negated) this.pos++
      this.expectKw('FIELD')
      const ident = this.peek()
      if (ident?.t !== 'ident') throw new FilterSyntaxError(`expected a field name at ${ident?.at ?? 'end'}`)
      this.pos++
      return { type: 'has', negated, path: parsePath(ident.v) }
    }
    if (token.t !== 'ident') throw new FilterSyntaxError(`expected a field name at ${token.at}`)
    this.pos++
    const path = parsePath(token.v)
    const next = this.peek()
    if (next?.t === 'op') {
      this.pos++
      const value = this.literal()
      const op = next.v as '=' | '!=' | '<' | '<=' | '>' | '>='
      if ((op === '<' || op === '<=' || op === '>' || op === '>=') && typeof value !== 'number') {
        throw new FilterSyntaxError(`${op} applies to numbers, got ${JSON.stringify(value)} at ${next.at}`)
      }
      return { type: 'compare', op, path, value }
    }
    const negated = this.isKw('NOT')
    if (negated) this.pos++
    if (this.isKw('IN')) {
      this.pos++
      this.expectPunct('(')
      const values = [this.literal()]
      while (this.peek()?.t === 'punct' && (this.peek() as { v: string }).v === ',') {
        this.pos++
        values.push(this.literal())
      }
      this.expectPunct(')')
      return { type: 'in', negated, path, values }
    }
    if (this.isKw('GLOB')) {
      this.pos++
      const pattern = this.literal()
      if (typeof pattern !== 'string') throw new FilterSyntaxError('GLOB takes a string pattern')
      return { type: 'glob', negated, path, pattern }
    }
    if (this.isKw('CONTAINS')) {
      this.pos++
      return { type: 'contains', negated, path, value: this.literal() }
    }
    throw new FilterSyntaxError(`expected an operator after ${token.v} at ${next?.at ?? 'end'}`)
  }
}

export function parseUpstashFilter(input: string): FilterAst {
  return new Parser(lex(input)).parse()
}

/** UNIX glob: * any run, ? one character, [abc], [a-z], [!abc] / [^abc]; case-sensitive. */
export function globToRegExp(pattern: string): RegExp {
  const chars = Array.from(pattern)
  let source = ''
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i]!
    if (c === '*') source += '[^]*'
    else if (c === '?') source += '.'
    else if (c === '[') {
      let j = i + 1
      let negate = false
      if (chars[j] === '!' || chars[j] === '^') {
        negate = true
        j++
      }
      const start = j
      if (chars[j] === ']') j++
      while (j < chars.length && chars[j] !== ']') j++
      if (j >= chars.length) {
        source += '\\['
        continue
      }
      let cls = ''
      for (let k = start; k < j; k++) {
        const member = chars[k]!
        if (chars[k + 1] === '-' && k + 2 < j) {
          cls += `${escapeClass(member)}-${escapeClass(chars[k + 2]!)}`
          k += 2
        } else cls += escapeClass(member)
      }
      source += `[${negate ? '^' : ''}${cls}]`
      i = j
    } else source += c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')
  }
  return new RegExp(`^${source}$`, 'su')
}

function escapeClass(c: string): string {
  return /[\]\\^-]/.test(c) ? `\\${c}` : c
}

function resolve(metadata: Json | undefined, path: PathStep[]): Json | undefined {
  let current: Json | undefined = metadata
  for (const step of path) {
    if (current === undefined || current === null) return undefined
    if ('key' in step) {
      if (typeof current !== 'object' || Array.isArray(current)) return undefined
      current = Object.hasOwn(current, step.key) ? current[step.key] : undefined
    } else {
      if (!Array.isArray(current)) return undefined
      const index = 'index' in step ? step.index : current.length - step.fromEnd
      current = index >= 0 && index < current.length ? current[index] : undefined
    }
  }
  return current
}

const isScalar = (v: Json | undefined): v is string | number | boolean =>
  typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean'
const sameScalar = (a: Json | undefined, b: Literal): boolean => isScalar(a) && typeof a === typeof b && a === b

export function evaluateUpstashFilter(ast: FilterAst, metadata: Json | undefined, semantics: NegationSemantics): boolean {
  const visit = (node: FilterAst): boolean => {
    switch (node.type) {
      case 'and':
        return node.children.every(visit)
      case 'or':
        return node.children.some(visit)
      case 'has': {
        const present = resolve(metadata, node.path) !== undefined
        return node.negated ? !present : present
      }
      case 'compare': {
        const value = resolve(metadata, node.path)
        switch (node.op) {
          case '=':
            return sameScalar(value, node.value)
          case '!=':
            return semantics === 'lenient'
              ? !sameScalar(value, node.value)
              : isScalar(value) && typeof value === typeof node.value && value !== node.value
          default: {
            if (typeof value !== 'number') return false
            const v = node.value as number
            return node.op === '<' ? value < v : node.op === '<=' ? value <= v : node.op === '>' ? value > v : value >= v
          }
        }
      }
      case 'in': {
        const value = resolve(metadata, node.path)
        const hit = node.values.some((v) => sameScalar(value, v))
        if (!node.negated) return hit
        return semantics === 'lenient' ? !hit : isScalar(value) && !hit
      }
      case 'glob': {
        const value = resolve(metadata, node.path)
        if (typeof value !== 'string') return node.negated && semantics === 'lenient'
        const hit = globToRegExp(node.pattern).test(value)
        return node.negated ? !hit : hit
      }
      case 'contains': {
        const value = resolve(metadata, node.path)
        if (!Array.isArray(value)) return node.negated && semantics === 'lenient'
        const hit = value.some((element) => sameScalar(element, node.value))
        return node.negated ? !hit : hit
      }
    }
  }
  return visit(ast)
}
