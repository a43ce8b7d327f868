// Minimal reader/writer for the WebAssembly binary format: just enough to find a function by its
// debug name and replace its body. Used at build time by patch-hnswlib.mjs (never at run time). The
// encoders are the core's own (src/local/wasm-encoding.ts, also used by the int8 kernel).
import { concatBytes as concat } from '../../src/util/bytes.ts'
import { encodeS32, encodeU32, WASM_HEADER } from '../../src/local/wasm-encoding.ts'

export { concat, encodeS32, encodeU32 }

export function readU32(bytes, offset) {
  let result = 0
  let shift = 0
  let pos = offset
  for (;;) {
    const byte = bytes[pos++]
    result |= (byte & 0x7f) << shift
    if ((byte & 0x80) === 0) break
    shift += 7
  }
  return { value: result >>> 0, next: pos }
}

const decoder = new TextDecoder()

/** Splits a module into its sections (id, payload bytes, custom-section name). */
export function readSections(bytes) {
  const magic = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]
  magic.forEach((b, i) => {
    if (bytes[i] !== b) throw new Error('not a WebAssembly version 1 binary')
  })
  const sections = []
  let pos = 8
  while (pos < bytes.length) {
    const id = bytes[pos++]
    const size = readU32(bytes, pos)
    const start = size.next
    const payload = bytes.subarray(start, start + size.value)
    let name
    if (id === 0) {
      const len = readU32(payload, 0)
      name = decoder.decode(payload.subarray(len.next, len.next + len.value))
    }
    sections.push({ id, name, payload })
    pos = start + size.value
  }
  return sections
}

export function writeModule(sections) {
  const parts = [Uint8Array.from(WASM_HEADER)]
  for (const section of sections) {
    parts.push(Uint8Array.of(section.id, ...encodeU32(section.payload.length)), section.payload)
  }
  return concat(parts)
}

function skipLimits(bytes, pos) {
  const flags = bytes[pos++]
  pos = readU32(bytes, pos).next
  if (flags & 1) pos = readU32(bytes, pos).next
  return pos
}

/** Number of imported functions (they come first in the function index space). */
export function countFunctionImports(sections) {
  const section = sections.find((s) => s.id === 2)
  if (!section) return 0
  const bytes = section.payload
  let { value: count, next: pos } = readU32(bytes, 0)
  let functions = 0
  for (let i = 0; i < count; i++) {
    for (let j = 0; j < 2; j++) {
      const len = readU32(bytes, pos)
      pos = len.next + len.value
    }
    const kind = bytes[pos++]
    if (kind === 0) {
      pos = readU32(bytes, pos).next
      functions++
    } else if (kind === 1) pos = skipLimits(bytes, pos + 1)
    else if (kind === 2) pos = skipLimits(bytes, pos)
    else if (kind === 3) pos += 2
    else if (kind === 4) pos = readU32(bytes, pos + 1).next
    else throw new Error(`unknown import kind ${kind}`)
  }
  return functions
}

/** Function index → debug name, from the "name" custom section. */
export function readFunctionNames(sections) {
  const section = sections.find((s) => s.id === 0 && s.name === 'name')
  const names = new Map()
  if (!section) return names
  const bytes = section.payload
  let pos = readU32(bytes, 0)
  pos = pos.next + pos.value
  while (pos < bytes.length) {
    const sub = bytes[pos++]
    const size = readU32(bytes, pos)
    let p = size.next
    if (sub === 1) {
      const count = readU32(bytes, p)
      p = count.next
      for (let i = 0; i < count.value; i++) {
        const index = readU32(bytes, p)
        const len = readU32(bytes, index.next)
        names.set(index.value, decoder.decode(bytes.subarray(len.next, len.next + len.value)))
        p = len.next + len.value
      }
    }
    pos = size.next + size.value
  }
  return names
}

/** The signature of a defined function as text, e.g. "(i32 i32 i32) -> (f32)". */
export function functionSignature(sections, definedIndex) {
  const functions = sections.find((s) => s.id === 3).payload
  let { next: pos } = readU32(functions, 0)
  let typeIndex = 0
  for (let i = 0; i <= definedIndex; i++) {
    const t = readU32(functions, pos)
    typeIndex = t.value
    pos = t.next
  }
  const types = sections.find((s) => s.id === 1).payload
  pos = readU32(types, 0).next
  const valtype = { 127: 'i32', 126: 'i64', 125: 'f32', 124: 'f64', 123: 'v128' } // 0x7f, 0x7e, 0x7d, 0x7c, 0x7b
  for (let i = 0; ; i++) {
    if (types[pos++] !== 0x60) throw new Error('unsupported type section entry')
    const read = () => {
      const n = readU32(types, pos)
      pos = n.next
      const list = []
      for (let k = 0; k < n.value; k++) list.push(valtype[types[pos++]] ?? '?')
      return list
    }
    const params = read()
    const results = read()
    if (i === typeIndex) return `(${params.join(' ')}) -> (${results.join(' ')})`
  }
}

/** Bodies of the code section, in defined-function order. */
export function readCodeBodies(sections) {
  const bytes = sections.find((s) => s.id === 10).payload
  let { value: count, next: pos } = readU32(bytes, 0)
  const bodies = []
  for (let i = 0; i < count; i++) {
    const size = readU32(bytes, pos)
    bodies.push(bytes.subarray(size.next, size.next + size.value))
    pos = size.next + size.value
  }
  return bodies
}

export function writeCodeSection(bodies) {
  const parts = [Uint8Array.from(encodeU32(bodies.length))]
  for (const body of bodies) parts.push(Uint8Array.from(encodeU32(body.length)), body)
  return concat(parts)
}
