import * as z from 'zod/mini'
import type * as zc from 'zod/v4/core'
import { ConfigError } from '../errors.ts'

function joinPath(prefix: string, path: readonly PropertyKey[]): string {
  let out = prefix
  for (const part of path) out += typeof part === 'number' ? `[${part}]` : `${out ? '.' : ''}${String(part)}`
  return out
}

function describeIssue(issue: zc.$ZodIssue): string {
  switch (issue.code) {
    case 'unrecognized_keys':
      return `unknown key${issue.keys.length > 1 ? 's' : ''} ${issue.keys.map((k) => `"${k}"`).join(', ')}`
    case 'invalid_type':
      return `expected ${issue.expected}${issue.input === undefined ? ' (missing)' : `, got ${issue.input === null ? 'null' : Array.isArray(issue.input) ? 'array' : typeof issue.input}`}`
    default:
      return issue.message
  }
}

/** The first zod issue as the dotted path of the bad field (below `prefix`) and what is wrong with it. */
export function firstZodIssue(error: zc.$ZodError, prefix = ''): { field: string; detail: string } {
  const issue = error.issues[0]
  if (!issue) return { field: prefix, detail: 'invalid value' }
  const field =
    issue.code === 'unrecognized_keys' && issue.keys.length > 0
      ? joinPath(prefix, [...issue.path, issue.keys[0]!])
      : joinPath(prefix, issue.path)
  return { field, detail: describeIssue(issue) }
}

/** Turns the first zod issue into a ConfigError whose field is the dotted path of the bad setting. */
export function configErrorFromZod(error: zc.$ZodError, prefix: string): ConfigError {
  const { field, detail } = firstZodIssue(error, prefix)
  return new ConfigError(field, detail, { cause: error })
}

/**
 * The one way configs are validated: `raw` against a zod schema (classic or mini), the first issue as a
 * ConfigError whose field is `prefix` plus the issue's path. `reportInput` lets messages say what was
 * given ("expected boolean, got string").
 */
export function parseConfig<S extends zc.$ZodType>(schema: S, raw: unknown, prefix: string): zc.output<S> {
  const result = z.safeParse(schema, raw, { reportInput: true })
  if (!result.success) throw configErrorFromZod(result.error, prefix)
  return result.data
}
