import fc from 'fast-check'
import { ValidationError } from '../../../src/errors.ts'
import { base64ToBytes, bytesEqual, bytesToBase64, concatBytes } from '../../../src/util/bytes.ts'
import { decodeListCursor, encodeListCursor } from '../../../src/util/list-cursor.ts'
import { describe, expect, it } from '../../harness.ts'

describe('bytes', () => {
  it('base64 and base64url round-trip any bytes and match the RFC 4648 test vectors', () => {
    const vectors: [string, string][] = [
      ['', ''],
      ['f', 'Zg=='],
      ['fo', 'Zm8='],
      ['foo', 'Zm9v'],
      ['foob', 'Zm9vYg=='],
      ['fooba', 'Zm9vYmE='],
      ['foobar', 'Zm9vYmFy'],
    ]
    for (const [text, base64] of vectors) {
      const bytes = new TextEncoder().encode(text)
      expect(bytesToBase64(bytes)).toBe(base64)
      expect(bytesToBase64(bytes, { url: true })).toBe(base64.replace(/=+$/, ''))
      expect(new TextDecoder().decode(base64ToBytes(base64))).toBe(text)
    }
    expect(bytesToBase64(Uint8Array.of(0xfb, 0xff), { url: true })).toBe('-_8')
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 70_000 }), fc.boolean(), (bytes, url) =>
        bytesEqual(base64ToBytes(bytesToBase64(bytes, { url })), bytes),
      ),
      { numRuns: 50 },
    )
    expect(() => base64ToBytes('a')).toThrow()
  })

  it('compares and concatenates', () => {
    expect(bytesEqual(null, null)).toBe(true)
    expect(bytesEqual(Uint8Array.of(1), null)).toBe(false)
    expect(bytesEqual(Uint8Array.of(1, 2), Uint8Array.of(1, 2))).toBe(true)
    expect(bytesEqual(Uint8Array.of(1, 2), Uint8Array.of(1, 3))).toBe(false)
    expect(bytesEqual(Uint8Array.of(1), Uint8Array.of(1, 2))).toBe(false)
    expect([...concatBytes([Uint8Array.of(1), Uint8Array.of(), Uint8Array.of(2, 3)])]).toEqual([1, 2, 3])
  })
})

describe('list cursors', () => {
  const isPair = (v: unknown): v is [string, string] => Array.isArray(v) && v.length === 2 && v.every((x) => typeof x === 'string')

  it('carry any Unicode in URL-safe characters and reject what they did not make', () => {
    for (const state of [
      ['u.%D0%B8%D0%B4', 'ид-1'],
      ['', ''],
      ['😀', 'a/b+c=d'],
    ] as [string, string][]) {
      const cursor = encodeListCursor(state)
      expect(cursor).toMatch(/^[A-Za-z0-9_-]*$/)
      expect(decodeListCursor(cursor, isPair)).toEqual(state)
    }
    for (const bad of ['', 'garbage', encodeListCursor([1, 2]), encodeListCursor({ c: null }), '%%%'])
      expect(() => decodeListCursor(bad, isPair), bad).toThrow(ValidationError)
    // Cursors written before the shared codec (btoa of ASCII JSON, padding stripped) still read.
    expect(decodeListCursor(btoa(JSON.stringify(['u.bob', 'rec-1'])).replace(/=+$/, ''), isPair)).toEqual(['u.bob', 'rec-1'])
  })
})
