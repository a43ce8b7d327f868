import { RemoteError } from '../errors.ts'
import { sleep } from '../util/sleep.ts'

/**
 * The one retry policy of every HTTP provider and adapter (the shared HttpClient and the openai
 * provider, which keeps the openai package for the exchange but decides retries here). Pure functions
 * plus one loop, so the policy is tested without a network (test/unit/provider-utils/retry.test.ts).
 *
 * - Retried: no response (network error, timeout: status 0), 408, 429 and 5xx except 501 Not
 *   Implemented (the server says it cannot do this at all; waiting does not change that).
 * - Never retried: every other status (400, 401, 403, 404, 409, 422, ...: the same request fails the
 *   same way again), and any failure the server marks `x-should-retry: false`.
 * - Wait: what the server asks for (`retry-after-ms`, else `Retry-After` as seconds or an HTTP-date),
 *   lengthened by at most a quarter of the first backoff step so clients told the same wait do not
 *   return at the same instant; without it, exponential backoff from `baseDelayMs` (doubling, capped at
 *   `maxDelayMs`), each step shortened by a random 0-25%: a failed service gets real relief while
 *   clients that failed together still spread out. A server asking for more than `maxRetryAfterMs` is
 *   not waited for: the RemoteError carries `retryAfterMs` so the app can schedule the work instead.
 */

export interface RetryPolicy {
  /** Retries after the first attempt; 0 disables retrying. */
  maxRetries: number
  /** First backoff step; retry n waits min(maxDelayMs, baseDelayMs · 2^n) shortened by 0-25%. */
  baseDelayMs: number
  maxDelayMs: number
  /** A Retry-After longer than this is not waited for: the error is thrown with `retryAfterMs`. */
  maxRetryAfterMs: number
}

export const DEFAULT_RETRY: RetryPolicy = { maxRetries: 4, baseDelayMs: 200, maxDelayMs: 8_000, maxRetryAfterMs: 60_000 }
export const DEFAULT_TIMEOUT_MS = 30_000

/** Share of a backoff step taken off at random (and the most a server-given wait is lengthened, of the first step). */
const JITTER = 0.25

/** 408, 429 and 5xx but 501 are transient; `status` 0 (no response) is handled by the caller. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || (status >= 500 && status <= 599 && status !== 501)
}

const DELAY_SECONDS = /^\d+(\.\d+)?$/
/**
 * An IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`) or the two obsolete forms RFC 9110 still asks
 * recipients to accept (RFC 850 `Sunday, 06-Nov-94 08:49:37 GMT`, asctime `Sun Nov  6 08:49:37 1994`).
 * Date.parse alone accepts far more: "-5" (a year), "abc 2" (a month), "3 days".
 */
const HTTP_DATE = new RegExp(
  [
    /^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$/,
    /^[A-Z][a-z]+, \d{2}-[A-Z][a-z]{2}-\d{2} \d{2}:\d{2}:\d{2} GMT$/,
    /^[A-Z][a-z]{2} [A-Z][a-z]{2} [ \d]\d \d{2}:\d{2}:\d{2} \d{4}$/,
  ]
    .map((re) => re.source)
    .join('|'),
)

/** `Retry-After` (delay-seconds or an HTTP-date) in milliseconds; undefined when absent or malformed, never negative. */
export function parseRetryAfter(value: string | null | undefined, now: number = Date.now()): number | undefined {
  const trimmed = value?.trim()
  if (!trimmed) return undefined
  if (DELAY_SECONDS.test(trimmed)) return Math.round(Number(trimmed) * 1000)
  if (!HTTP_DATE.test(trimmed)) return undefined
  const at = Date.parse(trimmed)
  return Number.isNaN(at) ? undefined : Math.max(0, at - now)
}

/** What the server asked to wait: `retry-after-ms` (OpenAI's and Azure's header) first, else `Retry-After`. */
export function retryAfterMs(headers: Headers | undefined, now: number = Date.now()): number | undefined {
  if (!headers) return undefined
  const ms = headers.get('retry-after-ms')?.trim()
  if (ms && DELAY_SECONDS.test(ms)) return Number(ms)
  return parseRetryAfter(headers.get('retry-after'), now)
}

/** Backoff before retry number `retry` (0 for the first retry). */
export function backoffMs(retry: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.baseDelayMs * 2 ** retry, policy.maxDelayMs)
  return ceiling * (1 - random() * JITTER)
}

/** One failed attempt, as the policy sees it. */
export interface HttpFailure {
  /** HTTP status; 0 when no response arrived (network error, timeout). */
  status: number
  headers?: Headers | undefined
  /** The service's own message, or what went wrong on the way. */
  message: string
  /** The error answer's body, parsed, when it was JSON (a client maps the service's own error codes from it). */
  body?: unknown
  cause?: unknown
}

export type RetryDecision = { retry: true; delayMs: number } | { retry: false; reason: 'not-retryable' | 'exhausted' | 'wait-too-long' }

/** Decides after a failed attempt; `retriesDone` counts the retries already made. */
export function decideRetry(
  failure: Pick<HttpFailure, 'status' | 'headers'>,
  retriesDone: number,
  policy: RetryPolicy,
  random: () => number = Math.random,
): RetryDecision {
  if (failure.status !== 0 && !isRetryableStatus(failure.status)) return { retry: false, reason: 'not-retryable' }
  if (failure.headers?.get('x-should-retry') === 'false') return { retry: false, reason: 'not-retryable' }
  if (retriesDone >= policy.maxRetries) return { retry: false, reason: 'exhausted' }
  const asked = retryAfterMs(failure.headers)
  if (asked === undefined) return { retry: true, delayMs: backoffMs(retriesDone, policy, random) }
  if (asked > policy.maxRetryAfterMs) return { retry: false, reason: 'wait-too-long' }
  return { retry: true, delayMs: asked + random() * JITTER * policy.baseDelayMs }
}

export interface RetryLoop<T> {
  /** Names the endpoint in errors, e.g. `Qdrant` or `openai embeddings (http://localhost:11434/v1)`. */
  service: string
  policy: RetryPolicy
  /** Aborts the attempt in flight (if `attempt` passes it on) and the wait before a retry; rejects with its reason. */
  signal?: AbortSignal | undefined
  attempt: () => Promise<T>
  /** The HTTP failure an attempt's error stands for; undefined for other errors, which are rethrown unchanged. */
  failureOf: (err: unknown) => HttpFailure | undefined
  /** Advice for a failed status, e.g. 401 → "check the apiKey". */
  hint?: ((status: number) => string | undefined) | undefined
  random?: () => number
}

/** Runs `attempt` until it succeeds, fails for good (a RemoteError), or the signal aborts. */
export async function withRetries<T>(loop: RetryLoop<T>): Promise<T> {
  const { policy, signal } = loop
  for (let retriesDone = 0; ; retriesDone++) {
    signal?.throwIfAborted()
    try {
      return await loop.attempt()
    } catch (err) {
      if (signal?.aborted) throw signal.reason
      const failure = loop.failureOf(err)
      if (!failure) throw err
      const decision = decideRetry(failure, retriesDone, policy, loop.random)
      if (decision.retry) {
        await sleep(decision.delayMs, signal)
        continue
      }
      const waitMs = retryAfterMs(failure.headers)
      const hints = [
        decision.reason === 'wait-too-long'
          ? `the service asked to wait ${Math.ceil((waitMs ?? 0) / 1000)} s, longer than the ${policy.maxRetryAfterMs / 1000} s edgemem waits; try again later`
          : loop.hint?.(failure.status),
        decision.reason === 'exhausted' && retriesDone > 0 ? `gave up after ${retriesDone + 1} attempts` : undefined,
      ].filter((hint) => hint !== undefined)
      throw new RemoteError(loop.service, failure.status, failure.message, {
        cause: failure.cause ?? err,
        ...(waitMs !== undefined ? { retryAfterMs: waitMs } : {}),
        ...(failure.body !== undefined ? { body: failure.body } : {}),
        ...(hints.length > 0 ? { hint: hints.join('; ') } : {}),
      })
    }
  }
}
