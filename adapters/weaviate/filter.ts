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
import { PRESENT_KINDS, tag, tagsFor, type ValueKind } from '../shared/shape.ts'
import { valueToken } from '../shared/tokens.ts'

/**
 * Compiles the filter AST to a Weaviate `where` filter (the GraphQL `where` argument and the `match.where`
 * of a batch delete share it).
 *
 * A class has one schema for every object, so metadata fields cannot become properties of their own
 * (Weaviate's auto-schema would fix each field's type at its first value, and property names are limited
 * to `[_A-Za-z][_0-9A-Za-z]*`): the payload is stored as one JSON text property, and two `text[]`
 * properties with `field` tokenization describe it. `emTags` holds the shape tags (shared/shape.ts);
 * `emTokens` the value tokens (shared/tokens.ts). Equality, `in`, `exists` and "array holds the value"
 * are then `ContainsAny` tests on those lists, which Weaviate evaluates exactly — except that `field`
 * tokenization trims surrounding whitespace, so a value ending in whitespace also lets the trimmed value
 * through (post-filtered). Weaviate's `Not` and `ContainsNone` exist only from v1.33, so negations compile
 * to "everything" and are post-filtered; ranges, substrings and case-insensitive matching have no
 * equivalent on tokens: they compile to supersets (the field has a kind that could match), post-filtered.
 */
export interface WeaviateWhere {
  operator: 'And' | 'Or' | 'Equal' | 'ContainsAny'
  path?: string[]
  operands?: WeaviateWhere[]
  valueText?: string | string[]
}

export const TOKENS_PROPERTY = 'emTokens'
export const TAGS_PROPERTY = 'emTags'

const and = (operands: WeaviateWhere[]): WeaviateWhere => ({ operator: 'And', operands })
const or = (operands: WeaviateWhere[]): WeaviateWhere => ({ operator: 'Or', operands })
const ops = { and, or }

/** What `field` tokenization keeps of a text: surrounding whitespace is trimmed. */
const survivesTokenization = (text: string): boolean => text === text.trim()

function containsAny(property: string, values: string[]): Native<WeaviateWhere> {
  if (values.length === 0) return FALSE
  return expr({ operator: 'ContainsAny', path: [property], valueText: values })
}

const hasKind = (field: string, kinds: readonly ValueKind[]): Native<WeaviateWhere> => containsAny(TAGS_PROPERTY, tagsFor(field, kinds))

function equalsAny(field: string, values: ScalarValue[]): CompiledLiteral<WeaviateWhere> {
  const tokens = [...new Set(values.map((v) => valueToken(field, v)))]
  return { native: containsAny(TOKENS_PROPERTY, tokens), exact: tokens.every(survivesTokenization) }
}

function positive(node: FieldNode): CompiledLiteral<WeaviateWhere> {
  const f = node.field
  switch (node.op) {
    case 'exists':
      return { native: hasKind(f, PRESENT_KINDS), exact: true }
    case 'eq':
      return equalsAny(f, [node.value])
    case 'in':
      return equalsAny(f, node.values)
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte':
      return { native: hasKind(f, typeof node.value === 'number' ? ['n', 'a'] : ['s', 'a']), exact: false }
    case 'contains': {
      const equal = equalsAny(f, [node.value])
      const inArray = allOf(ops, [equal.native, containsAny(TAGS_PROPERTY, [tag('a', f)])])
      if (typeof node.value !== 'string') return { native: inArray, exact: equal.exact }
      return { native: anyOf(ops, [inArray, hasKind(f, ['s'])]), exact: false }
    }
    case 'icontains':
      return { native: hasKind(f, ['s', 'a']), exact: false }
    case 'ne':
    case 'nin':
      return { native: TRUE, exact: false }
  }
}

/** Without `Not` (before v1.33) no negation narrows the candidates: every record is a candidate, post-filtered. */
function negative(node: FieldNode): CompiledLiteral<WeaviateWhere> {
  if (node.op === 'ne') return positive({ op: 'eq', field: node.field, value: node.value })
  if (node.op === 'nin') return positive({ op: 'in', field: node.field, values: node.values })
  return { native: TRUE, exact: false }
}

const dialect: NativeDialect<WeaviateWhere> = {
  and,
  or,
  literal: (negated, node) => (negated ? negative(node) : positive(node)),
}

export function compileWeaviateFilter(filter: FilterNode): CompiledFilter<WeaviateWhere> {
  return compileWithDialect(filter, dialect)
}

/** A GraphQL input value: object keys bare, `operator` an enum, strings as JSON strings (a subset of GraphQL's escapes). */
export function toGraphQL(value: unknown, key?: string): string {
  if (key === 'operator' && typeof value === 'string') {
    if (!/^[A-Za-z]+$/.test(value)) throw new TypeError(`not a Weaviate operator: ${value}`)
    return value
  }
  if (Array.isArray(value)) return `[${value.map((v) => toGraphQL(v)).join(', ')}]`
  if (value !== null && typeof value === 'object') {
    return `{${Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `${k}: ${toGraphQL(v, k)}`)
      .join(', ')}}`
  }
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError('GraphQL numbers must be finite')
    return String(value)
  }
  if (typeof value === 'string' || typeof value === 'boolean') return JSON.stringify(value)
  throw new TypeError(`cannot write ${String(value)} as a GraphQL value`)
}

/** The REST (JSON) form of a where filter: list operands go in `valueTextArray`. */
export function toRestWhere(where: WeaviateWhere): Record<string, unknown> {
  const out: Record<string, unknown> = { operator: where.operator }
  if (where.path) out.path = where.path
  if (where.operands) out.operands = where.operands.map(toRestWhere)
  if (Array.isArray(where.valueText)) out.valueTextArray = where.valueText
  else if (where.valueText !== undefined) out.valueText = where.valueText
  return out
}
