/**
 * Byte helpers shared by the core, the adapters and the Worker. Base64 is written out once here:
 * `Uint8Array.prototype.toBase64` is not in every runtime edgemem supports yet, `Buffer` is Node-only,
 * and btoa/atob only take Latin-1 strings (so UTF-8 text must go through bytes first).
 */

export function bytesEqual(a: Uint8Array | null, b: Uint8Array | null): boolean {
  if (a === null || b === null) return a === b
  if (a.byteLength !== b.byteLength) return false
  for (let i = 0; i < a.byteLength; i++) if (a[i] !== b[i]) return false
  return true
}

/** One array holding the parts in order (the part itself when there is only one). */
export function concatBytes<B extends ArrayBufferLike>(parts: readonly Uint8Array<B>[]): Uint8Array<B | ArrayBuffer> {
  if (parts.length === 1) return parts[0]!
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0))
  let at = 0
  for (const part of parts) {
    out.set(part, at)
    at += part.byteLength
  }
  return out
}

/** Base64 (RFC 4648 §4), or with `url` its URL-safe alphabet without padding (§5). */
export function bytesToBase64(bytes: Uint8Array, options: { url?: boolean } = {}): string {
  let binary = ''
  // Chunks keep the argument list of fromCharCode well below engine limits.
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000))
  const base64 = btoa(binary)
  return options.url ? base64.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '') : base64
}

/** Reads either alphabet, padded or not; throws a DOMException (InvalidCharacterError) on anything else. */
export function base64ToBytes(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'))
  const bytes = new Uint8Array(binary.length)
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i)
  return bytes
}
