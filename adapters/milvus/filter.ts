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
import { PRESENT_KINDS, tagsFor, type ValueKind } from '../shared/shape.ts'

/**
 * Compiles the filter AST to a Milvus boolean expression over the collection's JSON fields.
 *
 * The payload is stored as is in the JSON field `metadata`; the JSON field `em` holds `{t: [shape tags]}`
 * (shared/shape.ts). Every literal — keys and values — is written by `milvusString`/`milvusNumber` (Go
 * string-literal escapes: `\"`, `\\`, `\uXXXX` for control characters), never spliced raw.
 *
 * - `f = v`: `metadata["f"] == v or json_contains(metadata["f"], v)` (scalars, and arrays holding v);
 *   `in`: `metadata["f"] in [..]` and `json_contains_any(metadata["f"], [..])`, one list per JSON type.
 * - `exists`: `json_contains_any(em["t"], ["s:f", "n:f", ...])`.
 * - Negations: how Milvus treats a comparison on a missing JSON key under `not` is not documented (a
 *   two-valued "false", or a null that `not` keeps unknown), so every negation of a test on `metadata["f"]`
 *   is guarded by the tags, which every record has: `not json_contains_any(em["t"], <f present>) or not (...)`
 *   is the same under both readings.
 * - Ranges on numbers: `metadata["f"] > n` for scalars, arrays let through (Milvus has no "some element >
 *   n" on JSON arrays); string ordering (Milvus compares UTF-8 bytes, JavaScript UTF-16 units), substrings
 *   and case-insensitive matching compile to the kinds that could match. All of these are post-filtered.
 */
export type MilvusExpr = string

const paren = (part: MilvusExpr): string => `(${part})`
const and = (parts: MilvusExpr[]): MilvusExpr => parts.map(paren).join(' and ')
const or = (parts: MilvusExpr[]): MilvusExpr => parts.map(paren).join(' or ')
const ops = { and, or }

/** Strings holding an unpaired surrogate cannot travel as UTF-8: such an operand is not sent. */
const sendable = (text: string): boolean => !/\p{Surrogate}/u.test(text)

/** A Milvus (Go) double-quoted string literal. */
export function milvusString(text: string): string {
  let out = '"'
  for (const ch of text) {
    const code = ch.codePointAt(0)!
    if (ch === '"') out += '\\"'
    else if (ch === '\\') out += '\\\\'
    else if (code < 0x20 || code === 0x7f) out += `\\u${code.toString(16).padStart(4, '0')}`
    else out += ch
  }
  return `${out}"`
}

/** A number literal Milvus parses: integers beyond int64-safe range are written with an exponent. */
export function milvusNumber(value: number): string {
  if (!Number.isFinite(value)) throw new TypeError('Milvus number literals must be finite')
  if (Number.isInteger(value) && !Number.isSafeInteger(value)) return value.toExponential()
  return String(value)
}

function literal(value: ScalarValue): string {
  if (typeof value === 'string') return milvusString(value)
  if (typeof value === 'number') return milvusNumber(value)
  return value ? 'true' : 'false'
}

export const PAYLOAD_FIELD = 'metadata'
export const SHAPE_FIELD = 'em'
const key = (field: string): string => `${PAYLOAD_FIELD}[${milvusString(field)}]`
const tags = `${SHAPE_FIELD}["t"]`

const hasKind = (field: string, kinds: readonly ValueKind[]): Native<MilvusExpr> =>
  expr(`json_contains_any(${tags}, [${tagsFor(field, kinds).map(milvusString).join(', ')}])`)
const notPresent = (field: string): MilvusExpr =>
  `not json_contains_any(${tags}, [${tagsFor(field, PRESENT_KINDS).map(milvusString).join(', ')}])`

const typeOf = (value: ScalarValue): string => typeof value

function grouped(values: ScalarValue[]): ScalarValue[][] {
  const groups = new Map<string, ScalarValue[]>()
  for (const value of values) {
    const group = groups.get(typeOf(value))
    if (group) {
      if (!group.includes(value)) group.push(value)
    } else groups.set(typeOf(value), [value])
  }
  return [...groups.values()]
}

/** Scalars equal to one of the values, or arrays holding one. */
function equalsAny(field: string, values: ScalarValue[]): Native<MilvusExpr> {
  if (values.length === 0) return FALSE
  const parts = grouped(values).flatMap((group) =>
    group.length === 1
      ? [`${key(field)} == ${literal(group[0]!)}`, `json_contains(${key(field)}, ${literal(group[0]!)})`]
      : [`${key(field)} in [${group.map(literal).join(', ')}]`, `json_contains_any(${key(field)}, [${group.map(literal).join(', ')}])`],
  )
  return expr(or(parts))
}

const unsendable = (node: FieldNode): boolean =>
  !sendable(node.field) ||
  ('value' in node && typeof node.value === 'string' && !sendable(node.value)) ||
  ('values' in node && node.values.some((v) => typeof v === 'string' && !sendable(v)))

function positive(node: FieldNode): CompiledLiteral<MilvusExpr> {
  const f = node.field
  if (unsendable(node)) return { native: TRUE, exact: false }
  switch (node.op) {
    case 'exists':
      return { native: hasKind(f, PRESENT_KINDS), exact: true }
    case 'eq':
      return { native: equalsAny(f, [node.value]), exact: true }
    case 'in':
      return { native: equalsAny(f, node.values), exact: true }
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte': {
      if (typeof node.value !== 'number') return { native: hasKind(f, ['s', 'a']), exact: false }
      const symbol = { gt: '>', gte: '>=', lt: '<', lte: '<=' }[node.op]
      return { native: anyOf(ops, [expr(`${key(f)} ${symbol} ${milvusNumber(node.value)}`), hasKind(f, ['a'])]), exact: false }
    }
    case 'contains':
      if (typeof node.value !== 'string') return { native: expr(`json_contains(${key(f)}, ${literal(node.value)})`), exact: true }
      return { native: anyOf(ops, [expr(`json_contains(${key(f)}, ${literal(node.value)})`), hasKind(f, ['s'])]), exact: false }
    case 'icontains':
      return { native: hasKind(f, ['s', 'a']), exact: false }
    case 'ne':
      return negative({ op: 'eq', field: f, value: node.value })
    case 'nin':
      return negative({ op: 'in', field: f, values: node.values })
  }
}

function negative(node: FieldNode): CompiledLiteral<MilvusExpr> {
  const f = node.field
  if (unsendable(node)) return { native: TRUE, exact: false }
  switch (node.op) {
    case 'exists':
      return { native: expr(notPresent(f)), exact: true }
    case 'eq':
    case 'in': {
      const inner = equalsAny(f, 'values' in node ? node.values : [node.value])
      if (inner.kind === 'false') return { native: TRUE, exact: true }
      return { native: expr(or([notPresent(f), `not (${(inner as { expr: string }).expr})`])), exact: true }
    }
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte': {
      if (typeof node.value !== 'number') return { native: TRUE, exact: false }
      // Everything but the scalar numbers on the wrong side; arrays are kept and post-filtered.
      const inverse = { gt: '<=', gte: '<', lt: '>=', lte: '>' }[node.op]
      return {
        native: expr(
          or([
            `not json_contains_any(${tags}, [${milvusString(`n:${f}`)}])`,
            `${key(f)} ${inverse} ${milvusNumber(node.value)}`,
            `json_contains(${tags}, ${milvusString(`a:${f}`)})`,
          ]),
        ),
        exact: false,
      }
    }
    case 'contains': {
      const guarded = or([`not json_contains(${tags}, ${milvusString(`a:${f}`)})`, `not json_contains(${key(f)}, ${literal(node.value)})`])
      return { native: expr(guarded), exact: typeof node.value !== 'string' }
    }
    case 'icontains':
      return { native: TRUE, exact: false }
    case 'ne':
      return positive({ op: 'eq', field: f, value: node.value })
    case 'nin':
      return positive({ op: 'in', field: f, values: node.values })
  }
}

const dialect: NativeDialect<MilvusExpr> = {
  and,
  or,
  literal: (negated, node) => (negated ? negative(node) : positive(node)),
}

export function compileMilvusFilter(filter: FilterNode): CompiledFilter<MilvusExpr> {
  return compileWithDialect(filter, dialect)
}
