import type { FieldNode, FilterNode, ScalarValue } from '../../src/internal.ts'
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
import { PRESENT_KINDS, TAGS_KEY, tagsFor } from '../shared/shape.ts'
import { KEYWORD_LIMIT, valuePath } from './document.ts'

/**
 * Compiles the filter AST to Elasticsearch / OpenSearch query DSL (the same in both). Search engines have
 * a real NOT (`bool.must_not`, which matches documents without the field, as our `ne` does) and match a
 * multi-valued field when any value matches (as our `eq`, `in` and ranges do on arrays), and the document
 * layout (document.ts) indexes every value by its JSON type, so nearly everything is exact: `term`/`terms`
 * on `s.`/`n.`/`b.` fields, `range` on numbers, shape tags for `exists` and "is an array". Strings longer
 * than KEYWORD_LIMIT are not indexed (tag `l`), string ordering (UTF-8 bytes in Lucene, UTF-16 units in
 * JavaScript) and substrings compile to supersets, post-filtered. OR sets `minimum_should_match: 1`: a
 * `should` next to `filter` clauses is otherwise optional.
 */
export type QueryDsl = Record<string, unknown>

const and = (parts: QueryDsl[]): QueryDsl => ({ bool: { filter: parts } })
const or = (parts: QueryDsl[]): QueryDsl => ({ bool: { should: parts, minimum_should_match: 1 } })
const not = (part: QueryDsl): QueryDsl => ({ bool: { must_not: [part] } })
const ops = { and, or }

function hasTag(field: string, kinds: readonly string[]): Native<QueryDsl> {
  if (kinds.length === 0) return FALSE
  return expr({ terms: { [TAGS_KEY]: tagsFor(field, kinds) } })
}

const long = (value: ScalarValue): boolean => typeof value === 'string' && value.length > KEYWORD_LIMIT

function term(field: string, value: ScalarValue): QueryDsl {
  const kind = typeof value === 'string' ? 's' : typeof value === 'number' ? 'n' : 'b'
  return { term: { [valuePath(kind, field)]: value } }
}

/** eq/in: one `terms` per value type; operands too long to be indexed are reached by the `l` tag. */
function equalsAny(f: string, values: ScalarValue[]): CompiledLiteral<QueryDsl> {
  const strings = values.filter((v): v is string => typeof v === 'string' && !long(v))
  const numbers = values.filter((v): v is number => typeof v === 'number')
  const bools = values.filter((v): v is boolean => typeof v === 'boolean')
  const parts: Native<QueryDsl>[] = []
  for (const [kind, group] of [
    ['s', strings],
    ['n', numbers],
    ['b', bools],
  ] as const) {
    if (group.length === 1) parts.push(expr(term(f, group[0]!)))
    else if (group.length > 1) parts.push(expr({ terms: { [valuePath(kind, f)]: [...new Set<ScalarValue>(group)] } }))
  }
  const anyLong = values.some(long)
  if (anyLong) parts.push(hasTag(f, ['l']))
  return { native: anyOf(ops, parts), exact: !anyLong }
}

/** Arrays holding `value` as an element (a scalar equal to it is not "contains" unless it is a string). */
const arrayHolding = (f: string, value: ScalarValue): Native<QueryDsl> => allOf(ops, [expr(term(f, value)), hasTag(f, ['a'])])

function positive(node: FieldNode): CompiledLiteral<QueryDsl> {
  const f = node.field
  switch (node.op) {
    case 'exists':
      return { native: hasTag(f, PRESENT_KINDS), exact: true }
    case 'eq':
      return equalsAny(f, [node.value])
    case 'in':
      return equalsAny(f, node.values)
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte':
      if (typeof node.value === 'number')
        return { native: expr({ range: { [valuePath('n', f)]: { [node.op]: node.value } } }), exact: true }
      return { native: hasTag(f, ['s', 'a']), exact: false }
    case 'contains':
      if (typeof node.value !== 'string') return { native: arrayHolding(f, node.value), exact: true }
      return { native: anyOf(ops, [long(node.value) ? hasTag(f, ['a']) : arrayHolding(f, node.value), hasTag(f, ['s'])]), exact: false }
    case 'icontains':
      return { native: hasTag(f, ['s', 'a']), exact: false }
    case 'ne':
      return negative({ op: 'eq', field: f, value: node.value })
    case 'nin':
      return negative({ op: 'in', field: f, values: node.values })
  }
}

function negative(node: FieldNode): CompiledLiteral<QueryDsl> {
  const compiled = positive(node)
  if (compiled.exact) {
    const native = compiled.native
    return { native: native.kind === 'true' ? FALSE : native.kind === 'false' ? TRUE : expr(not(native.expr)), exact: true }
  }
  // The negation of a superset is a subset: build a superset of the negation instead.
  if (node.op === 'contains' && typeof node.value === 'string' && !long(node.value)) {
    const holding = arrayHolding(node.field, node.value)
    return { native: holding.kind === 'expr' ? expr(not(holding.expr)) : TRUE, exact: false }
  }
  if ((node.op === 'eq' || node.op === 'in') && compiled.native.kind === 'expr') {
    // Long operands: the short ones are excluded exactly, long strings are kept and post-filtered.
    const values = 'values' in node ? node.values : [node.value]
    const short = equalsAny(
      node.field,
      values.filter((v) => !long(v)),
    )
    return { native: short.native.kind === 'expr' ? expr(not(short.native.expr)) : TRUE, exact: false }
  }
  return { native: TRUE, exact: false }
}

const dialect: NativeDialect<QueryDsl> = { and, or, literal: (negated, node) => (negated ? negative(node) : positive(node)) }

export function compileSearchEngineFilter(filter: FilterNode): CompiledFilter<QueryDsl> {
  return compileWithDialect(filter, dialect)
}
