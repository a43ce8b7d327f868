export * from './ast.ts'
export { compileFilter, matchesFilter, type PayloadPredicate } from './evaluate.ts'
export { parseFilter, FIELD_NAME_PATTERN, type ParseFilterOptions } from './parse.ts'
