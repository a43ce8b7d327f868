/**
 * When and how long to wait before retrying an OpenAI-compatible request. Pure functions, so the policy is
 * tested without a network.
 *
 * Why not the openai package's own retries: they also retry 409, obey a server's `x-should-retry: true`
 * on any status (a 401 included), and when Retry-After asks for more than 60 s they retry after the
 * short default backoff instead (see docs/providers/openai.md and test/unit/openai-sdk-retry.test.ts).
 */

/** First backoff step; doubles per attempt up to MAX_BACKOFF_MS. */
export const BASE_BACKOFF_MS = 500
export const MAX_BACKOFF_MS = 8_000
/** A server asking us to wait longer than this gets a RemoteError with retryAfterMs instead of a stalled call. */
export const MAX_RETRY_AFTER_MS = 60_000

/**
 * 408 (request timeout), 429 (rate limit) and 5xx are transient. Every other status (400, 401, 403, 404,
 * 409, 422, ...) means the request itself is wrong and would fail the same way again.
 */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || (status >= 500 && status <= 599)
}

/**
 * Milliseconds the server asked us to wait: `retry-after-ms` (OpenAI's own header), else `Retry-After` as
 * delay-seconds or an HTTP-date. Undefined when absent or unparsable; never negative.
 */
export function retryAfterMs(headers: Headers | undefined, now: number = Date.now()): number | undefined {
  if (!headers) return undefined
  const ms = headers.get('retry-after-ms')
  if (ms !== null && ms.trim() !== '') {
    const value = Number(ms)
    if (Number.isFinite(value) && value >= 0) return value
  }
  const after = headers.get('retry-after')
  if (after === null || after.trim() === '') return undefined
  const trimmed = after.trim()
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Number(trimmed) * 1000
  // An HTTP-date always names a weekday and month; Date.parse alone would read "-5" as a year.
  if (!/[a-z]{3}/i.test(trimmed)) return undefined
  const date = Date.parse(trimmed)
  if (Number.isNaN(date)) return undefined
  return Math.max(0, date - now)
}

/**
 * Exponential backoff for retry number `retry` (0 for the first retry) with up to 25% jitter taken off,
 * so clients that failed together do not come back together.
 */
export function backoffMs(retry: number, random: () => number = Math.random): number {
  const ceiling = Math.min(BASE_BACKOFF_MS * 2 ** retry, MAX_BACKOFF_MS)
  return ceiling * (1 - random() * 0.25)
}

export type RetryDecision = { retry: true; delayMs: number } | { retry: false; reason: 'not-retryable' | 'exhausted' | 'wait-too-long' }

/**
 * Decides after a failed attempt. `status` is 0 for network errors and timeouts (always transient);
 * `retriesDone` counts retries already made.
 */
export function decideRetry(
  failure: { status: number; headers?: Headers | undefined },
  retriesDone: number,
  maxRetries: number,
): RetryDecision {
  if (failure.status !== 0 && !isRetryableStatus(failure.status)) return { retry: false, reason: 'not-retryable' }
  if (failure.headers?.get('x-should-retry') === 'false') return { retry: false, reason: 'not-retryable' }
  if (retriesDone >= maxRetries) return { retry: false, reason: 'exhausted' }
  const asked = retryAfterMs(failure.headers)
  if (asked !== undefined && asked > MAX_RETRY_AFTER_MS) return { retry: false, reason: 'wait-too-long' }
  return { retry: true, delayMs: asked ?? backoffMs(retriesDone) }
}
