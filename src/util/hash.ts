import { sha256 } from '@noble/hashes/sha2.js'
import { bytesToHex } from '@noble/hashes/utils.js'

const encoder = new TextEncoder()

/** Hex SHA-256 of the UTF-8 text; synchronous and identical in every runtime (no crypto.subtle needed). */
export function sha256Hex(text: string): string {
  return bytesToHex(sha256(encoder.encode(text)))
}
