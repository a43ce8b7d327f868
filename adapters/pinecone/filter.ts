import type { FieldNode, FilterNode, ScalarValue } from '../../src/internal.ts'
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
import { PRESENT_KINDS, TAGS_KEY, tagsFor, type ValueKind } from '../shared/shape.ts'
import { ENCODED_PREFIX } from './metadata.ts'

/**
 * Compiles the filter AST to Pinecone's Mongo-like filter. Pinecone has no NOT, and its docs leave open
 * whether `$ne`/`$nin` match a missing field and how they treat lists ("no element equals" or "some
 * element differs"). Negations are therefore built as supersets that hold under every reading:
 * `$exists: false` for the missing case, shape-tag membership (`_em_t $in [...]`, a positive test on a
 * list, unambiguous) for other types, and `$ne` for same-type values. Values the adapter had to encode
 * (metadata.ts) are reached through their `x:`/`j:` tags. Every result is re-checked with the reference
 * evaluator, so a superset is never visible.
 */
export type PineconeFilter = Record<string, unknown>

const or = (parts: PineconeFilter[]): PineconeFilter => ({ $or: parts })
const and = (parts: PineconeFilter[]): PineconeFilter => ({ $and: parts })
const ops = { or, and }

type Tag = ValueKind | 'j' | 'x'
function hasTag(field: string, kinds: readonly Tag[]): Native<PineconeFilter> {
  if (kinds.length === 0) return FALSE
  return expr({ [TAGS_KEY]: { $in: tagsFor(field, kinds) } })
}

const encoded = (value: ScalarValue): boolean => typeof value === 'string' && value.startsWith(ENCODED_PREFIX)
const kindOfScalar = (value: ScalarValue): ValueKind => (typeof value === 'string' ? 's' : typeof value === 'number' ? 'n' : 'b')

/**
 * eq/in: native equality (lists match any element) plus arrays Pinecone could not store natively. An
 * operand with the encoding prefix was stored encoded (metadata.ts): it is reached by the `j:` tag (which
 * also covers every `x:` array), while the other operands keep their native test.
 */
function equalsAny(f: string, values: ScalarValue[]): CompiledLiteral<PineconeFilter> {
  if (values.length === 0) return { native: FALSE, exact: true }
  const plain = values.filter((v) => !encoded(v))
  const anyEncoded = plain.length < values.length
  const listable = plain.filter((v): v is string | number => typeof v !== 'boolean')
  const parts: Native<PineconeFilter>[] = plain.filter((v) => typeof v === 'boolean').map((v) => expr({ [f]: { $eq: v } }))
  if (listable.length === 1) parts.unshift(expr({ [f]: { $eq: listable[0] } }))
  else if (listable.length > 1) parts.unshift(expr({ [f]: { $in: listable } }))
  parts.push(hasTag(f, anyEncoded ? ['j'] : ['x']))
  // `exact` sizes the first request: the `x:` escape only adds records holding encoded arrays (rare); the
  // `j:` escape adds every encoded value of the field.
  return { native: anyOf(ops, parts), exact: !anyEncoded }
}

/** ne: superset of "no element equals v" under every reading of $ne. */
function notEquals(f: string, value: ScalarValue): Native<PineconeFilter> {
  // Values of another type are reached by their tags, not by $ne (whether $ne matches a value of another
  // type is not documented). String lists are compared by $ne only for string operands.
  const kind = kindOfScalar(value)
  const others = PRESENT_KINDS.filter((k) => k !== kind && (k !== 'a' || kind !== 's'))
  const parts: Native<PineconeFilter>[] = [expr({ [f]: { $exists: false } }), hasTag(f, [...others, 'x']), expr({ [f]: { $ne: value } })]
  // An encoded value (a stored string with the prefix) could equal the operand textually.
  if (encoded(value)) parts.push(hasTag(f, ['j']))
  return anyOf(ops, parts)
}

function positive(node: FieldNode): CompiledLiteral<PineconeFilter> {
  const f = node.field
  switch (node.op) {
    case 'exists':
      return { native: expr({ [f]: { $exists: true } }), exact: true }
    case 'eq':
      return equalsAny(f, [node.value])
    case 'in':
      return equalsAny(f, node.values)
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte':
      if (typeof node.value !== 'number') return { native: hasTag(f, ['s', 'a']), exact: false }
      return { native: anyOf(ops, [expr({ [f]: { [`$${node.op}`]: node.value } }), hasTag(f, ['x'])]), exact: true }
    case 'contains':
      if (typeof node.value !== 'string') return { native: hasTag(f, ['x']), exact: false }
      // Substrings cannot be expressed: every string is a candidate.
      return {
        native: anyOf(ops, [
          hasTag(f, ['s', 'x']),
          expr({ $and: [{ [f]: { $eq: node.value } }, { [TAGS_KEY]: { $in: tagsFor(f, ['a']) } }] }),
        ]),
        exact: false,
      }
    case 'icontains':
      return { native: hasTag(f, ['s', 'a']), exact: false }
    case 'ne':
      return { native: notEquals(f, node.value), exact: true }
    case 'nin':
      return {
        native:
          node.values.length === 0
            ? TRUE
            : node.values.length === 1
              ? notEquals(f, node.values[0]!)
              : expr(
                  and(
                    node.values
                      .map((v) => notEquals(f, v))
                      .filter((n) => n.kind === 'expr')
                      .map((n) => (n as { expr: PineconeFilter }).expr),
                  ),
                ),
        exact: true,
      }
  }
}

function negative(node: FieldNode): CompiledLiteral<PineconeFilter> {
  const f = node.field
  switch (node.op) {
    case 'exists':
      return { native: expr({ [f]: { $exists: false } }), exact: true }
    case 'eq':
      return positive({ op: 'ne', field: f, value: node.value })
    case 'in':
      return positive({ op: 'nin', field: f, values: node.values })
    case 'ne':
      return positive({ op: 'eq', field: f, value: node.value })
    case 'nin':
      return positive({ op: 'in', field: f, values: node.values })
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte': {
      if (typeof node.value !== 'number') return { native: TRUE, exact: false }
      const inverse = { gt: '$lte', gte: '$lt', lt: '$gte', lte: '$gt' }[node.op]
      // Arrays are kept whole; no list Pinecone stores natively holds numbers anyway.
      return {
        native: anyOf(ops, [expr({ [f]: { $exists: false } }), hasTag(f, ['s', 'b', 'o', 'a']), expr({ [f]: { [inverse]: node.value } })]),
        exact: true,
      }
    }
    case 'contains':
      if (typeof node.value !== 'string') return { native: TRUE, exact: false }
      return {
        native: anyOf(ops, [
          expr({ [f]: { $exists: false } }),
          hasTag(f, ['s', 'n', 'b', 'o', 'x']),
          expr({ $and: [{ [TAGS_KEY]: { $in: tagsFor(f, ['a']) } }, { [f]: { $ne: node.value } }] }),
        ]),
        exact: false,
      }
    case 'icontains':
      return { native: TRUE, exact: false }
  }
}

const dialect: NativeDialect<PineconeFilter> = { and, or, literal: (negated, node) => (negated ? negative(node) : positive(node)) }

export function compilePineconeFilter(filter: FilterNode): CompiledFilter<PineconeFilter> {
  return compileWithDialect(filter, dialect)
}
