import type { FieldNode, FilterNode, ScalarValue } from '../../src/internal.ts'
import { compileWithDialect, expr, FALSE, TRUE, type CompiledFilter, type CompiledLiteral, type NativeDialect } from '../shared/nnf.ts'
import { join, jsonParam, param, sql, type Sql } from './sql.ts'

/**
 * Compiles the filter AST to a parameterised SQL condition over the `payload` jsonb column. JSONB keeps
 * JSON types, so every condition but two is exact: equality is jsonb equality (no cross-type matches),
 * array fields match when some element does (`jsonb_array_elements`), numbers compare as numeric,
 * strings in code-point order (`COLLATE "C"`, which is the reference's UTF-16 order whenever the
 * compared value has no character at or above U+D800), substrings with `strpos`. Every condition is
 * wrapped so that it is true or false, never NULL (a missing field), which makes SQL's NOT the
 * reference's negation. The two inexact ones are post-filtered: `icontains` (Postgres' lower() and
 * JavaScript's toLowerCase() differ outside ASCII) and string ordering against a value with characters
 * at or above U+D800.
 */
const field = (name: string): Sql => sql`(payload -> ${param(name)})`

/** `test(x)` for the field's value, or for some element when it is an array; false when missing. */
function someValue(name: string, test: (x: Sql) => Sql): Sql {
  const v = field(name)
  return sql`COALESCE(CASE jsonb_typeof(${v}) WHEN 'array' THEN EXISTS (SELECT 1 FROM jsonb_array_elements(${v}) AS em_e(x) WHERE ${test(['em_e.x'])}) ELSE ${test(v)} END, false)`
}

const equals = (x: Sql, value: ScalarValue): Sql => sql`${x} = ${jsonParam(value)}`

function ordered(x: Sql, op: '>' | '>=' | '<' | '<=', value: ScalarValue): Sql {
  if (typeof value === 'number') {
    return sql`CASE WHEN jsonb_typeof(${x}) = 'number' THEN (${x})::numeric ${[op]} (${param(JSON.stringify(value))})::numeric ELSE false END`
  }
  if (typeof value === 'string') {
    return sql`CASE WHEN jsonb_typeof(${x}) = 'string' THEN (${x} #>> '{}') COLLATE "C" ${[op]} (${param(value)}) COLLATE "C" ELSE false END`
  }
  return ['false']
}

const OPS = { gt: '>', gte: '>=', lt: '<', lte: '<=' } as const

/** Code-point order (Postgres "C") equals UTF-16 order when the compared value stays below U+D800. */
const orderIsExact = (value: ScalarValue): boolean => typeof value !== 'string' || !/[\uD800-\uFFFF]/.test(value)

function positive(node: FieldNode): CompiledLiteral<Sql> {
  const f = node.field
  switch (node.op) {
    case 'exists':
      return { native: expr(sql`COALESCE(jsonb_typeof(${field(f)}) <> 'null', false)`), exact: true }
    case 'eq':
      return { native: expr(someValue(f, (x) => equals(x, node.value))), exact: true }
    case 'in':
      if (node.values.length === 0) return { native: FALSE, exact: true }
      return {
        native: expr(
          someValue(
            f,
            (x) =>
              sql`(${join(
                node.values.map((v) => equals(x, v)),
                ' OR ',
              )})`,
          ),
        ),
        exact: true,
      }
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte': {
      if (typeof node.value === 'boolean') return { native: FALSE, exact: true }
      const op = OPS[node.op]
      return { native: expr(someValue(f, (x) => ordered(x, op, node.value))), exact: orderIsExact(node.value) }
    }
    case 'contains': {
      const v = field(f)
      const inArray = sql`EXISTS (SELECT 1 FROM jsonb_array_elements(${v}) AS em_e(x) WHERE ${equals(['em_e.x'], node.value)})`
      const inString = typeof node.value === 'string' ? sql`WHEN 'string' THEN strpos(${v} #>> '{}', ${param(node.value)}) > 0 ` : []
      return {
        native: expr(sql`COALESCE(CASE jsonb_typeof(${v}) ${inString}WHEN 'array' THEN ${inArray} ELSE false END, false)`),
        exact: true,
      }
    }
    case 'icontains':
      // A superset: string fields and arrays; the reference evaluator decides.
      return { native: expr(sql`COALESCE(jsonb_typeof(${field(f)}) IN ('string', 'array'), false)`), exact: false }
    case 'ne':
      return negative({ op: 'eq', field: f, value: node.value })
    case 'nin':
      return negative({ op: 'in', field: f, values: node.values })
  }
}

function negative(node: FieldNode): CompiledLiteral<Sql> {
  const compiled = positive(node)
  // The negation of a superset would be a subset: keep every record and let the evaluator decide.
  if (!compiled.exact) return { native: TRUE, exact: false }
  const native = compiled.native
  return { native: native.kind === 'true' ? FALSE : native.kind === 'false' ? TRUE : expr(sql`NOT ${native.expr}`), exact: true }
}

const dialect: NativeDialect<Sql> = {
  and: (parts) => sql`(${join(parts, ' AND ')})`,
  or: (parts) => sql`(${join(parts, ' OR ')})`,
  literal: (negated, node) => (negated ? negative(node) : positive(node)),
}

export function compilePgvectorFilter(filter: FilterNode): CompiledFilter<Sql> {
  return compileWithDialect(filter, dialect)
}
