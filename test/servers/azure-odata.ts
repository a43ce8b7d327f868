/**
 * The OData `$filter` subset of Azure AI Search that the fake evaluates: `and`, `or`, `not`, parentheses,
 * `eq ne gt ge lt le` between a field and a literal (strings in single quotes with `''` escapes, numbers,
 * `true`/`false`/`null`), `search.in(field, 'a,b', ',')`, and `coll/any(t: ...)` / `coll/all(t: ...)` on
 * string collections, with the service's documented restrictions on lambda bodies: inside `any` only
 * `t eq '...'` and `search.in(t, ...)` joined by `or`; inside `all` only `t ne '...'` and
 * `not search.in(t, ...)` joined by `and`. Fields must exist and be filterable.
 */

export class ODataError extends Error {}

type Literal = string | number | boolean | null
export type ODataNode =
  | { kind: 'and' | 'or'; left: ODataNode; right: ODataNode }
  | { kind: 'not'; child: ODataNode }
  | { kind: 'cmp'; op: 'eq' | 'ne' | 'gt' | 'ge' | 'lt' | 'le'; field: string; value: Literal }
  | { kind: 'in'; field: string; values: string[] }
  | { kind: 'lambda'; quantifier: 'any' | 'all'; collection: string; variable: string; body: ODataNode | undefined }
  | { kind: 'const'; value: boolean }

type Token = { type: 'word' | 'string' | 'number' | 'punct'; text: string; value?: Literal }

function tokenize(input: string): Token[] {
  const tokens: Token[] = []
  let i = 0
  while (i < input.length) {
    const c = input[i]!
    if (/\s/.test(c)) {
      i++
    } else if (c === "'") {
      let value = ''
      i++
      for (;;) {
        if (i >= input.length) throw new ODataError(`Invalid expression: Unterminated string literal at position ${i} in '${input}'.`)
        if (input[i] === "'") {
          if (input[i + 1] === "'") {
            value += "'"
            i += 2
            continue
          }
          i++
          break
        }
        value += input[i]
        i++
      }
      tokens.push({ type: 'string', text: value, value })
    } else if ('(),:/'.includes(c)) {
      tokens.push({ type: 'punct', text: c })
      i++
    } else {
      const match = /^(-?\d+(\.\d+)?([eE][+-]?\d+)?)|^[A-Za-z_][A-Za-z0-9_.]*/.exec(input.slice(i))
      if (!match) throw new ODataError(`Invalid expression: Syntax error at position ${i} in '${input}'.`)
      const text = match[0]
      tokens.push(match[1] ? { type: 'number', text, value: Number(text) } : { type: 'word', text })
      i += text.length
    }
  }
  return tokens
}

const COMPARISONS = ['eq', 'ne', 'gt', 'ge', 'lt', 'le'] as const

export function parseOData(input: string, isFilterable: (field: string) => 'filterable' | 'not-filterable' | 'unknown'): ODataNode {
  const tokens = tokenize(input)
  let pos = 0
  const peek = (): Token | undefined => tokens[pos]
  const fail = (what: string): never => {
    throw new ODataError(`Invalid expression: ${what} at position ${pos} in '${input}'.`)
  }
  const expect = (text: string): void => {
    if (peek()?.text !== text) fail(`'${text}' expected`)
    pos++
  }
  const checkField = (field: string): void => {
    const state = isFilterable(field)
    if (state === 'unknown')
      throw new ODataError(`Invalid expression: Could not find a property named '${field}' on type 'search.document'.`)
    if (state === 'not-filterable')
      throw new ODataError(
        `Invalid expression: The field '${field}' is not a filterable field. Only filterable fields can be used in filter expressions.`,
      )
  }
  const literal = (): Literal => {
    const t = peek()
    if (!t) return fail('literal expected')
    pos++
    if (t.type === 'string' || t.type === 'number') return t.value!
    if (t.type === 'word' && (t.text === 'true' || t.text === 'false')) return t.text === 'true'
    if (t.type === 'word' && t.text === 'null') return null
    return fail('literal expected')
  }

  let lambdaVariable: string | undefined
  const orExpr = (): ODataNode => {
    let left = andExpr()
    while (peek()?.text === 'or') {
      pos++
      left = { kind: 'or', left, right: andExpr() }
    }
    return left
  }
  const andExpr = (): ODataNode => {
    let left = unary()
    while (peek()?.text === 'and') {
      pos++
      left = { kind: 'and', left, right: unary() }
    }
    return left
  }
  const unary = (): ODataNode => {
    if (peek()?.text === 'not') {
      pos++
      return { kind: 'not', child: unary() }
    }
    return primary()
  }
  const primary = (): ODataNode => {
    const t = peek()
    if (!t) return fail('expression expected')
    if (t.text === '(') {
      pos++
      const inner = orExpr()
      expect(')')
      return inner
    }
    if (t.type === 'word' && (t.text === 'true' || t.text === 'false')) {
      pos++
      return { kind: 'const', value: t.text === 'true' }
    }
    if (t.type === 'word' && t.text === 'search.in') {
      pos++
      expect('(')
      const field = peek()
      if (field?.type !== 'word') return fail('field expected')
      pos++
      if (field.text !== lambdaVariable) checkField(field.text)
      expect(',')
      const list = literal()
      let delimiters = ' ,'
      if (peek()?.text === ',') {
        pos++
        const d = literal()
        if (typeof d !== 'string') return fail('delimiters must be a string')
        delimiters = d
      }
      expect(')')
      if (typeof list !== 'string') return fail('search.in expects a string list')
      const values = list.split(new RegExp(`[${delimiters.replace(/[\\\]^-]/g, '\\$&')}]`)).filter((v) => v.length > 0)
      return { kind: 'in', field: field.text, values }
    }
    if (t.type !== 'word') return fail('field expected')
    pos++
    if (peek()?.text === '/') {
      pos++
      const quantifier = peek()?.text
      if (quantifier !== 'any' && quantifier !== 'all') return fail("'any' or 'all' expected")
      pos++
      checkField(t.text)
      expect('(')
      if (peek()?.text === ')') {
        pos++
        if (quantifier === 'all') return fail("'all' needs a lambda expression")
        return { kind: 'lambda', quantifier, collection: t.text, variable: '', body: undefined }
      }
      const variable = peek()
      if (variable?.type !== 'word') return fail('range variable expected')
      pos++
      expect(':')
      const outer = lambdaVariable
      lambdaVariable = variable.text
      const body = orExpr()
      lambdaVariable = outer
      expect(')')
      checkLambdaBody(quantifier, variable.text, body, input)
      return { kind: 'lambda', quantifier, collection: t.text, variable: variable.text, body }
    }
    const op = peek()?.text
    if (!COMPARISONS.includes(op as (typeof COMPARISONS)[number])) return fail('comparison operator expected')
    pos++
    if (t.text !== lambdaVariable) checkField(t.text)
    return { kind: 'cmp', op: op as (typeof COMPARISONS)[number], field: t.text, value: literal() }
  }
  const node = orExpr()
  if (pos !== tokens.length) fail('end of expression expected')
  return node
}

/** The service's rules for lambda bodies over string collections. */
function checkLambdaBody(quantifier: 'any' | 'all', variable: string, body: ODataNode, input: string): void {
  const reject = (): never => {
    throw new ODataError(
      quantifier === 'any'
        ? `Invalid expression: Invalid lambda expression. Found a test for equality or inequality where the opposite was expected in a lambda expression that iterates over a field of type Collection(Edm.String). For 'any', please use expressions of the form 'x eq y' or 'search.in(...)'. For 'all', please use expressions of the form 'x ne y' or 'not search.in(...)'. ('${input}')`
        : `Invalid expression: Invalid lambda expression. For 'all', please use expressions of the form 'x ne y' or 'not search.in(...)', joined with 'and'. ('${input}')`,
    )
  }
  const visit = (node: ODataNode): void => {
    if (quantifier === 'any') {
      if (node.kind === 'or') {
        visit(node.left)
        visit(node.right)
        return
      }
      if (node.kind === 'cmp' && node.op === 'eq' && node.field === variable) return
      if (node.kind === 'in' && node.field === variable) return
    } else {
      if (node.kind === 'and') {
        visit(node.left)
        visit(node.right)
        return
      }
      if (node.kind === 'cmp' && node.op === 'ne' && node.field === variable) return
      if (node.kind === 'not' && node.child.kind === 'in' && node.child.field === variable) return
    }
    reject()
  }
  visit(body)
}

function compare(a: unknown, op: string, b: Literal): boolean {
  if (op === 'eq') return a === b || (a === undefined && b === null)
  if (op === 'ne') return !(a === b || (a === undefined && b === null))
  if (a === null || a === undefined || b === null || typeof a !== typeof b) return false
  const x = a as string | number
  const y = b as string | number
  return op === 'gt' ? x > y : op === 'ge' ? x >= y : op === 'lt' ? x < y : x <= y
}

export function evaluateOData(node: ODataNode, doc: Record<string, unknown>, scope: Record<string, unknown> = {}): boolean {
  switch (node.kind) {
    case 'const':
      return node.value
    case 'and':
      return evaluateOData(node.left, doc, scope) && evaluateOData(node.right, doc, scope)
    case 'or':
      return evaluateOData(node.left, doc, scope) || evaluateOData(node.right, doc, scope)
    case 'not':
      return !evaluateOData(node.child, doc, scope)
    case 'cmp': {
      const value = node.field in scope ? scope[node.field] : doc[node.field]
      return compare(value, node.op, node.value)
    }
    case 'in': {
      const value = node.field in scope ? scope[node.field] : doc[node.field]
      return typeof value === 'string' && node.values.includes(value)
    }
    case 'lambda': {
      const items = Array.isArray(doc[node.collection]) ? (doc[node.collection] as unknown[]) : []
      if (!node.body) return items.length > 0
      const test = (item: unknown) => evaluateOData(node.body!, doc, { ...scope, [node.variable]: item })
      return node.quantifier === 'any' ? items.some(test) : items.every(test)
    }
  }
}
