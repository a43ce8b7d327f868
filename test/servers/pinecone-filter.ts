/**
 * Pinecone's metadata filter (Mongo-like): `{field: value}` means `$eq`; operators `$eq $ne $gt $gte $lt
 * $lte $in $nin $exists`, combined with `$and` / `$or`; ranges take numbers, `$in`/`$nin` strings or
 * numbers. Metadata values are strings, numbers, booleans or lists of strings, and "a filter on a
 * list-of-strings field matches if any element matches".
 *
 * Pinecone's docs leave open what the negated operators do on a list field ("no element equals" as in
 * MongoDB, or literally "some element differs") and on a missing field. The fake takes both as options so
 * the adapter is tested under every reading.
 */

type Meta = Record<string, string | number | boolean | string[]>

export interface PineconeFilterSemantics {
  /** 'none-equal' (MongoDB) or 'some-differs' (literal any-element). */
  listNegation: 'none-equal' | 'some-differs'
  /** Whether $ne / $nin match records without the field (MongoDB: yes). */
  negationMatchesMissing: boolean
}

export class PineconeFilterError extends Error {}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v)
const isScalar = (v: unknown): v is string | number | boolean => typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean'
const same = (a: unknown, b: unknown): boolean => isScalar(a) && typeof a === typeof b && a === b

function checkOperand(op: string, operand: unknown): void {
  switch (op) {
    case '$eq':
    case '$ne':
      if (!isScalar(operand)) throw new PineconeFilterError(`${op} operand must be a string, number or boolean`)
      return
    case '$gt':
    case '$gte':
    case '$lt':
    case '$lte':
      if (typeof operand !== 'number') throw new PineconeFilterError(`${op} operand must be a number`)
      return
    case '$in':
    case '$nin':
      if (!Array.isArray(operand) || !operand.every((v) => typeof v === 'string' || typeof v === 'number')) {
        throw new PineconeFilterError(`${op} operand must be an array of strings or numbers`)
      }
      return
    case '$exists':
      if (typeof operand !== 'boolean') throw new PineconeFilterError('$exists operand must be a boolean')
      return
    default:
      throw new PineconeFilterError(`unsupported operator ${op}`)
  }
}

function fieldMatches(value: Meta[string] | undefined, op: string, operand: unknown, semantics: PineconeFilterSemantics): boolean {
  if (op === '$exists') return (value !== undefined) === operand
  if (value === undefined) return (op === '$ne' || op === '$nin') && semantics.negationMatchesMissing
  const elements = Array.isArray(value) ? value : [value]
  const positive = (element: unknown): boolean => {
    switch (op) {
      case '$eq':
      case '$ne':
        return same(element, operand)
      case '$in':
      case '$nin':
        return (operand as unknown[]).some((o) => same(element, o))
      default: {
        if (typeof element !== 'number') return false
        const n = operand as number
        return op === '$gt' ? element > n : op === '$gte' ? element >= n : op === '$lt' ? element < n : element <= n
      }
    }
  }
  if (op === '$ne' || op === '$nin') {
    if (Array.isArray(value) && semantics.listNegation === 'some-differs') return elements.some((e) => !positive(e))
    return !elements.some(positive)
  }
  return elements.some(positive)
}

export function matchesPineconeFilter(metadata: Meta, filter: unknown, semantics: PineconeFilterSemantics): boolean {
  if (!isObject(filter)) throw new PineconeFilterError('filter must be an object')
  const results: boolean[] = []
  for (const [key, condition] of Object.entries(filter)) {
    if (key === '$and' || key === '$or') {
      if (!Array.isArray(condition) || condition.length === 0) throw new PineconeFilterError(`${key} must be a non-empty array`)
      const parts = condition.map((c) => matchesPineconeFilter(metadata, c, semantics))
      results.push(key === '$and' ? parts.every(Boolean) : parts.some(Boolean))
      continue
    }
    if (key.startsWith('$')) throw new PineconeFilterError(`unsupported operator ${key}`)
    const operators: [string, unknown][] = isObject(condition) ? Object.entries(condition) : [['$eq', condition]]
    if (operators.length === 0) throw new PineconeFilterError(`empty condition for ${key}`)
    for (const [op, operand] of operators) {
      checkOperand(op, operand)
      results.push(fieldMatches(metadata[key], op, operand, semantics))
    }
  }
  return results.every(Boolean)
}
