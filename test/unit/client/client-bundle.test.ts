import * as esbuild from 'esbuild'
import { gzipSync } from 'node:zlib'
import { describe, expect, it } from 'vitest'

// edgemem/client bundled for the browser as an app bundler would: fetch-only, none of the core's
// engines or providers, small (docs/client.md).
describe('edgemem/client bundle', () => {
  it('is fetch-only and small: none of the core engines, providers or Node APIs', async () => {
    const result = await esbuild.build({
      entryPoints: ['src/client/index.ts'],
      bundle: true,
      platform: 'browser',
      format: 'esm',
      write: false,
      minify: true,
      metafile: true,
      logLevel: 'silent',
    })
    const inputs = Object.keys(result.metafile.inputs)
    expect(inputs.filter((i) => /src\/(memory|local|providers|filters|registry)|node:|openai/.test(i))).toEqual([])
    const code = result.outputFiles[0]!.text
    expect(code.match(/\bprocess\s*\.\s*\w+|\bBuffer\b|\brequire\s*\(|__dirname/g) ?? []).toEqual([])
    const gzipped = gzipSync(code).length
    expect(gzipped).toBeLessThan(30 * 1024)
  }, 60_000)
})
