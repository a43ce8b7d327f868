import { DurableObject } from 'cloudflare:workers'
import type { Env } from '../env.ts'
import { TokenBucket, type RateDecision, type RateLimit } from '../limits/token-bucket.ts'

/**
 * One object per API key (named by the key's id): a token bucket every isolate and location shares, so
 * the limit holds for the key as a whole. The bucket lives in memory only: when the object is evicted
 * after a quiet period the bucket starts full again, which is what a quiet key has earned anyway.
 */
export class RateLimiter extends DurableObject<Env> {
  private bucket: TokenBucket | undefined

  async take(limit: RateLimit): Promise<RateDecision> {
    const now = Date.now()
    this.bucket ??= new TokenBucket(limit, now)
    return this.bucket.take(limit, now)
  }
}
