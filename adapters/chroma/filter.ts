import type { FieldNode, FilterNode, ScalarValue } from '../../src/internal.ts'
import {
  anyOf,
  allOf,
  compileWithDialect,
  expr,
  FALSE,
  TRUE,
  type CompiledFilter,
  type CompiledLiteral,
  type Native,
  type NativeDialect,
} from '../shared/nnf.ts'
import { PRESENT_KINDS } from '../shared/shape.ts'
import { ENCODED_PREFIX, flagKey, type Flag } from './metadata.ts'

/**
 * Compiles the filter AST to Chroma's `where` JSON. Chroma has `$and`/`$or`, `$eq`/`$ne`, `$in`/`$nin`
 * (non-empty, one type per list) and `$gt`/`$gte`/`$lt`/`$lte` on numbers (integers and floats compare
 * by value), but no NOT and no `$exists`. Its `$ne`/`$nin` are the complements of `$eq`/`$in` (records
 * without the key match them), which gives exact negations of equality, and with the shape flags
 * (metadata.ts) of "exists" and of "is a number". Arrays are stored encoded, so every condition that an
 * array element could satisfy also lets the field's arrays through (flag `a`; post-filtered). Substrings
 * and string ordering have no Chroma metadata operator: supersets, post-filtered.
 */
export type ChromaWhere = Record<string, unknown>

const or = (parts: ChromaWhere[]): ChromaWhere => ({ $or: parts })
const and = (parts: ChromaWhere[]): ChromaWhere => ({ $and: parts })
const ops = { or, and }

const flag = (f: string, kind: Flag): Native<ChromaWhere> => expr({ [flagKey(kind, f)]: { $eq: true } })
const noFlag = (f: string, kind: Flag): Native<ChromaWhere> => expr({ [flagKey(kind, f)]: { $ne: true } })
const encoded = (value: ScalarValue): boolean => typeof value === 'string' && value.startsWith(ENCODED_PREFIX)
/** JSON integers and floats are different Chroma types, and `$in` takes one type per list. */
const typeOf = (value: ScalarValue): string => (typeof value === 'number' ? (Number.isSafeInteger(value) ? 'int' : 'float') : typeof value)

function grouped(values: ScalarValue[]): ScalarValue[][] {
  const groups = new Map<string, ScalarValue[]>()
  for (const value of values) {
    const type = typeOf(value)
    const group = groups.get(type)
    if (group) {
      if (!group.includes(value)) group.push(value)
    } else groups.set(type, [value])
  }
  return [...groups.values()]
}

/** eq/in: native equality on scalars, plus the field's arrays; encoded-looking operands are reached by the `j` flag. */
function equalsAny(f: string, values: ScalarValue[]): CompiledLiteral<ChromaWhere> {
  if (values.length === 0) return { native: FALSE, exact: true }
  const plain = values.filter((v) => !encoded(v))
  const parts: Native<ChromaWhere>[] = grouped(plain).map((group) =>
    expr(group.length === 1 ? { [f]: { $eq: group[0] } } : { [f]: { $in: group } }),
  )
  parts.push(flag(f, 'a'))
  if (plain.length < values.length) parts.push(flag(f, 'j'))
  // The `a` escape only adds records holding arrays in that field (rare): the request is sized as exact.
  return { native: anyOf(ops, parts), exact: plain.length === values.length }
}

/** ne/nin: `$ne`/`$nin` exclude exactly the records holding one of the values as a scalar. */
function notEqualsAny(f: string, values: ScalarValue[]): CompiledLiteral<ChromaWhere> {
  if (values.length === 0) return { native: TRUE, exact: true }
  // A stored encoding could equal an operand with the prefix textually: not excluded natively.
  if (values.some(encoded)) return { native: TRUE, exact: false }
  const parts = grouped(values).map((group) => expr(group.length === 1 ? { [f]: { $ne: group[0] } } : { [f]: { $nin: group } }))
  return { native: allOf(ops, parts), exact: true }
}

const INVERSE = { gt: '$lte', gte: '$lt', lt: '$gte', lte: '$gt' } as const

function positive(node: FieldNode): CompiledLiteral<ChromaWhere> {
  const f = node.field
  switch (node.op) {
    case 'exists':
      return {
        native: anyOf(
          ops,
          PRESENT_KINDS.map((kind) => flag(f, kind)),
        ),
        exact: true,
      }
    case 'eq':
      return equalsAny(f, [node.value])
    case 'in':
      return equalsAny(f, node.values)
    case 'ne':
      return notEqualsAny(f, [node.value])
    case 'nin':
      return notEqualsAny(f, node.values)
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte':
      if (typeof node.value !== 'number') return { native: anyOf(ops, [flag(f, 's'), flag(f, 'a')]), exact: false }
      return { native: anyOf(ops, [expr({ [f]: { [`$${node.op}`]: node.value } }), flag(f, 'a')]), exact: true }
    case 'contains':
      if (typeof node.value !== 'string') return { native: flag(f, 'a'), exact: false }
      return { native: anyOf(ops, [flag(f, 's'), flag(f, 'a')]), exact: false }
    case 'icontains':
      return { native: anyOf(ops, [flag(f, 's'), flag(f, 'a')]), exact: false }
  }
}

function negative(node: FieldNode): CompiledLiteral<ChromaWhere> {
  const f = node.field
  switch (node.op) {
    case 'exists':
      return {
        native: allOf(
          ops,
          PRESENT_KINDS.map((kind) => noFlag(f, kind)),
        ),
        exact: true,
      }
    case 'eq':
      return notEqualsAny(f, [node.value])
    case 'in':
      return notEqualsAny(f, node.values)
    case 'ne':
      return equalsAny(f, [node.value])
    case 'nin':
      return equalsAny(f, node.values)
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte':
      if (typeof node.value !== 'number') return { native: TRUE, exact: false }
      // Everything but the numbers on the wrong side; arrays (stored encoded) are kept and post-filtered.
      return { native: anyOf(ops, [expr({ [f]: { [INVERSE[node.op]]: node.value } }), noFlag(f, 'n')]), exact: true }
    case 'contains':
    case 'icontains':
      return { native: TRUE, exact: false }
  }
}

const dialect: NativeDialect<ChromaWhere> = { and, or, literal: (negated, node) => (negated ? negative(node) : positive(node)) }

export function compileChromaFilter(filter: FilterNode): CompiledFilter<ChromaWhere> {
  return compileWithDialect(filter, dialect)
}
