/** The retry policy of the openai providers as pure functions (the HTTP-level behaviour is in openai-embedder/llm tests). */
import fc from 'fast-check'
import {
  backoffMs,
  BASE_BACKOFF_MS,
  decideRetry,
  isRetryableStatus,
  MAX_BACKOFF_MS,
  retryAfterMs,
} from '../../src/providers/openai/retry.ts'
import { describe, expect, it } from '../harness.ts'

const headers = (init: Record<string, string>): Headers => new Headers(init)

describe('openai retry policy', () => {
  it('retries only 408, 429 and 5xx', () => {
    for (const status of [408, 429, 500, 502, 503, 504, 599]) expect(isRetryableStatus(status), String(status)).toBe(true)
    for (const status of [200, 301, 400, 401, 403, 404, 409, 413, 422, 451]) expect(isRetryableStatus(status), String(status)).toBe(false)
  })

  it('reads retry-after-ms, Retry-After seconds and Retry-After HTTP-dates', () => {
    const now = Date.parse('2026-01-01T00:00:00Z')
    expect(retryAfterMs(headers({ 'retry-after-ms': '250' }), now)).toBe(250)
    expect(retryAfterMs(headers({ 'retry-after': '2' }), now)).toBe(2000)
    expect(retryAfterMs(headers({ 'retry-after': '1.5' }), now)).toBe(1500)
    expect(retryAfterMs(headers({ 'retry-after': 'Thu, 01 Jan 2026 00:00:07 GMT' }), now)).toBe(7000)
    expect(retryAfterMs(headers({ 'retry-after': 'Wed, 31 Dec 2025 23:59:00 GMT' }), now)).toBe(0)
    expect(retryAfterMs(headers({ 'retry-after-ms': '100', 'retry-after': '9' }), now)).toBe(100)
    expect(retryAfterMs(headers({ 'retry-after-ms': 'soon', 'retry-after': '3' }), now)).toBe(3000)
    expect(retryAfterMs(headers({ 'retry-after': 'later' }), now)).toBeUndefined()
    expect(retryAfterMs(headers({ 'retry-after': '-5' }), now)).toBeUndefined()
    expect(retryAfterMs(headers({}), now)).toBeUndefined()
    expect(retryAfterMs(undefined, now)).toBeUndefined()
  })

  it('backs off exponentially from 500 ms to at most 8 s, jitter taking off at most 25%', () => {
    expect(backoffMs(0, () => 0)).toBe(500)
    expect(backoffMs(1, () => 0)).toBe(1000)
    expect(backoffMs(2, () => 0)).toBe(2000)
    expect(backoffMs(10, () => 0)).toBe(8000)
    fc.assert(
      fc.property(fc.nat(30), fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }), (retry, r) => {
        const ceiling = Math.min(BASE_BACKOFF_MS * 2 ** retry, MAX_BACKOFF_MS)
        const delay = backoffMs(retry, () => r)
        return delay <= ceiling && delay >= ceiling * 0.75
      }),
    )
  })

  it('decides: retry transient failures with the server’s wait, else backoff; stop otherwise', () => {
    expect(decideRetry({ status: 429, headers: headers({ 'retry-after': '2' }) }, 0, 3)).toEqual({ retry: true, delayMs: 2000 })
    const backoff = decideRetry({ status: 0 }, 1, 3)
    expect(backoff.retry && backoff.delayMs).toBeGreaterThan(750)
    expect(decideRetry({ status: 503 }, 3, 3)).toEqual({ retry: false, reason: 'exhausted' })
    expect(decideRetry({ status: 401, headers: headers({ 'x-should-retry': 'true' }) }, 0, 3)).toEqual({
      retry: false,
      reason: 'not-retryable',
    })
    expect(decideRetry({ status: 500, headers: headers({ 'x-should-retry': 'false' }) }, 0, 3)).toEqual({
      retry: false,
      reason: 'not-retryable',
    })
    expect(decideRetry({ status: 429, headers: headers({ 'retry-after': '61' }) }, 0, 3)).toEqual({ retry: false, reason: 'wait-too-long' })
    expect(decideRetry({ status: 429, headers: headers({ 'retry-after': '60' }) }, 0, 3)).toEqual({ retry: true, delayMs: 60_000 })
  })
})
