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
import { PRESENT_KINDS, tag, tagsFor, type ValueKind } from '../shared/shape.ts'
import { valueToken } from '../shared/tokens.ts'

/**
 * Compiles the filter AST to an OData `$filter` expression of Azure AI Search.
 *
 * An index has a fixed schema, so metadata cannot become fields of their own: the payload is stored as
 * one JSON string, and two filterable string collections describe it. `em_t` holds the shape tags
 * (shared/shape.ts); `em_kv` the value tokens (shared/tokens.ts). Equality, `in`, `exists` and "array holds the value" are
 * then exact `any` tests on those collections, and OData's `not` negates them exactly (a collection is
 * never null, only empty). Ranges, substrings and case-insensitive matching have no equivalent on tokens:
 * they compile to supersets (the field has a kind that could match) and are post-filtered.
 */
export type AzureExpr = string

/** OData string literal: single quotes doubled. */
export const odataString = (value: string): string => `'${value.replaceAll("'", "''")}'`

const paren = (part: AzureExpr): string => `(${part})`
const and = (parts: AzureExpr[]): AzureExpr => parts.map(paren).join(' and ')
const or = (parts: AzureExpr[]): AzureExpr => parts.map(paren).join(' or ')
const not = (part: AzureExpr): AzureExpr => `not (${part})`
const ops = { or, and }

/** `collection/any(t: t eq 'a' or t eq 'b')`: some element is one of the strings. */
function anyOfStrings(collection: string, values: string[]): Native<AzureExpr> {
  if (values.length === 0) return FALSE
  return expr(`${collection}/any(t: ${values.map((v) => `t eq ${odataString(v)}`).join(' or ')})`)
}

export const TOKENS_FIELD = 'em_kv'
export const TAGS_FIELD = 'em_t'

const hasKind = (field: string, kinds: readonly ValueKind[]): Native<AzureExpr> => anyOfStrings(TAGS_FIELD, tagsFor(field, kinds))
const equals = (field: string, value: string | number | boolean): Native<AzureExpr> =>
  anyOfStrings(TOKENS_FIELD, [valueToken(field, value)])

function positive(node: FieldNode): CompiledLiteral<AzureExpr> {
  const f = node.field
  switch (node.op) {
    case 'exists':
      return { native: hasKind(f, PRESENT_KINDS), exact: true }
    case 'eq':
      return { native: equals(f, node.value), exact: true }
    case 'in':
      return { native: anyOfStrings(TOKENS_FIELD, [...new Set(node.values.map((v) => valueToken(f, v)))]), exact: true }
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte':
      return { native: hasKind(f, typeof node.value === 'number' ? ['n', 'a'] : ['s', 'a']), exact: false }
    case 'contains': {
      const inArray = allOf(ops, [equals(f, node.value), anyOfStrings(TAGS_FIELD, [tag('a', f)])])
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

function negative(node: FieldNode): CompiledLiteral<AzureExpr> {
  const compiled = positive(node)
  if (compiled.exact) {
    const native = compiled.native
    return { native: native.kind === 'true' ? FALSE : native.kind === 'false' ? TRUE : expr(not(native.expr)), exact: true }
  }
  // The negation of a superset is a subset: build a superset of the negation instead.
  if (node.op === 'contains' && typeof node.value === 'string') {
    // Excludes exactly the arrays holding the value; strings are kept and post-filtered.
    const inArray = allOf(ops, [equals(node.field, node.value), anyOfStrings(TAGS_FIELD, [tag('a', node.field)])])
    return { native: inArray.kind === 'expr' ? expr(not(inArray.expr)) : TRUE, exact: false }
  }
  return { native: TRUE, exact: false }
}

const dialect: NativeDialect<AzureExpr> = {
  and,
  or,
  literal: (negated, node) => (negated ? negative(node) : positive(node)),
}

export function compileAzureFilter(filter: FilterNode): CompiledFilter<AzureExpr> {
  return compileWithDialect(filter, dialect)
}
