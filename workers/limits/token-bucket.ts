/**
 * A token bucket: holds at most `burst` tokens, refills `perMinute` tokens per minute, and each request
 * takes one. When empty, the answer says how long until the next token (the Retry-After value).
 */
export interface RateLimit {
  perMinute: number
  burst: number
}

export interface RateDecision {
  allowed: boolean
  /** Whole seconds until a request would be allowed again (0 when allowed). */
  retryAfterSeconds: number
  /** Tokens left after this request. */
  remaining: number
}

export class TokenBucket {
  private tokens: number
  private updatedAt: number

  constructor(limit: RateLimit, now: number) {
    this.tokens = limit.burst
    this.updatedAt = now
  }

  take(limit: RateLimit, now: number): RateDecision {
    const perMs = limit.perMinute / 60_000
    // A clock that went backwards must not add tokens; a lowered burst caps what is saved up.
    const elapsed = Math.max(0, now - this.updatedAt)
    this.tokens = Math.min(limit.burst, this.tokens + elapsed * perMs)
    this.updatedAt = now
    if (this.tokens >= 1) {
      this.tokens -= 1
      return { allowed: true, retryAfterSeconds: 0, remaining: Math.floor(this.tokens) }
    }
    const waitMs = (1 - this.tokens) / perMs
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)), remaining: 0 }
  }
}
