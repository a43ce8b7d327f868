import * as z from 'zod/mini'
import { ConfigError } from '../../src/errors.ts'
import { DEFAULT_RETRY, DEFAULT_TIMEOUT_MS, type RetryPolicy } from './retry-policy.ts'

/** Transport settings every remote adapter accepts. */
export const transportShape = {
  /** Per attempt, in milliseconds (default 30000). */
  timeoutMs: z.optional(z.number().check(z.positive(), z.lte(600_000))),
  /** Retries after the first attempt on 408/429/5xx/network errors/timeouts (default 4). */
  maxRetries: z.optional(z.int().check(z.gte(0), z.lte(20))),
  /** First backoff step in milliseconds (default 200; doubles per retry, full jitter, capped at 8 s). */
  retryBaseDelayMs: z.optional(z.number().check(z.gte(0), z.lte(60_000))),
}

export interface TransportConfig {
  timeoutMs?: number | undefined
  maxRetries?: number | undefined
  retryBaseDelayMs?: number | undefined
}

export function transportFrom(config: TransportConfig): { timeoutMs: number; retry: RetryPolicy } {
  return {
    timeoutMs: config.timeoutMs ?? DEFAULT_TIMEOUT_MS,
    retry: {
      ...DEFAULT_RETRY,
      maxRetries: config.maxRetries ?? DEFAULT_RETRY.maxRetries,
      baseDelayMs: config.retryBaseDelayMs ?? DEFAULT_RETRY.baseDelayMs,
    },
  }
}

export const httpUrl = z.string().check(
  z.refine((value) => {
    try {
      const url = new URL(value)
      return url.protocol === 'http:' || url.protocol === 'https:'
    } catch {
      return false
    }
  }, 'expected an http(s) URL'),
)

/** Parses with a zod schema and turns the first issue into a ConfigError naming the field. */
export function parseConfig<T>(schema: z.ZodMiniType<T>, raw: unknown, prefix: string): T {
  const result = z.safeParse(schema, raw)
  if (result.success) return result.data
  const issue = result.error.issues[0]
  const path = issue ? [...issue.path, ...(issue.code === 'unrecognized_keys' ? issue.keys.slice(0, 1) : [])].join('.') : ''
  throw new ConfigError(path ? `${prefix}.${path}` : prefix, issue?.message ?? 'invalid config')
}
