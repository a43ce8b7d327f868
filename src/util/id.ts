/**
 * Random UUIDv4. crypto.randomUUID exists only in secure contexts in browsers; getRandomValues exists
 * everywhere (browsers, workerd, Deno, Bun, Node), so build the UUID from it.
 */
export function uuidv4(): string {
  const b = crypto.getRandomValues(new Uint8Array(16))
  b[6] = (b[6]! & 0x0f) | 0x40
  b[8] = (b[8]! & 0x3f) | 0x80
  let hex = ''
  for (const byte of b) hex += byte.toString(16).padStart(2, '0')
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
}
