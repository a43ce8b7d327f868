/**
 * A Vite-built browser app that uses the hnsw index: `vite build` resolves `#hnswlib/wasm` through the
 * `browser` condition and emits the .wasm as an asset from `new URL(..., import.meta.url)`; the built
 * files, served over HTTP, run in Chromium and answer a search.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { extname, join, resolve } from 'node:path'
import { chromium } from 'playwright-core'
import { build } from 'vite'
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../../../chromium.ts'
import { afterAll, describe, expect, it } from '../../../harness.ts'

const ROOT = resolve(import.meta.dirname, '../../../..')
const work = mkdtempSync(join(tmpdir(), 'edgemem-vite-'))
let server: Server | undefined

afterAll(async () => {
  await new Promise((done) => (server ? server.close(done) : done(undefined)))
  rmSync(work, { recursive: true, force: true })
})

const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.wasm': 'application/wasm' }

describe('hnsw index in a Vite-built app', () => {
  it('emits the wasm as an asset and searches in Chromium', async () => {
    writeFileSync(join(work, 'index.html'), '<!doctype html><title>app</title><script type="module" src="./main.ts"></script>')
    writeFileSync(
      join(work, 'main.ts'),
      `import { createHnswIndexFactory } from ${JSON.stringify(join(ROOT, 'src/local/hnsw/index.ts'))}
const index = await createHnswIndexFactory().create(3, 8)
index.add(10, Float32Array.of(1, 0, 0))
index.add(11, Float32Array.of(0, 1, 0))
const { slots, scores } = index.search(Float32Array.of(0.1, 0.99, 0), 1)
;(globalThis as any).result = { slot: slots[0], score: Math.round(scores[0] * 1000) / 1000 }
`,
    )
    await build({ root: work, logLevel: 'silent', build: { outDir: join(work, 'dist'), target: 'es2022' }, configFile: false })
    const assets = readdirSync(join(work, 'dist', 'assets'))
    const wasm = assets.find((f) => f.endsWith('.wasm'))
    expect(wasm).toMatch(/^hnswlib-.*\.wasm$/)
    const js = assets
      .filter((f) => f.endsWith('.js'))
      .map((f) => readFileSync(join(work, 'dist', 'assets', f), 'utf8'))
      .join('\n')
    expect(js.includes(wasm!)).toBe(true)
    // The browser variant was chosen (its chunk is emitted) and no Node module is imported anywhere.
    expect(assets.some((f) => f.startsWith('wasm.fetch-'))).toBe(true)
    expect(assets.some((f) => f.startsWith('wasm.node-') || f.startsWith('wasm.workerd-'))).toBe(false)
    expect(/["'`]node:[a-z]/.test(js)).toBe(false)

    server = createServer((req, res) => {
      const path = join(work, 'dist', req.url === '/' ? 'index.html' : req.url!.split('?')[0]!)
      try {
        const body = readFileSync(path)
        res.setHeader('content-type', TYPES[extname(path)] ?? 'application/octet-stream')
        res.end(body)
      } catch {
        res.statusCode = 404
        res.end()
      }
    })
    await new Promise<void>((done) => server!.listen(0, '127.0.0.1', done))
    const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true })
    try {
      const page = await browser.newPage()
      await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`)
      const result = await page.waitForFunction(() => (globalThis as { result?: unknown }).result, undefined, { timeout: 30_000 })
      expect(await result.jsonValue()).toEqual({ slot: 11, score: 0.99 })
    } finally {
      await browser.close()
    }
  }, 120_000)
})
