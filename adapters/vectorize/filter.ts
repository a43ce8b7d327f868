import type { FieldNode, FilterNode, ScalarValue } from '../../src/internal.ts'
import { expr, FALSE, type CompiledFilter, toNnf, TRUE, type Nnf } from '../shared/nnf.ts'
import type { VectorizeFilter, VectorizeFilterValue } from './api.ts'

/**
 * Compiles the filter AST to a Vectorize metadata filter. Vectorize's filter is a flat conjunction of
 * `field: { $op: value }` on fields with a metadata index (no OR, no NOT, no $exists), so only the
 * conditions of the top-level AND are sent, and of those only the ones whose Vectorize reading is the
 * reference one on the values the adapter indexes (store.ts refuses lists and objects in indexed fields;
 * a metadata index holds values of its type only, so operands must have the index's type):
 * - eq / in with operands of the index's type (`$eq`, `$in`); a NOT of ne / nin is the same;
 * - gt / gte / lt / lte with a number operand on a number index (`$gt`...).
 * Strings longer than 64 bytes are not sent (Vectorize compares the first 64 bytes of indexed strings).
 * $ne, $nin and ranges over strings are never sent: the docs leave open whether they match vectors
 * without the field and how they order strings. Everything else (OR, NOT, exists, contains, fields
 * without an index) is applied by the adapter's post-filter, so the native filter is always a superset.
 */
const MAX_INDEXED_STRING_BYTES = 64
const encoder = new TextEncoder()

export type MetadataIndexType = 'string' | 'number' | 'boolean'

/**
 * A metadata index holds the values of its own type only (Vectorize skips the others): an operand is sent
 * only when it has the index's type, so every record the reference matches is in the index.
 */
const sendable = (value: ScalarValue, type: MetadataIndexType): value is VectorizeFilterValue =>
  typeof value === type &&
  (typeof value !== 'number' || Number.isFinite(value)) &&
  (typeof value !== 'string' || encoder.encode(value).byteLength <= MAX_INDEXED_STRING_BYTES)

type Condition = {
  field: string
  op: '$eq' | '$in' | '$gt' | '$gte' | '$lt' | '$lte'
  value: VectorizeFilterValue | VectorizeFilterValue[]
}

/** The native condition a literal stands for exactly, 'false' when it can match nothing, or null. */
function condition(negated: boolean, node: FieldNode, indexed: Readonly<Record<string, MetadataIndexType>>): Condition | 'false' | null {
  const type = Object.hasOwn(indexed, node.field) ? indexed[node.field] : undefined
  if (type === undefined) return null
  const op = negated ? ({ ne: 'eq', nin: 'in' } as Record<string, string>)[node.op] : node.op
  switch (op) {
    case 'eq': {
      const value = (node as { value: ScalarValue }).value
      return sendable(value, type) ? { field: node.field, op: '$eq', value } : null
    }
    case 'in': {
      const values = (node as { values: ScalarValue[] }).values
      if (values.length === 0) return 'false'
      return values.every((v) => sendable(v, type))
        ? { field: node.field, op: '$in', value: [...new Set(values)] as VectorizeFilterValue[] }
        : null
    }
    case 'gt':
    case 'gte':
    case 'lt':
    case 'lte': {
      if (negated) return null
      const value = (node as { value: ScalarValue }).value
      return type === 'number' && typeof value === 'number' && Number.isFinite(value) ? { field: node.field, op: `$${op}`, value } : null
    }
    default:
      return null
  }
}

function conjuncts(nnf: Nnf): Nnf[] {
  return nnf.kind === 'and' ? nnf.children.flatMap(conjuncts) : [nnf]
}

export function compileVectorizeFilter(
  filter: FilterNode,
  indexed: Readonly<Record<string, MetadataIndexType>>,
): CompiledFilter<VectorizeFilter> {
  const native: Record<string, Record<string, unknown>> = {}
  let exact = true
  for (const part of conjuncts(toNnf(filter))) {
    if (part.kind === 'or') {
      if (part.children.length === 0) return { native: FALSE, exact: true }
      exact = false
      continue
    }
    if (part.kind !== 'lit') continue
    const compiled = condition(part.negated, part.node, indexed)
    if (compiled === 'false') return { native: FALSE, exact: true }
    if (compiled === null) {
      exact = false
      continue
    }
    const ops = native[compiled.field] ?? {}
    native[compiled.field] = ops
    const equality = '$eq' in ops || '$in' in ops
    const isEquality = compiled.op === '$eq' || compiled.op === '$in'
    // One equality per field, ranges only beside ranges of other bounds: the rest stays post-filtered.
    if ((isEquality && Object.keys(ops).length > 0) || (!isEquality && (equality || compiled.op in ops))) {
      exact = false
      continue
    }
    ops[compiled.op] = compiled.value
  }
  const fields = Object.keys(native)
  if (fields.length === 0) return { native: TRUE, exact }
  return { native: expr(native as VectorizeFilter), exact }
}
