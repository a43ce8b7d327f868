/**
 * npm run bench:cold-reload — how long a 10k-memory hnsw store takes to come back cold, and what it
 * costs to keep:
 *   - Chromium + IndexedDB: filled in one document, then the page is reloaded (a new document, nothing
 *     in JS memory) and `new Memory()` → first search is timed in the page;
 *   - Workers KV: the Worker (STORAGE_MODE=kv) under `wrangler dev` with persisted local KV is filled
 *     over the REST API, stopped, and started again over the same state (a new workerd process and
 *     isolate); the first POST /search is timed from outside.
 * Vectors: the deterministic hash embedder (in the page; for the Worker, through the local
 * OpenAI-compatible test server), so model loading is not part of the numbers.
 */
import type { ColdReloadBench } from './cold-reload/browser-entry.ts'
import * as esbuild from 'esbuild'
import { readFile, readdir, rm, stat, mkdtemp } from 'node:fs/promises'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { loadavg, tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium } from 'playwright-core'
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../test/chromium.ts'
import { startOpenAITestServer } from '../test/servers/openai.ts'
import { startWranglerDev } from '../test/worker-smoke/wrangler-dev.ts'
import { ms, writeSection } from './report.ts'

const ROOT = fileURLToPath(new URL('../', import.meta.url))
const COUNT = 10_000
const RUNS = 3
const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!
const sentences = Array.from(
  { length: COUNT },
  (_, i) => `note ${i}: ${['tea', 'hiking', 'chess', 'jazz', 'sushi'][i % 5]} in ${['Lyon', 'Oslo', 'Lima'][i % 3]} with friend ${i % 97}`,
)

async function inChromium(): Promise<{ cold: number[]; warm: number; bytes: number }> {
  const bundle = await esbuild.build({
    entryPoints: [join(ROOT, 'bench/cold-reload/browser-entry.ts')],
    bundle: true,
    platform: 'browser',
    format: 'esm',
    write: false,
    logLevel: 'error',
  })
  const files = new Map<string, { body: Uint8Array | string; type: string }>([
    ['/', { body: '<!doctype html><script type="module" src="/bench.js"></script>', type: 'text/html' }],
    ['/bench.js', { body: bundle.outputFiles[0]!.contents, type: 'text/javascript' }],
    ['/hnswlib.wasm', { body: await readFile(join(ROOT, 'generated/hnswlib/hnswlib.wasm')), type: 'application/wasm' }],
  ])
  const server = createServer((req, res) => {
    const file = files.get(new URL(req.url ?? '/', 'http://x').pathname)
    if (!file) return void res.writeHead(404).end()
    res.writeHead(200, { 'content-type': file.type }).end(file.body)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS })
  try {
    const page = await browser.newPage()
    const ready = async (): Promise<void> => {
      await page.goto(url)
      await page.waitForFunction(() => 'bench' in globalThis)
    }
    await ready()
    const bytes = await page.evaluate(([n, s]) => (globalThis as unknown as { bench: ColdReloadBench }).bench.fill('cold-reload', n, s), [
      COUNT,
      sentences,
    ] as const)
    const cold: number[] = []
    let warm = 0
    for (let run = 0; run < RUNS; run++) {
      await ready() // a new document: nothing of the store survives in JS memory
      const result = await page.evaluate(() =>
        (globalThis as unknown as { bench: ColdReloadBench }).bench.coldSearch('cold-reload', 'chess in Oslo'),
      )
      if (result.hits === 0) throw new Error('the reloaded store found nothing')
      cold.push(result.coldMs)
      warm = result.warmMs
    }
    return { cold, warm, bytes }
  } finally {
    await browser.close()
    server.close()
  }
}

async function directoryBytes(dir: string): Promise<number> {
  let total = 0
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) total += (await stat(join(entry.parentPath, entry.name))).size
  }
  return total
}

async function inWorkersKv(): Promise<{ cold: number[]; warm: number; bytes: number }> {
  const openai = await startOpenAITestServer({ dimensions: 384 })
  const state = await mkdtemp(join(tmpdir(), 'edgemem-cold-kv-'))
  const vars = {
    STORAGE_MODE: 'kv',
    ADMIN_KEY: 'cold-reload-admin-key-0123456789',
    EMBEDDING_BASE_URL: openai.baseURL,
    RATE_LIMIT_PER_MINUTE: '0',
  }
  try {
    const before = await directoryBytes(state)
    const filler = await startWranglerDev(vars, { stateDir: state })
    let key: string
    try {
      const created = await fetch(`${filler.url}/admin/keys`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${vars.ADMIN_KEY}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ tenant: 'cold' }),
      })
      key = ((await created.json()) as { key: string }).key
      for (let i = 0; i < COUNT; i += 50) {
        const messages = sentences.slice(i, i + 50).map((content) => ({ role: 'user', content }))
        const response = await fetch(`${filler.url}/memories`, {
          method: 'POST',
          headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' },
          body: JSON.stringify({ messages, user_id: 'cold', infer: false }),
        })
        if (!response.ok) throw new Error(`add failed: ${response.status} ${await response.text()}`)
      }
    } finally {
      await filler.stop()
    }
    const bytes = (await directoryBytes(state)) - before
    const cold: number[] = []
    let warm = 0
    for (let run = 0; run < RUNS; run++) {
      const dev = await startWranglerDev(vars, { stateDir: state })
      try {
        const search = async (query: string): Promise<number> => {
          const started = performance.now()
          const response = await fetch(`${dev.url}/search`, {
            method: 'POST',
            headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' },
            body: JSON.stringify({ query, user_id: 'cold' }),
          })
          const body = (await response.json()) as { results?: unknown[] }
          if (!response.ok || !body.results?.length)
            throw new Error(`search failed: ${response.status} ${JSON.stringify(body).slice(0, 200)}`)
          return performance.now() - started
        }
        cold.push(await search('chess in Oslo'))
        warm = await search('jazz in Lima')
      } finally {
        await dev.stop()
      }
    }
    return { cold, warm, bytes }
  } finally {
    await openai.close()
    await rm(state, { recursive: true, force: true })
  }
}

const browser = await inChromium()
console.log('chromium', browser)
const kv = await inWorkersKv()
console.log('kv', kv)

const row = (where: string, r: { cold: number[]; warm: number; bytes: number }, note: string): string =>
  `| ${where} | ${ms(median(r.cold))} ms (${r.cold.map((v) => ms(v)).join(', ')}) | ${ms(r.warm)} ms | ${Math.round(r.bytes / COUNT)} | ${note} |`
await writeSection(
  'Cold reload of a 10k-memory store',
  `\`npm run bench:cold-reload\` (bench/cold-reload.bench.ts): one scope of ${COUNT.toLocaleString('en')} memories in the
default \`hnsw\` store (384-d, hybrid on), reopened from storage with nothing in memory; "cold" is open →
first search returns, median of ${RUNS} (all runs in brackets); "warm" is the next search. Vectors from the
hash embedder, so no model load is included. Load average at the end: ${loadavg()[0]!.toFixed(2)} (2 shared cores).

| storage | cold: open → first search | warm search | stored bytes / memory | measured |
|---|---|---|---|---|
${row('IndexedDB (Chromium)', browser, 'in the page, after a reload (new document)')}
${row('Workers KV (the Worker, STORAGE_MODE=kv)', kv, 'first POST /search from outside, after restarting wrangler dev over the same persisted KV; includes embedding the query over HTTP and the request path')}

Stored bytes per memory include the records (float32 vectors and JSON payloads), the HNSW graph and keyword
index snapshots, the log since the last compaction and id pointers; for KV, also Miniflare's own SQLite
metadata for the keys.`,
)
