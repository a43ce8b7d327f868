/** Retry and timeout defaults, kept apart from the HTTP client so config schemas stay tiny. */
export interface RetryPolicy {
  /** Retries after the first attempt; 0 disables retrying. */
  maxRetries: number
  /** First backoff step; attempt n waits a random time in [0, min(maxDelayMs, baseDelayMs * 2^n)]. */
  baseDelayMs: number
  maxDelayMs: number
  /** A Retry-After longer than this is not waited for: the error is thrown with `retryAfterMs`. */
  maxRetryAfterMs: number
}

export const DEFAULT_RETRY: RetryPolicy = { maxRetries: 4, baseDelayMs: 200, maxDelayMs: 8_000, maxRetryAfterMs: 60_000 }
export const DEFAULT_TIMEOUT_MS = 30_000
