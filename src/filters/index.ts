export * from './ast.ts'
export { compileFilter, matchesFilter, type PayloadPredicate } from './evaluate.ts'
export { parseFilter } from './parse.ts'
