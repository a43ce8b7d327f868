import { RemoteError } from '../errors.ts'

export interface CircuitBreakerOptions {
  /** Consecutive calls that failed for good (after their retries) with no response or a 5xx; default 5. */
  failures?: number
  /** How long the circuit stays open before one trial call is let through; default 30 s. */
  cooldownMs?: number
  now?: () => number
}

/**
 * Fails fast while an upstream is down. Without it, every request to a dead embedding endpoint costs its
 * full timeout and retries (and holds its scope's write lock meanwhile). After `failures` consecutive
 * calls failed with no response or a 5xx, calls fail at once with a RemoteError 503 carrying
 * `retryAfterMs` for `cooldownMs`; then one trial call goes through, and its outcome closes or reopens
 * the circuit. One breaker per client instance (per upstream of one Memory), so unrelated clients never
 * trip each other. Errors that say nothing about availability (4xx, 429) neither trip nor reset it.
 */
export class CircuitBreaker {
  private readonly threshold: number
  private readonly cooldownMs: number
  private readonly now: () => number
  private consecutive = 0
  private openUntil = 0
  private trialInFlight = false

  constructor(options: CircuitBreakerOptions = {}) {
    this.threshold = options.failures ?? 5
    this.cooldownMs = options.cooldownMs ?? 30_000
    this.now = options.now ?? Date.now
  }

  /** Runs the call unless the circuit is open. */
  async run<T>(service: string, call: () => Promise<T>): Promise<T> {
    const isTrial = this.admit(service)
    try {
      const result = await call()
      this.consecutive = 0
      this.openUntil = 0
      return result
    } catch (err) {
      if (isOutage(err)) {
        this.consecutive++
        if (isTrial || this.consecutive >= this.threshold) this.openUntil = this.now() + this.cooldownMs
      } else if (isTrial) {
        // The upstream answered: it is up.
        this.consecutive = 0
        this.openUntil = 0
      }
      throw err
    } finally {
      if (isTrial) this.trialInFlight = false
    }
  }

  /** Whether the call is the trial after a cooldown; throws while the circuit is open. */
  private admit(service: string): boolean {
    if (this.openUntil === 0) return false
    const waitMs = this.openUntil - this.now()
    if (waitMs <= 0 && !this.trialInFlight) {
      this.trialInFlight = true
      return true
    }
    throw new RemoteError(service, 503, `not called: ${this.consecutive} consecutive calls found it down (circuit open)`, {
      retryAfterMs: Math.max(waitMs, 1_000),
      hint: `edgemem tries again after ${Math.ceil(Math.max(waitMs, 0) / 1000)} s`,
    })
  }
}

function isOutage(err: unknown): boolean {
  if (!(err instanceof RemoteError)) return false
  return err.status === 0 || err.status >= 500
}
