import { type FieldNode, type FilterNode, type Payload, sha256Hex } from '../../src/internal.ts'
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
import { encodeShape, PRESENT_KINDS, tag, tagsFor, type ValueKind } from '../shared/shape.ts'
import { payloadTokens, valueToken } from '../shared/tokens.ts'

/**
 * Compiles the filter AST to an openCypher boolean expression over node `n`, every value a query
 * parameter. Neptune stores no list properties, so the value tokens (shared/tokens.ts) and shape tags
 * are kept as one string each, `em_kv` and `em_t`, every entry enclosed in the separator U+001F
 * (entries containing it are hashed). Membership is then `n.em_kv CONTAINS $p` with `$p` =
 * separator + entry + separator: exact, and so is its `NOT`. Ranges, substrings and case-insensitive
 * tests are supersets (the field has a kind that could match), post-filtered.
 */
export const SEPARATOR = '\u001f'

const safe = (entry: string): string => (entry.includes(SEPARATOR) ? `h#${sha256Hex(entry).slice(0, 32)}` : entry)

/** The stored `em_kv` and `em_t` strings of a payload. */
export function encodeEntries(payload: Payload): { kv: string; tags: string } {
  const join = (entries: string[]) => SEPARATOR + entries.map(safe).join(SEPARATOR) + (entries.length > 0 ? SEPARATOR : '')
  return { kv: join(payloadTokens(payload)), tags: join(encodeShape(payload).tags) }
}

export interface CypherFilter {
  /** A boolean expression over `n`, or undefined for "everything". */
  where: string | undefined
  params: Record<string, string>
  /** false: the expression matches nothing (no request needed). */
  satisfiable: boolean
  exact: boolean
}

export function compileNeptuneFilter(filter: FilterNode, prefix = 'f'): CypherFilter {
  const params: Record<string, string> = {}
  const param = (value: string): string => {
    const name = `${prefix}${Object.keys(params).length}`
    params[name] = value
    return `$${name}`
  }
  const and = (parts: string[]) => parts.map((p) => `(${p})`).join(' AND ')
  const or = (parts: string[]) => parts.map((p) => `(${p})`).join(' OR ')
  const ops = { and, or }
  const has = (property: 'em_kv' | 'em_t', entry: string): Native<string> =>
    expr(`n.${property} CONTAINS ${param(SEPARATOR + safe(entry) + SEPARATOR)}`)
  const anyEntry = (property: 'em_kv' | 'em_t', entries: string[]): Native<string> =>
    anyOf(
      ops,
      [...new Set(entries)].map((e) => has(property, e)),
    )
  const hasKind = (field: string, kinds: readonly ValueKind[]) => anyEntry('em_t', tagsFor(field, kinds))

  const positive = (node: FieldNode): CompiledLiteral<string> => {
    const f = node.field
    switch (node.op) {
      case 'exists':
        return { native: hasKind(f, PRESENT_KINDS), exact: true }
      case 'eq':
        return { native: anyEntry('em_kv', [valueToken(f, node.value)]), exact: true }
      case 'in':
        return {
          native: anyEntry(
            'em_kv',
            node.values.map((v) => valueToken(f, v)),
          ),
          exact: true,
        }
      case 'gt':
      case 'gte':
      case 'lt':
      case 'lte':
        return { native: hasKind(f, typeof node.value === 'number' ? ['n', 'a'] : ['s', 'a']), exact: false }
      case 'contains': {
        const inArray = allOf(ops, [anyEntry('em_kv', [valueToken(f, node.value)]), anyEntry('em_t', [tag('a', f)])])
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
  const negative = (node: FieldNode): CompiledLiteral<string> => {
    if (node.op === 'contains' && typeof node.value === 'string') {
      const inArray = allOf(ops, [anyEntry('em_kv', [valueToken(node.field, node.value)]), anyEntry('em_t', [tag('a', node.field)])])
      return { native: inArray.kind === 'expr' ? expr(`NOT (${inArray.expr})`) : TRUE, exact: false }
    }
    const compiled = positive(node)
    if (!compiled.exact) return { native: TRUE, exact: false }
    const native = compiled.native
    return { native: native.kind === 'true' ? FALSE : native.kind === 'false' ? TRUE : expr(`NOT (${native.expr})`), exact: true }
  }
  const dialect: NativeDialect<string> = { and, or, literal: (negated, node) => (negated ? negative(node) : positive(node)) }
  const compiled: CompiledFilter<string> = compileWithDialect(filter, dialect)
  return {
    where: compiled.native.kind === 'expr' ? compiled.native.expr : undefined,
    params,
    satisfiable: compiled.native.kind !== 'false',
    exact: compiled.exact,
  }
}
