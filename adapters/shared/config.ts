import * as z from 'zod/mini'
import { ConfigError } from '../../src/internal.ts'

/** Parses with a zod schema and turns the first issue into a ConfigError naming the field. */
export function parseConfig<T>(schema: z.ZodMiniType<T>, raw: unknown, prefix: string): T {
  const result = z.safeParse(schema, raw)
  if (result.success) return result.data
  const issue = result.error.issues[0]
  const path = issue ? [...issue.path, ...(issue.code === 'unrecognized_keys' ? issue.keys.slice(0, 1) : [])].join('.') : ''
  throw new ConfigError(path ? `${prefix}.${path}` : prefix, issue?.message ?? 'invalid config')
}
