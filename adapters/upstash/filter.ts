import { hasLoneSurrogate, type FieldNode, type FilterNode, type ScalarValue } from '../../src/internal.ts'
import {
  allOf,
  anyOf,
  compileWithDialect,
  expr,
  FALSE,
  TRUE,
  type CompiledFilter,
  type CompiledLiteral,
  type Native,
  type NativeDialect,
} from '../shared/nnf.ts'
import { PRESENT_KINDS, TAGS_KEY, tag, type ValueKind } from '../shared/shape.ts'

/**
 * Compiles the filter AST to Upstash Vector's SQL-like filter string.
 *
 * Upstash's comparison operators apply to scalars only (`=` does not look inside arrays, `<`/`>` take
 * numbers only, GLOB strings only) and the docs leave open what `!=`, `NOT IN`, `NOT CONTAINS` and
 * `NOT GLOB` do on a missing field or a value of another type. So every negated condition is built from
 * pieces whose meaning is unambiguous: shape-tag membership (`_em_t CONTAINS 's:f'`), a comparison guarded
 * by the tag of the type it applies to, and `HAS NOT FIELD`. What cannot be expressed exactly compiles to a
 * superset and `exact` is false: the adapter re-checks every result with the reference evaluator.
 */

const KEYWORDS = new Set(['and', 'or', 'not', 'in', 'glob', 'contains', 'has', 'field', 'true', 'false'])
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_-]*$/

/** A field usable as a bare identifier: no path characters and not a keyword of the language. */
export function referencableField(field: string): boolean {
  return IDENTIFIER.test(field) && !KEYWORDS.has(field.toLowerCase())
}

/** Single-quoted literal; backslash escapes backslash and quote, so a value can never end the string. */
export function quoteString(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`
}

/**
 * Plain decimal notation (the filter grammar has no exponents). Integers up to 2^53 and decimals that
 * JavaScript prints without an exponent are exact; others return undefined and are post-filtered.
 */
export function formatNumber(value: number): string | undefined {
  if (!Number.isFinite(value)) return undefined
  if (Object.is(value, -0)) return '0'
  if (Number.isInteger(value)) return Number.isSafeInteger(value) ? String(value) : undefined
  const text = String(value)
  return /e/i.test(text) ? undefined : text
}

export function formatLiteral(value: ScalarValue): string | undefined {
  if (typeof value === 'string') return quoteString(value)
  if (typeof value === 'boolean') return value ? 'true' : 'false'
  return formatNumber(value)
}

const GLOB_SPECIAL = /[*?[\]\\]/g

/**
 * `*needle*` for a substring test. Characters with a meaning in globs are replaced by `?` (any one
 * character), which makes the pattern a superset: exact is false then.
 */
export function substringGlob(needle: string): { pattern: string; exact: boolean } | undefined {
  if (hasLoneSurrogate(needle)) return undefined
  let exact = true
  const body = needle.replace(GLOB_SPECIAL, () => {
    exact = false
    return '?'
  })
  return { pattern: `*${body}*`, exact }
}

/**
 * Case-insensitive substring glob for ASCII needles: each letter becomes a class of the characters whose
 * lowercase is that letter ([kK\u212A] for the Kelvin sign). "İ" lowercases to two characters ("i" and a
 * combining dot), which a one-character class cannot mirror, so needles with an "i" are supersets.
 */
export function caseInsensitiveGlob(needle: string): { pattern: string; exact: boolean } | undefined {
  if (!/^[\x20-\x7e]*$/.test(needle)) return undefined
  let exact = !/[iI]/.test(needle)
  let body = ''
  for (const ch of needle.toLowerCase()) {
    if (ch >= 'a' && ch <= 'z') body += ch === 'k' ? '[kK\u212A]' : ch === 'i' ? '[iI\u0130]' : `[${ch}${ch.toUpperCase()}]`
    else if (/[*?[\]\\]/.test(ch)) {
      body += '?'
      exact = false
    } else body += ch
  }
  return { pattern: `*${body}*`, exact }
}

function kindOfScalar(value: ScalarValue): ValueKind {
  return typeof value === 'string' ? 's' : typeof value === 'number' ? 'n' : 'b'
}

const or = (parts: string[]): string => `(${parts.join(' OR ')})`
const and = (parts: string[]): string => `(${parts.join(' AND ')})`
const dialectOps = { or, and }

function hasKind(field: string, kinds: readonly ValueKind[]): Native<string> {
  return anyOf(
    dialectOps,
    kinds.map((kind) => expr(`${TAGS_KEY} CONTAINS ${quoteString(tag(kind, field))}`)),
  )
}

const missing = (field: string): Native<string> => expr(`HAS NOT FIELD ${field}`)
const except = (...kinds: ValueKind[]): ValueKind[] => PRESENT_KINDS.filter((k) => !kinds.includes(k))
const superset = (native: Native<string>): CompiledLiteral<string> => ({ native, exact: false })
const exactly = (native: Native<string>): CompiledLiteral<string> => ({ native, exact: true })

function positive(node: FieldNode): CompiledLiteral<string> {
  const f = node.field
  switch (node.op) {
    case 'exists':
      return exactly(expr(`HAS FIELD ${f}`))
    case 'eq':
    case 'in': {
      const values = 'values' in node ? node.values : [node.value]
      if (values.length === 0) return exactly(FALSE)
      const parts: Native<string>[] = []
      let exact = true
      const literals: string[] = []
      for (const value of values) {
        const literal = formatLiteral(value)
        if (literal === undefined) {
          exact = false
          parts.push(hasKind(f, ['n', 'a']))
          continue
        }
        literals.push(literal)
        parts.push(expr(`${f} CONTAINS ${literal}`))
      }
      if (literals.length === 1) parts.unshift(expr(`${f} = ${literals[0]}`))
      else if (literals.length > 1) parts.unshift(expr(`${f} IN (${literals.join(', ')})`))
      return { native: anyOf(dialectOps, parts), exact }
    }
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte': {
      const symbol = { gt: '>', gte: '>=', lt: '<', lte: '<=' }[node.op]
      const literal = typeof node.value === 'number' ? formatNumber(node.value) : undefined
      // Upstash orders numbers only; elements of arrays are not compared: both post-filtered.
      if (literal === undefined) return superset(hasKind(f, typeof node.value === 'number' ? ['n', 'a'] : ['s', 'a']))
      return superset(anyOf(dialectOps, [expr(`${f} ${symbol} ${literal}`), hasKind(f, ['a'])]))
    }
    case 'contains': {
      if (typeof node.value !== 'string') {
        const literal = formatLiteral(node.value)
        return literal === undefined ? superset(hasKind(f, ['a'])) : exactly(expr(`${f} CONTAINS ${literal}`))
      }
      const glob = substringGlob(node.value)
      if (!glob) return superset(hasKind(f, ['s', 'a']))
      return {
        native: anyOf(dialectOps, [expr(`${f} GLOB ${quoteString(glob.pattern)}`), expr(`${f} CONTAINS ${quoteString(node.value)}`)]),
        exact: glob.exact,
      }
    }
    case 'icontains': {
      const glob = caseInsensitiveGlob(String(node.value))
      if (!glob) return superset(hasKind(f, ['s', 'a']))
      // String elements of arrays cannot be globbed: arrays are post-filtered.
      return superset(anyOf(dialectOps, [expr(`${f} GLOB ${quoteString(glob.pattern)}`), hasKind(f, ['a'])]))
    }
    case 'ne':
    case 'nin':
      return negative({ ...node, op: node.op === 'ne' ? 'eq' : 'in' } as FieldNode)
  }
}

function negative(node: FieldNode): CompiledLiteral<string> {
  const f = node.field
  const guarded = (kind: ValueKind, condition: string): Native<string> => allOf(dialectOps, [expr(condition), hasKind(f, [kind])])
  switch (node.op) {
    case 'exists':
      return exactly(missing(f))
    case 'eq':
    case 'in': {
      const values = 'values' in node ? node.values : [node.value]
      if (values.length === 0) return exactly(TRUE)
      let exact = true
      const byKind = new Map<ValueKind, string[]>()
      const arrayConditions: Native<string>[] = []
      const wholeKinds = new Set<ValueKind>()
      for (const value of values) {
        const kind = kindOfScalar(value)
        const literal = formatLiteral(value)
        if (literal === undefined) {
          // Cannot name the value: keep every number and every array, post-filter them.
          exact = false
          wholeKinds.add(kind)
          wholeKinds.add('a')
          continue
        }
        byKind.set(kind, [...(byKind.get(kind) ?? []), literal])
        arrayConditions.push(expr(`${f} NOT CONTAINS ${literal}`))
      }
      const parts: Native<string>[] = [
        missing(f),
        hasKind(
          f,
          except(...byKind.keys(), 'a').filter((k) => !wholeKinds.has(k)),
        ),
      ]
      parts.push(hasKind(f, [...wholeKinds]))
      for (const [kind, literals] of byKind) {
        if (wholeKinds.has(kind)) continue
        parts.push(guarded(kind, literals.length === 1 ? `${f} != ${literals[0]}` : `${f} NOT IN (${literals.join(', ')})`))
      }
      if (!wholeKinds.has('a')) parts.push(allOf(dialectOps, [hasKind(f, ['a']), ...arrayConditions]))
      return { native: anyOf(dialectOps, parts), exact }
    }
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte': {
      const inverse = { gt: '<=', gte: '<', lt: '>=', lte: '>' }[node.op]
      const literal = typeof node.value === 'number' ? formatNumber(node.value) : undefined
      if (literal === undefined) return superset(TRUE)
      // Arrays are kept whole (an element-wise "none is greater" is not expressible) and post-filtered.
      return superset(anyOf(dialectOps, [missing(f), hasKind(f, ['s', 'b', 'o', 'a']), guarded('n', `${f} ${inverse} ${literal}`)]))
    }
    case 'contains': {
      if (typeof node.value !== 'string') {
        const literal = formatLiteral(node.value)
        if (literal === undefined) return superset(TRUE)
        return exactly(anyOf(dialectOps, [missing(f), hasKind(f, except('a')), guarded('a', `${f} NOT CONTAINS ${literal}`)]))
      }
      const glob = substringGlob(node.value)
      const stringPart = glob?.exact ? guarded('s', `${f} NOT GLOB ${quoteString(glob.pattern)}`) : hasKind(f, ['s'])
      return {
        native: anyOf(dialectOps, [
          missing(f),
          hasKind(f, ['n', 'b', 'o']),
          stringPart,
          guarded('a', `${f} NOT CONTAINS ${quoteString(node.value)}`),
        ]),
        exact: glob?.exact ?? false,
      }
    }
    case 'icontains': {
      const glob = caseInsensitiveGlob(String(node.value))
      const stringPart = glob?.exact ? guarded('s', `${f} NOT GLOB ${quoteString(glob.pattern)}`) : hasKind(f, ['s'])
      return superset(anyOf(dialectOps, [missing(f), hasKind(f, ['n', 'b', 'o', 'a']), stringPart]))
    }
    case 'ne':
    case 'nin':
      return positive({ ...node, op: node.op === 'ne' ? 'eq' : 'in' } as FieldNode)
  }
}

const dialect: NativeDialect<string> = {
  and,
  or,
  literal(negated, node) {
    if (!referencableField(node.field)) return { native: TRUE, exact: false }
    return negated ? negative(node) : positive(node)
  },
}

export function compileUpstashFilter(filter: FilterNode): CompiledFilter<string> {
  return compileWithDialect(filter, dialect)
}
