/**
 * The few pieces of the WebAssembly binary format edgemem writes by hand: LEB128 integers, sections,
 * names. Used at run time by the int8 kernel (int8-rows.ts) and at build time by the hnswlib patch
 * (scripts/hnswlib/), so both assemble bytes the same way.
 */

export const WASM_HEADER: readonly number[] = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]

/** Unsigned LEB128 of a 32-bit value. */
export function encodeU32(value: number): number[] {
  const out: number[] = []
  let v = value >>> 0
  do {
    let byte = v & 0x7f
    v >>>= 7
    if (v !== 0) byte |= 0x80
    out.push(byte)
  } while (v !== 0)
  return out
}

/** Signed LEB128 of a 32-bit value. */
export function encodeS32(value: number): number[] {
  const out: number[] = []
  let v = value | 0
  for (;;) {
    const byte = v & 0x7f
    v >>= 7
    const done = (v === 0 && (byte & 0x40) === 0) || (v === -1 && (byte & 0x40) !== 0)
    out.push(done ? byte : byte | 0x80)
    if (done) return out
  }
}

/** A section: its id, the content's length, the content. */
export function encodeSection(id: number, content: readonly number[]): number[] {
  return [id, ...encodeU32(content.length), ...content]
}

/** A name (import, export): its length and its ASCII bytes. */
export function encodeName(name: string): number[] {
  return [...encodeU32(name.length), ...Array.from(name, (c) => c.charCodeAt(0))]
}
