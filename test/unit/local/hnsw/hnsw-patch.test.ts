import { execFileSync } from 'node:child_process'
import { readFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { DISTANCE_FUNCTION, LOADER_PATCHES, patchLoader, patchWasm, PatchError } from '../../../../scripts/hnswlib/patches.mjs'
import { simdInnerProductDistanceBody } from '../../../../scripts/hnswlib/simd-inner-product.mjs'
import { encodeName, encodeSection, encodeU32, WASM_HEADER } from '../../../../src/local/wasm-encoding.ts'
import { readCodeBodies, readFunctionNames, readSections, countFunctionImports } from '../../../../scripts/hnswlib/wasm-binary.mjs'
import { describe, expect, it } from '../../../harness.ts'

const pkgDir = dirname(createRequire(import.meta.url).resolve('hnswlib-wasm-static/package.json'))
const pristineLoader = (): Promise<string> => readFile(join(pkgDir, 'lib', 'hnswlib.mjs'), 'utf8')
const pristineWasm = async (): Promise<Uint8Array> => new Uint8Array(await readFile(join(pkgDir, 'lib', 'hnswlib.wasm')))

/** A module holding only the SIMD distance body, exported as `d`, with one page of memory `m`. */
function kernelModule(): Uint8Array<ArrayBuffer> {
  const body = simdInnerProductDistanceBody()
  return Uint8Array.from([
    ...WASM_HEADER,
    ...encodeSection(1, [1, 0x60, 3, 0x7f, 0x7f, 0x7f, 1, 0x7d]),
    ...encodeSection(3, [1, 0]),
    ...encodeSection(5, [1, 0x00, 1]),
    ...encodeSection(7, [2, ...encodeName('d'), 0x00, 0, ...encodeName('m'), 0x02, 0]),
    ...encodeSection(10, [1, ...encodeU32(body.length), ...body]),
  ])
}

describe('hnswlib build-time patch', () => {
  it('applies every loader patch exactly once and refuses a file without the anchors', async () => {
    const source = await pristineLoader()
    const patched = patchLoader(source, '// header')
    expect(patched.startsWith('// header\n')).toBe(true)
    for (const patch of LOADER_PATCHES) {
      expect(source.split(patch.find).length - 1).toBe(1)
      expect(patched.split(patch.replace).length - 1).toBe(1)
      if (!patch.replace.includes(patch.find)) expect(patched).not.toContain(patch.find)
    }
    expect(() => patchLoader(patched, '')).toThrow(PatchError)
    expect(() => patchLoader(source.replace('function syncIdb_js', 'function syncIdbJs'), '')).toThrow(/exactly one occurrence/)
  })

  it('replaces only the inner-product distance body and keeps the module valid', async () => {
    const original = await pristineWasm()
    const patched = patchWasm(original)
    expect(WebAssembly.validate(patched)).toBe(true)
    const before = readSections(original)
    const after = readSections(patched)
    const imported = countFunctionImports(before)
    const index = [...readFunctionNames(before)].find(([, n]) => n === DISTANCE_FUNCTION)![0] - imported
    const oldBodies = readCodeBodies(before)
    const newBodies = readCodeBodies(after)
    expect(newBodies.length).toBe(oldBodies.length)
    let changed = 0
    oldBodies.forEach((body, i) => {
      if (Buffer.compare(Buffer.from(body), Buffer.from(newBodies[i]!)) !== 0) changed++
    })
    expect(changed).toBe(1)
    expect(Array.from(newBodies[index]!)).toEqual(Array.from(simdInnerProductDistanceBody()))
    expect(after.some((s) => s.id === 0 && s.name === 'sourceMappingURL')).toBe(false)
    // A second application finds the SIMD body instead of the scalar one and refuses.
    expect(() => patchWasm(patched)).toThrow(PatchError)
  })

  it('computes 1 - <a, b> for every dimension, including the 4-wide and scalar tails', async () => {
    const { instance } = await WebAssembly.instantiate(kernelModule())
    const { d, m } = instance.exports as { d: (a: number, b: number, dimPtr: number) => number; m: WebAssembly.Memory }
    const f32 = new Float32Array(m.buffer)
    const u32 = new Uint32Array(m.buffer)
    for (let dim = 0; dim <= 70; dim++) {
      const a = Float32Array.from({ length: dim }, (_, i) => Math.sin(i + dim) / 3)
      const b = Float32Array.from({ length: dim }, (_, i) => Math.cos(2 * i - dim) / 5)
      // Unaligned on purpose: hnswlib's vectors sit after the link lists at any 4-byte offset.
      f32.set(a, 1)
      f32.set(b, 1001)
      u32[3000] = dim
      let exact = 0
      for (let i = 0; i < dim; i++) exact += a[i]! * b[i]!
      expect(d(4, 4004, 12000)).toBeCloseTo(1 - exact, 5)
    }
  })

  it('is idempotent: a second run leaves generated/hnswlib alone', () => {
    const script = new URL('../../../../scripts/patch-hnswlib.mjs', import.meta.url).pathname
    execFileSync(process.execPath, [script, '--quiet'])
    expect(execFileSync(process.execPath, [script]).toString()).toMatch(/up to date/)
  })
})
