import * as z from 'zod/mini'
import { DEFAULT_RETRY, DEFAULT_TIMEOUT_MS, type RetryPolicy } from './retry.ts'

/** Transport settings every HTTP adapter and provider config accepts (spread into its zod schema). */
export const transportShape = {
  /** Per attempt, in milliseconds (default 30000). */
  timeoutMs: z.optional(z.number().check(z.positive(), z.lte(600_000))),
  /** Retries after the first attempt on 408/429/5xx/network errors/timeouts (default 4). */
  maxRetries: z.optional(z.int().check(z.gte(0), z.lte(20))),
  /** First backoff step in milliseconds (default 200; doubles per retry, shortened by up to 25%, capped at 8 s). */
  retryBaseDelayMs: z.optional(z.number().check(z.gte(0), z.lte(60_000))),
}

export interface TransportConfig {
  timeoutMs?: number | undefined
  maxRetries?: number | undefined
  retryBaseDelayMs?: number | undefined
}

/** The HttpClient options a transport config stands for (defaults filled in). */
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
