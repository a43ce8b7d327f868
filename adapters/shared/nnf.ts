import type { FieldNode, FilterNode } from '../../src/internal.ts'

/**
 * Negation normal form: NOT pushed down to the field conditions. Remote filter languages lack a general
 * NOT (Upstash, Pinecone) or differ from ours on what a negated condition matches, so compilers work on
 * literals (a field condition, possibly negated) joined by AND/OR. An NNF formula is monotone in its
 * literals, which is what makes "compile a literal to a superset, post-filter locally" sound.
 */
export type Nnf = { kind: 'and'; children: Nnf[] } | { kind: 'or'; children: Nnf[] } | { kind: 'lit'; negated: boolean; node: FieldNode }

export function toNnf(node: FilterNode, negated = false): Nnf {
  switch (node.op) {
    case 'and':
    case 'or': {
      const children = node.children.map((child) => toNnf(child, negated))
      const isAnd = (node.op === 'and') !== negated
      return { kind: isAnd ? 'and' : 'or', children }
    }
    case 'not':
      return toNnf(node.child, !negated)
    default:
      return { kind: 'lit', negated, node }
  }
}

/** A compiled native filter that may have folded to a constant. */
export type Native<T> = { kind: 'true' } | { kind: 'false' } | { kind: 'expr'; expr: T }

export const TRUE = { kind: 'true' } as const
export const FALSE = { kind: 'false' } as const
export const expr = <T>(value: T): Native<T> => ({ kind: 'expr', expr: value })

export interface CompiledLiteral<T> {
  native: Native<T>
  /**
   * false when `native` may match many records the literal does not. Adapters re-check every result
   * with the reference evaluator anyway; this only sizes the first request (topK vs over-fetch).
   */
  exact: boolean
}

export interface NativeDialect<T> {
  and(parts: T[]): T
  or(parts: T[]): T
  literal(negated: boolean, node: FieldNode): CompiledLiteral<T>
}

export interface CompiledFilter<T> {
  native: Native<T>
  /** true when the native filter selects (nearly) exactly the reference records; see CompiledLiteral.exact. */
  exact: boolean
}

export function compileWithDialect<T>(filter: FilterNode, dialect: NativeDialect<T>): CompiledFilter<T> {
  let exact = true
  const visit = (nnf: Nnf): Native<T> => {
    if (nnf.kind === 'lit') {
      const compiled = dialect.literal(nnf.negated, nnf.node)
      if (!compiled.exact) exact = false
      return compiled.native
    }
    const parts: T[] = []
    for (const child of nnf.children) {
      const compiled = visit(child)
      if (nnf.kind === 'and') {
        if (compiled.kind === 'false') return FALSE
        if (compiled.kind === 'expr') parts.push(compiled.expr)
      } else {
        if (compiled.kind === 'true') return TRUE
        if (compiled.kind === 'expr') parts.push(compiled.expr)
      }
    }
    if (parts.length === 0) return nnf.kind === 'and' ? TRUE : FALSE
    if (parts.length === 1) return expr(parts[0]!)
    return expr(nnf.kind === 'and' ? dialect.and(parts) : dialect.or(parts))
  }
  const native = visit(toNnf(filter))
  return { native, exact }
}

/** Folds constants while combining already-compiled pieces inside a literal's translation. */
export function anyOf<T>(dialect: Pick<NativeDialect<T>, 'or'>, parts: Native<T>[]): Native<T> {
  const exprs: T[] = []
  for (const part of parts) {
    if (part.kind === 'true') return TRUE
    if (part.kind === 'expr') exprs.push(part.expr)
  }
  if (exprs.length === 0) return FALSE
  return exprs.length === 1 ? expr(exprs[0]!) : expr(dialect.or(exprs))
}

export function allOf<T>(dialect: Pick<NativeDialect<T>, 'and'>, parts: Native<T>[]): Native<T> {
  const exprs: T[] = []
  for (const part of parts) {
    if (part.kind === 'false') return FALSE
    if (part.kind === 'expr') exprs.push(part.expr)
  }
  if (exprs.length === 0) return TRUE
  return exprs.length === 1 ? expr(exprs[0]!) : expr(dialect.and(exprs))
}
