import { ApiError } from '../http/errors.ts'
import { TokenBucket, type RateLimit } from '../limits/token-bucket.ts'

/**
 * Failed authentications cost a KV read each (the key lookup), and rate limits are per valid key, so
 * without this a client could send invalid keys without limit. Two defences, per isolate:
 * - an invalid key presented again within 10 s is refused from memory, without a KV read;
 * - a client address (Cloudflare's CF-Connecting-IP) with more than FAILED_AUTH_LIMIT failures gets 429
 *   with Retry-After before any lookup, until its bucket refills. Requests without that header (tests,
 *   calls from inside the Worker) have no reliable address and are not limited this way.
 */
export const FAILED_AUTH_LIMIT: RateLimit = { perMinute: 30, burst: 10 }
// Short: KV may show a key created in another location only after a while, and it must not stay refused long.
const REMEMBER_INVALID_MS = 10_000
/** Bounds on what an isolate remembers (oldest forgotten first), so hostile traffic cannot grow them. */
const MAX_ENTRIES = 10_000

const invalidKeys = new Map<string, number>()
const failuresByAddress = new Map<string, { bucket: TokenBucket; blockedUntil: number }>()

function remember<K, V>(map: Map<K, V>, key: K, value: V): void {
  map.delete(key)
  map.set(key, value)
  if (map.size > MAX_ENTRIES) map.delete(map.keys().next().value as K)
}

/** Throws 429 while the address is blocked. */
export function refuseBlockedAddress(headers: Headers, now = Date.now()): void {
  const address = headers.get('cf-connecting-ip')
  if (!address) return
  const entry = failuresByAddress.get(address)
  if (entry && entry.blockedUntil > now) {
    const seconds = Math.ceil((entry.blockedUntil - now) / 1000)
    throw new ApiError(429, 'RATE_LIMITED', `too many requests with invalid API keys from this address; retry in ${seconds} s`, {
      'Retry-After': String(seconds),
    })
  }
}

/** Whether this key hash was found invalid within the last 10 s. */
export function knownInvalid(hash: string, now = Date.now()): boolean {
  const until = invalidKeys.get(hash)
  if (until === undefined) return false
  if (until > now) return true
  invalidKeys.delete(hash)
  return false
}

/** Records a failed authentication of `hash` from the request's address. */
export function recordFailure(headers: Headers, hash: string | undefined, now = Date.now()): void {
  if (hash !== undefined) remember(invalidKeys, hash, now + REMEMBER_INVALID_MS)
  const address = headers.get('cf-connecting-ip')
  if (!address) return
  const entry = failuresByAddress.get(address) ?? { bucket: new TokenBucket(FAILED_AUTH_LIMIT, now), blockedUntil: 0 }
  const decision = entry.bucket.take(FAILED_AUTH_LIMIT, now)
  if (!decision.allowed) entry.blockedUntil = now + decision.retryAfterSeconds * 1000
  remember(failuresByAddress, address, entry)
}
