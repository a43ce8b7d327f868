/**
 * A lone UTF-16 surrogate cannot be encoded as UTF-8: encodeURIComponent throws URIError on it and
 * TextEncoder silently turns it into U+FFFD, so an id or text holding one would either crash a store or
 * be stored as a different string than the caller gave. In `u` mode a well-formed pair is one code point
 * (not in Cs), so this matches only lone halves.
 */
const LONE_SURROGATE = /\p{Cs}/u

export function hasLoneSurrogate(text: string): boolean {
  return LONE_SURROGATE.test(text)
}
