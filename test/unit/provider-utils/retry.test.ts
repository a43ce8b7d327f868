/** The retry policy every HTTP provider shares, as pure functions (HTTP-level behaviour: http-client.test.ts and the provider suites). */
import fc from 'fast-check'
import { RemoteError } from '../../../src/errors.ts'
import {
  backoffMs,
  DEFAULT_RETRY,
  decideRetry,
  isRetryableStatus,
  parseRetryAfter,
  type RetryPolicy,
  retryAfterMs,
  withRetries,
} from '../../../src/provider-utils/retry.ts'
import { describe, expect, it } from '../../harness.ts'

const headers = (init: Record<string, string>): Headers => new Headers(init)
const policy = (overrides: Partial<RetryPolicy> = {}): RetryPolicy => ({ ...DEFAULT_RETRY, maxRetries: 3, baseDelayMs: 500, ...overrides })
const noJitter = (): number => 0

describe('retry policy', () => {
  it('retries only 408, 429 and 5xx other than 501', () => {
    for (const status of [408, 429, 500, 502, 503, 504, 599]) expect(isRetryableStatus(status), String(status)).toBe(true)
    for (const status of [200, 301, 400, 401, 403, 404, 409, 413, 422, 451, 501, 600])
      expect(isRetryableStatus(status), String(status)).toBe(false)
  })

  it('parses Retry-After seconds and the three HTTP-date forms, nothing else', () => {
    const now = Date.parse('2026-01-01T00:00:00Z')
    expect(parseRetryAfter('3', now)).toBe(3000)
    expect(parseRetryAfter(' 0.5 ', now)).toBe(500)
    expect(parseRetryAfter('0', now)).toBe(0)
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:10 GMT', now)).toBe(10_000)
    expect(parseRetryAfter('Thursday, 01-Jan-26 00:00:04 GMT', now)).toBe(4000)
    expect(parseRetryAfter('Thu Jan  1 00:00:02 2026', now)).toBe(2000)
    // A date in the past means "now", never a negative wait.
    expect(parseRetryAfter('Wed, 31 Dec 2025 23:59:00 GMT', now)).toBe(0)
    // Date.parse reads all of these as dates ("-5" a year, "abc 2" a month); they are not HTTP-dates.
    for (const bad of ['-5', 'abc 2', '3 days', 'soon', '2026-01-01', '1e3', '+5', 'Thu, 01 Jan 2026 00:00:10', '', '   '])
      expect(parseRetryAfter(bad, now), JSON.stringify(bad)).toBeUndefined()
    expect(parseRetryAfter(null, now)).toBeUndefined()
    expect(parseRetryAfter(undefined, now)).toBeUndefined()
  })

  it('reads retry-after-ms before Retry-After', () => {
    const now = Date.parse('2026-01-01T00:00:00Z')
    expect(retryAfterMs(headers({ 'retry-after-ms': '250' }), now)).toBe(250)
    expect(retryAfterMs(headers({ 'retry-after': '2' }), now)).toBe(2000)
    expect(retryAfterMs(headers({ 'retry-after': '1.5' }), now)).toBe(1500)
    expect(retryAfterMs(headers({ 'retry-after': 'Thu, 01 Jan 2026 00:00:07 GMT' }), now)).toBe(7000)
    expect(retryAfterMs(headers({ 'retry-after-ms': '100', 'retry-after': '9' }), now)).toBe(100)
    expect(retryAfterMs(headers({ 'retry-after-ms': 'soon', 'retry-after': '3' }), now)).toBe(3000)
    expect(retryAfterMs(headers({ 'retry-after-ms': '-5', 'retry-after': '3' }), now)).toBe(3000)
    expect(retryAfterMs(headers({ 'retry-after': 'later' }), now)).toBeUndefined()
    expect(retryAfterMs(headers({ 'retry-after': '-5' }), now)).toBeUndefined()
    expect(retryAfterMs(headers({}), now)).toBeUndefined()
    expect(retryAfterMs(undefined, now)).toBeUndefined()
  })

  it('backs off exponentially from the base step to the cap, jitter taking off at most 25%', () => {
    expect(backoffMs(0, policy(), noJitter)).toBe(500)
    expect(backoffMs(1, policy(), noJitter)).toBe(1000)
    expect(backoffMs(2, policy(), noJitter)).toBe(2000)
    expect(backoffMs(10, policy(), noJitter)).toBe(8000)
    expect(backoffMs(0, DEFAULT_RETRY, noJitter)).toBe(200)
    expect(backoffMs(3, DEFAULT_RETRY, () => 0.5)).toBe(1400)
    fc.assert(
      fc.property(
        fc.nat(30),
        fc.integer({ min: 0, max: 5000 }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (retry, base, r) => {
          const p = policy({ baseDelayMs: base })
          const ceiling = Math.min(base * 2 ** retry, p.maxDelayMs)
          const delay = backoffMs(retry, p, () => r)
          return delay <= ceiling && delay >= ceiling * 0.75
        },
      ),
    )
  })

  it('decides: retry transient failures with the server’s wait (plus a little jitter), else backoff; stop otherwise', () => {
    expect(decideRetry({ status: 429, headers: headers({ 'retry-after': '2' }) }, 0, policy(), noJitter)).toEqual({
      retry: true,
      delayMs: 2000,
    })
    // The server's wait is lengthened by at most a quarter of the first backoff step.
    const jittered = decideRetry({ status: 429, headers: headers({ 'retry-after': '2' }) }, 0, policy(), () => 0.999)
    expect(jittered.retry && jittered.delayMs).toBeGreaterThan(2000)
    expect(jittered.retry && jittered.delayMs).toBeLessThan(2125)
    const backoff = decideRetry({ status: 0 }, 1, policy())
    expect(backoff.retry && backoff.delayMs).toBeGreaterThanOrEqual(750)
    expect(backoff.retry && backoff.delayMs).toBeLessThanOrEqual(1000)
    expect(decideRetry({ status: 503 }, 3, policy())).toEqual({ retry: false, reason: 'exhausted' })
    expect(decideRetry({ status: 501 }, 0, policy())).toEqual({ retry: false, reason: 'not-retryable' })
    expect(decideRetry({ status: 401, headers: headers({ 'x-should-retry': 'true' }) }, 0, policy())).toEqual({
      retry: false,
      reason: 'not-retryable',
    })
    expect(decideRetry({ status: 500, headers: headers({ 'x-should-retry': 'false' }) }, 0, policy())).toEqual({
      retry: false,
      reason: 'not-retryable',
    })
    expect(decideRetry({ status: 429, headers: headers({ 'retry-after': '61' }) }, 0, policy())).toEqual({
      retry: false,
      reason: 'wait-too-long',
    })
    expect(decideRetry({ status: 429, headers: headers({ 'retry-after': '60' }) }, 0, policy(), noJitter)).toEqual({
      retry: true,
      delayMs: 60_000,
    })
    // A malformed Retry-After is ignored: the ordinary backoff applies.
    expect(decideRetry({ status: 503, headers: headers({ 'retry-after': '-5' }) }, 0, policy(), noJitter)).toEqual({
      retry: true,
      delayMs: 500,
    })
  })
})

describe('withRetries', () => {
  const failure = (status: number, init: Record<string, string> = {}) => ({ status, headers: headers(init), message: `failed ${status}` })
  const failing = (statuses: number[], init: Record<string, string> = {}) => {
    let calls = 0
    return {
      get calls() {
        return calls
      },
      attempt: async () => {
        const status = statuses[calls++]
        if (status === undefined) return 'ok'
        throw failure(status, init)
      },
    }
  }
  const failureOf = (err: unknown) => (err && typeof err === 'object' && 'status' in err ? (err as ReturnType<typeof failure>) : undefined)
  const quick = policy({ baseDelayMs: 1 })

  it('retries transient failures until one succeeds', async () => {
    const run = failing([503, 0, 429])
    expect(await withRetries({ service: 'svc', policy: quick, attempt: run.attempt, failureOf })).toBe('ok')
    expect(run.calls).toBe(4)
  })

  it('gives up with a RemoteError naming the attempts, the status hint and the service message', async () => {
    const run = failing([500, 500, 500, 500, 500])
    const err = await withRetries({ service: 'svc', policy: quick, attempt: run.attempt, failureOf, hint: () => 'look here' }).catch(
      (e) => e,
    )
    expect(err).toBeInstanceOf(RemoteError)
    expect(err).toMatchObject({ status: 500, serviceMessage: 'failed 500', service: 'svc' })
    expect(err.message).toBe('svc: HTTP 500: failed 500 (look here; gave up after 4 attempts)')
    expect(run.calls).toBe(4)
  })

  it('does not wait for a Retry-After beyond the limit: fails at once with retryAfterMs', async () => {
    const run = failing([429], { 'retry-after': '3600' })
    const err = await withRetries({ service: 'svc', policy: quick, attempt: run.attempt, failureOf }).catch((e) => e)
    expect(err).toMatchObject({ status: 429, retryAfterMs: 3_600_000 })
    expect(err.message).toMatch(/asked to wait 3600 s, longer than the 60 s edgemem waits/)
    expect(run.calls).toBe(1)
  })

  it('rethrows errors that are not HTTP failures unchanged, and stops when the signal aborts', async () => {
    const bug = new TypeError('bug')
    await expect(withRetries({ service: 'svc', policy: quick, attempt: () => Promise.reject(bug), failureOf })).rejects.toBe(bug)
    const controller = new AbortController()
    const reason = new Error('stop')
    const slow = policy({ baseDelayMs: 10_000, maxDelayMs: 10_000 })
    const pending = withRetries({ service: 'svc', policy: slow, signal: controller.signal, attempt: failing([503]).attempt, failureOf })
    setTimeout(() => controller.abort(reason), 20)
    await expect(pending).rejects.toBe(reason)
  })
})
