import { ValidationError } from '../errors.ts'
import type { Json } from '../types.ts'
import { base64ToBytes, bytesToBase64 } from './bytes.ts'

/**
 * The opaque `nextCursor` of every VectorStore's `list`: JSON, as UTF-8, in URL-safe base64 (ids and
 * scope ids may be any Unicode; btoa alone throws on them). Stores define what the JSON holds and check
 * it on the way back in; a cursor that does not decode is a ValidationError.
 */
export function encodeListCursor(state: Json): string {
  return bytesToBase64(new TextEncoder().encode(JSON.stringify(state)), { url: true })
}

export function decodeListCursor<T extends Json>(cursor: string, isState: (value: unknown) => value is T): T {
  let value: unknown
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(base64ToBytes(cursor)))
  } catch {
    value = undefined
  }
  if (value !== undefined && isState(value)) return value
  throw new ValidationError(`invalid list cursor "${cursor}": pass back the nextCursor of a previous page unchanged`)
}
