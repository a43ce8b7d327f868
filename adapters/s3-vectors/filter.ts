import type { FieldNode, FilterNode } from '../../src/internal.ts'
import {
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
 * Compiles the filter AST to S3 Vectors' JSON filter (`$eq $ne $gt $gte $lt $lte $in $nin $exists $and
 * $or`, no `$not`). Filterable metadata is capped at 2 KB per vector, so the payload itself is stored as
 * non-filterable JSON and two filterable string lists describe it: `em_t` (shape tags, shared/shape.ts)
 * and `em_kv` (value tokens, shared/tokens.ts), each starting with the sentinel `~` so neither is ever
 * empty or missing. `$eq`/`$in` on a list match when some element does (the documented list semantics),
 * so equality, `in`, `exists` and "array holds the value" are exact. The docs do not say whether `$ne` /
 * `$nin` on a list mean "no element equals" or "some element differs": negations use `$nin`, exact under
 * the first reading and a superset (every record: the sentinel differs) under the second, so they are
 * reported inexact and post-filtered. Ranges, substrings and case-insensitive tests are supersets too.
 */
export type S3Filter = Record<string, unknown>

export const TOKENS_KEY = 'em_kv'
export const TAGS_LIST_KEY = 'em_t'
/** First element of both lists. */
export const SENTINEL = '~'

const or = (parts: S3Filter[]): S3Filter => ({ $or: parts })
const and = (parts: S3Filter[]): S3Filter => ({ $and: parts })
const ops = { or, and }

const member = (key: string, values: string[]): Native<S3Filter> =>
  values.length === 0 ? FALSE : expr(values.length === 1 ? { [key]: { $eq: values[0] } } : { [key]: { $in: values } })
const nonMember = (key: string, values: string[]): Native<S3Filter> => (values.length === 0 ? TRUE : expr({ [key]: { $nin: values } }))
const hasKind = (field: string, kinds: readonly ValueKind[]): Native<S3Filter> => member(TAGS_LIST_KEY, tagsFor(field, kinds))
const tokens = (field: string, values: (string | number | boolean)[]): string[] => [...new Set(values.map((v) => valueToken(field, v)))]

function positive(node: FieldNode): CompiledLiteral<S3Filter> {
  const f = node.field
  switch (node.op) {
    case 'exists':
      return { native: hasKind(f, PRESENT_KINDS), exact: true }
    case 'eq':
      return { native: member(TOKENS_KEY, tokens(f, [node.value])), exact: true }
    case 'in':
      return { native: member(TOKENS_KEY, tokens(f, node.values)), exact: true }
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte':
      return { native: hasKind(f, typeof node.value === 'number' ? ['n', 'a'] : ['s', 'a']), exact: false }
    case 'contains': {
      const inArray = and([{ [TOKENS_KEY]: { $eq: valueToken(f, node.value) } }, { [TAGS_LIST_KEY]: { $eq: tag('a', f) } }])
      if (typeof node.value !== 'string') return { native: expr(inArray), exact: true }
      return { native: anyOf(ops, [expr(inArray), hasKind(f, ['s'])]), exact: false }
    }
    case 'icontains':
      return { native: hasKind(f, ['s', 'a']), exact: false }
    case 'ne':
      return negative({ op: 'eq', field: f, value: node.value })
    case 'nin':
      return negative({ op: 'in', field: f, values: node.values })
  }
}

function negative(node: FieldNode): CompiledLiteral<S3Filter> {
  const f = node.field
  switch (node.op) {
    case 'exists':
      return { native: nonMember(TAGS_LIST_KEY, tagsFor(f, PRESENT_KINDS)), exact: false }
    case 'eq':
      return { native: nonMember(TOKENS_KEY, tokens(f, [node.value])), exact: false }
    case 'in':
      return { native: nonMember(TOKENS_KEY, tokens(f, node.values)), exact: false }
    case 'ne':
      return positive({ op: 'eq', field: f, value: node.value })
    case 'nin':
      return positive({ op: 'in', field: f, values: node.values })
    case 'contains':
      // Not (array holding v): not an array, or no such element; strings are kept and post-filtered.
      return {
        native: anyOf(ops, [nonMember(TAGS_LIST_KEY, [tag('a', f)]), nonMember(TOKENS_KEY, [valueToken(f, node.value)])]),
        exact: false,
      }
    default:
      return { native: TRUE, exact: false }
  }
}

const dialect: NativeDialect<S3Filter> = { and, or, literal: (negated, node) => (negated ? negative(node) : positive(node)) }

export function compileS3VectorsFilter(filter: FilterNode): CompiledFilter<S3Filter> {
  return compileWithDialect(filter, dialect)
}
