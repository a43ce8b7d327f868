import { type Payload, sha256Hex } from '../../src/internal.ts'

/**
 * Value tokens: for services whose records cannot carry arbitrary metadata fields as filterable fields
 * (a fixed index schema: Azure AI Search; a small filterable-metadata budget: S3 Vectors), each scalar
 * value of each payload field — or each scalar element of an array field — becomes one string in a
 * filterable list. Our `eq` (some element equals, same JSON type) is then list membership of one token,
 * which every such service evaluates exactly.
 *
 * A token is `<kind><length of the field name>:<field>=<value>` (`s5:color=red`, `n4:rank=7`,
 * `b4:done=true`): the length keeps `a=b`/`c` apart from `a`/`b=c`. A token longer than MAX_TOKEN_BYTES
 * is replaced by `<kind><length>:<field>#<first 128 bits of SHA-256 of the value, hex>`.
 */
export const MAX_TOKEN_BYTES = 64
const encoder = new TextEncoder()

export function valueToken(field: string, value: string | number | boolean): string {
  const kind = typeof value === 'string' ? 's' : typeof value === 'number' ? 'n' : 'b'
  const prefix = `${kind}${field.length}:${field}`
  const text = String(value)
  const token = `${prefix}=${text}`
  return encoder.encode(token).byteLength > MAX_TOKEN_BYTES ? `${prefix}#${sha256Hex(text).slice(0, 32)}` : token
}

const isScalar = (v: unknown): v is string | number | boolean => typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean'

/** Every token of a payload, deduplicated. */
export function payloadTokens(payload: Payload): string[] {
  const tokens = new Set<string>()
  for (const [field, value] of Object.entries(payload)) {
    if (isScalar(value)) tokens.add(valueToken(field, value))
    else if (Array.isArray(value)) for (const element of value) if (isScalar(element)) tokens.add(valueToken(field, element))
  }
  return [...tokens]
}
