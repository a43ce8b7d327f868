/**
 * The normalised filter structure. The user-facing filter language (types.ts `Filter`) is parsed into
 * this tree once; the local evaluator interprets it and each remote store compiles it to its native
 * filter. Semantics (the reference is evaluate.ts; docs/filters.md states them in prose):
 *
 * - eq: the field equals the value; on an array field, some element equals it. Values compare only
 *   with values of the same JSON type (no coercion).
 * - gt/gte/lt/lte: numbers with numbers, strings with strings (code-unit order); array field: some
 *   element satisfies it.
 * - in: eq against any of the values. contains: a string field contains the string as a substring, or
 *   an array field has an element equal to the value. icontains: case-insensitive substring on a string
 *   field or on some string element of an array field.
 * - exists: the field is present and not null.
 * - ne/nin are the negations of eq/in, so they also match records without the field.
 * - and [] matches everything; or [] matches nothing.
 */
export type ScalarValue = string | number | boolean

export type ComparisonOp = 'eq' | 'ne' | 'gt' | 'gte' | 'lt' | 'lte' | 'contains' | 'icontains'
export type ListOp = 'in' | 'nin'

export type FilterNode =
  | { op: 'and'; children: FilterNode[] }
  | { op: 'or'; children: FilterNode[] }
  | { op: 'not'; child: FilterNode }
  | { op: ComparisonOp; field: string; value: ScalarValue }
  | { op: ListOp; field: string; values: ScalarValue[] }
  | { op: 'exists'; field: string }

export type FieldNode = Extract<FilterNode, { field: string }>

export const MATCH_ALL: FilterNode = Object.freeze({ op: 'and', children: [] }) as FilterNode

/** Conjunction that flattens nested ANDs and drops match-all children. */
export function and(...children: (FilterNode | undefined)[]): FilterNode {
  const flat: FilterNode[] = []
  for (const child of children) {
    if (!child) continue
    if (child.op === 'and') flat.push(...child.children)
    else flat.push(child)
  }
  return flat.length === 1 ? flat[0]! : { op: 'and', children: flat }
}

export function or(...children: FilterNode[]): FilterNode {
  const flat: FilterNode[] = []
  for (const child of children) {
    if (child.op === 'or') flat.push(...child.children)
    else flat.push(child)
  }
  return flat.length === 1 ? flat[0]! : { op: 'or', children: flat }
}

export function not(child: FilterNode): FilterNode {
  return child.op === 'not' ? child.child : { op: 'not', child }
}

export function cmp(field: string, op: ComparisonOp, value: ScalarValue): FilterNode {
  return { op, field, value }
}

export function eq(field: string, value: ScalarValue): FilterNode {
  return { op: 'eq', field, value }
}

/**
 * Equality constraints that every matching record must satisfy (top-level AND of `eq` on a field).
 * Used to derive scope hints and partitions from a filter.
 */
export function requiredEqualities(node: FilterNode): Map<string, ScalarValue> {
  const found = new Map<string, ScalarValue>()
  const visit = (n: FilterNode): void => {
    if (n.op === 'and') n.children.forEach(visit)
    else if (n.op === 'eq' && !found.has(n.field)) found.set(n.field, n.value)
  }
  visit(node)
  return found
}

/** Readable one-line form, for error messages and logs. */
export function formatFilter(node: FilterNode): string {
  switch (node.op) {
    case 'and':
      return node.children.length === 0 ? 'TRUE' : `(${node.children.map(formatFilter).join(' AND ')})`
    case 'or':
      return node.children.length === 0 ? 'FALSE' : `(${node.children.map(formatFilter).join(' OR ')})`
    case 'not':
      return `NOT ${formatFilter(node.child)}`
    case 'exists':
      return `${node.field} EXISTS`
    case 'in':
    case 'nin':
      return `${node.field} ${node.op.toUpperCase()} ${JSON.stringify(node.values)}`
    default:
      return `${node.field} ${node.op} ${JSON.stringify(node.value)}`
  }
}
