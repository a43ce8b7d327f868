import type { FieldNode, FilterNode } from '../../src/internal.ts'
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
import { PRESENT_KINDS, TAGS_KEY, tagsFor, type ValueKind } from '../shared/shape.ts'

/**
 * Compiles the filter AST to Qdrant's filter JSON. Qdrant has a real NOT (`must_not`) and any-element
 * matching on arrays, so most conditions compile exactly: numbers use `range` (match.value takes no
 * floats, and a range with gte = lte = v is an exact equality for integers and floats alike), strings and
 * bools `match.value`. The shape tags (`_em_t`) give "f is an array/string" and "f exists" (nulls are not
 * stored). Ordering strings and (case-insensitive) substrings have no Qdrant equivalent among the
 * conditions the adapter relies on: they compile to supersets and are post-filtered.
 */
export type QdrantCondition = Record<string, unknown>

const or = (parts: QdrantCondition[]): QdrantCondition => ({ should: parts })
const and = (parts: QdrantCondition[]): QdrantCondition => ({ must: parts })
const not = (part: QdrantCondition): QdrantCondition => ({ must_not: [part] })
const ops = { or, and }

function hasKind(field: string, kinds: readonly ValueKind[]): Native<QdrantCondition> {
  if (kinds.length === 0) return FALSE
  return expr({ key: TAGS_KEY, match: { any: tagsFor(field, kinds) } })
}

function equals(field: string, value: string | number | boolean): QdrantCondition {
  return typeof value === 'number' ? { key: field, range: { gte: value, lte: value } } : { key: field, match: { value } }
}

/** The positive form; `exact` false means a superset. */
function positive(node: FieldNode): CompiledLiteral<QdrantCondition> {
  const f = node.field
  switch (node.op) {
    case 'exists':
      return { native: hasKind(f, PRESENT_KINDS), exact: true }
    case 'eq':
      return { native: expr(equals(f, node.value)), exact: true }
    case 'in': {
      const strings = node.values.filter((v): v is string => typeof v === 'string')
      const others = node.values.filter((v) => typeof v !== 'string')
      const parts: Native<QdrantCondition>[] = others.map((v) => expr(equals(f, v)))
      if (strings.length > 0) parts.unshift(expr({ key: f, match: { any: strings } }))
      return { native: anyOf(ops, parts), exact: true }
    }
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte':
      if (typeof node.value === 'number') return { native: expr({ key: f, range: { [node.op]: node.value } }), exact: true }
      return { native: hasKind(f, ['s', 'a']), exact: false }
    case 'contains': {
      const inArray = allOf(ops, [expr(equals(f, node.value)), hasKind(f, ['a'])])
      if (typeof node.value !== 'string') return { native: inArray, exact: true }
      return { native: anyOf(ops, [inArray, hasKind(f, ['s'])]), exact: false }
    }
    case 'icontains':
      return { native: hasKind(f, ['s', 'a']), exact: false }
    case 'ne':
      return negative({ op: 'eq', field: f, value: node.value })
    case 'nin':
      return negative({ op: 'in', field: f, values: node.values })
  }
}

function negative(node: FieldNode): CompiledLiteral<QdrantCondition> {
  const f = node.field
  const compiled = positive(node)
  if (compiled.exact) {
    const native = compiled.native
    return { native: native.kind === 'true' ? FALSE : native.kind === 'false' ? TRUE : expr(not(native.expr)), exact: true }
  }
  // The negation of a superset is a subset: build a superset of the negation instead.
  if (node.op === 'contains' && typeof node.value === 'string') {
    // Excludes exactly the arrays holding the value; strings are kept and post-filtered.
    const inArray = allOf(ops, [expr(equals(f, node.value)), hasKind(f, ['a'])])
    return { native: inArray.kind === 'expr' ? expr(not(inArray.expr)) : TRUE, exact: false }
  }
  return { native: TRUE, exact: false }
}

const dialect: NativeDialect<QdrantCondition> = {
  and,
  or,
  literal: (negated, node) => (negated ? negative(node) : positive(node)),
}

export function compileQdrantFilter(filter: FilterNode): CompiledFilter<QdrantCondition> {
  return compileWithDialect(filter, dialect)
}
