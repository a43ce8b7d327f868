/**
 * Real QuotaExceededError from Chromium's IndexedDB: the vitest browser project runs in an off-the-record
 * context whose in-memory IndexedDB does no quota accounting, so this test drives a persistent Chromium
 * profile with Playwright, lowers the origin's quota over CDP and runs the bundled driver in the page.
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { build } from 'esbuild'
import { chromium, type BrowserContext, type Page } from 'playwright-core'
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../../../chromium.ts'
import { afterAll, beforeAll, describe, expect, it } from '../../../harness.ts'

const ROOT = resolve(import.meta.dirname, '../../../..')
let server: Server
let context: BrowserContext
let page: Page
let origin: string
let profileDir: string

beforeAll(async () => {
  const bundled = await build({
    entryPoints: [join(ROOT, 'src/providers/storage/indexeddb.ts')],
    bundle: true,
    platform: 'browser',
    format: 'iife',
    globalName: 'edgememIndexedDb',
    target: 'es2022',
    write: false,
    logLevel: 'silent',
  })
  const script = bundled.outputFiles[0]!.text
  server = createServer((req, res) => {
    if (req.url === '/driver.js') {
      res.setHeader('content-type', 'text/javascript')
      res.end(script)
    } else {
      res.setHeader('content-type', 'text/html')
      res.end('<!doctype html><title>quota</title><script src="/driver.js"></script>')
    }
  })
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done))
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  profileDir = mkdtempSync(join(tmpdir(), 'edgemem-quota-'))
  context = await chromium.launchPersistentContext(profileDir, { executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, headless: true })
  page = await context.newPage()
  await page.goto(origin)
  const cdp = await context.newCDPSession(page)
  await cdp.send('Storage.overrideQuotaForOrigin', { origin, quotaSize: 2 * 1024 * 1024 })
}, 120_000)

afterAll(async () => {
  await context?.close()
  await new Promise((done) => server?.close(done))
  if (profileDir) rmSync(profileDir, { recursive: true, force: true })
})

describe('indexeddb storage under a real quota (persistent Chromium profile)', () => {
  it('turns QuotaExceededError into StorageError and stores nothing of the failed batch', async () => {
    const outcome = await page.evaluate(async () => {
      type Store = import('../../../../src/providers/storage/indexeddb.ts').IndexedDbStorage
      const { IndexedDbStorage } = (
        globalThis as unknown as { edgememIndexedDb: typeof import('../../../../src/providers/storage/indexeddb.ts') }
      ).edgememIndexedDb
      const store: Store = new IndexedDbStorage({ dbName: 'quota-test' })
      const chunk = (fill: number): Uint8Array => new Uint8Array(60 * 1024).fill(fill)
      await store.set('before', chunk(1))
      // 40 x 60 KiB in one transaction: more than the 2 MiB quota (values this small are stored inline,
      // where Chromium enforces quota on commit).
      const ops = Array.from({ length: 40 }, (_, i) => ({ key: `batch/${String(i).padStart(2, '0')}`, value: chunk(i) }))
      ops.splice(20, 0, { key: 'before', value: null as unknown as Uint8Array })
      const error = await store.batch(ops).then(
        () => null,
        (err: { name: string; code: string; message: string; cause?: { name?: string } }) => ({
          name: err.name,
          code: err.code,
          message: err.message,
          cause: err.cause?.name,
        }),
      )
      const keys = await store.list('')
      // The store stays usable: what was stored before is intact.
      const before = (await store.get('before'))?.[0]
      await store.close()
      return { error, keys, before }
    })
    expect(outcome.error).toEqual({
      name: 'StorageError',
      code: 'STORAGE',
      message: expect.stringMatching(/quota exceeded during batch of 41 writes .*nothing from this write was stored/),
      cause: expect.stringMatching(/QuotaExceededError|AbortError/),
    })
    expect(outcome.keys).toEqual(['before'])
    expect(outcome.before).toBe(1)
  }, 60_000)
})
