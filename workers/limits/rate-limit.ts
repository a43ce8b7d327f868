import type { Env } from '../env.ts'
import { ApiError } from '../http/errors.ts'
import type { Limits } from '../settings.ts'
import { TokenBucket, type RateDecision, type RateLimit } from './token-bucket.ts'

/** Buckets one isolate keeps when there is no RATE_LIMITER binding (oldest dropped beyond it). */
const ISOLATE_BUCKETS = 10_000
const isolateBuckets = new Map<string, TokenBucket>()

/** Without the Durable Object binding: a bucket per key in this isolate (approximate across isolates). */
function takeInIsolate(keyId: string, limit: RateLimit, now: number): RateDecision {
  let bucket = isolateBuckets.get(keyId)
  if (bucket) isolateBuckets.delete(keyId)
  else bucket = new TokenBucket(limit, now)
  isolateBuckets.set(keyId, bucket)
  if (isolateBuckets.size > ISOLATE_BUCKETS) isolateBuckets.delete(isolateBuckets.keys().next().value!)
  return bucket.take(limit, now)
}

/**
 * Takes one request from the key's bucket; throws 429 RATE_LIMITED with Retry-After when it is empty.
 * With the RATE_LIMITER binding the bucket is one Durable Object per key, exact across isolates and
 * locations; without it, per isolate.
 */
export async function enforceRateLimit(env: Env, keyId: string, limits: Limits): Promise<RateDecision | undefined> {
  if (limits.ratePerMinute === 0) return undefined
  const limit: RateLimit = { perMinute: limits.ratePerMinute, burst: limits.rateBurst }
  const decision = env.RATE_LIMITER
    ? await env.RATE_LIMITER.get(env.RATE_LIMITER.idFromName(keyId)).take(limit)
    : takeInIsolate(keyId, limit, Date.now())
  if (!decision.allowed) {
    throw new ApiError(
      429,
      'RATE_LIMITED',
      `rate limit of ${limits.ratePerMinute} requests per minute (burst ${limits.rateBurst}) reached for this key; retry in ${decision.retryAfterSeconds} s`,
      { 'Retry-After': String(decision.retryAfterSeconds) },
    )
  }
  return decision
}
