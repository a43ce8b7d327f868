/**
 * npm run bench:embed — the transformers embedder's sentences/s (one text per call, and all 64 in one
 * call) and cold load time, for both stand-in models, in Node (onnxruntime-node) and in Debian's
 * Chromium (onnxruntime-web, WASM) driven by playwright-core. Each Node measurement runs in a fresh
 * process and each Chromium one in a fresh browser context, so every load is cold (no module or
 * model state, no browser cache). Writes the "Embeddings" section of BENCHMARKS.md.
 *
 *   node bench/embedder.bench.ts [--runs N] [--no-chromium] [--no-write]
 *   node bench/embedder.bench.ts --child <model>     (internal: one Node measurement, prints JSON)
 */
import { execFileSync } from 'node:child_process'
import { readFile, rm } from 'node:fs/promises'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { loadavg } from 'node:os'
import { extname, join, normalize } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'
import { chromium } from 'playwright-core'
import { CHROMIUM_ARGS, CHROMIUM_PATH } from '../test/chromium.ts'
import { WORDNET_MODEL } from '../test/support/models.ts'
import { RANDOM_MINILM_MODEL, sharedModelsDir } from './shared-dir.ts'
import { type EmbedBenchResult, measureEmbedder } from './embedder-measure.ts'
import { writeSection } from './report.ts'

const repo = fileURLToPath(new URL('../', import.meta.url))
const MODELS = [RANDOM_MINILM_MODEL, WORDNET_MODEL]
const args = process.argv.slice(2)
const flag = (name: string): boolean => args.includes(name)
const option = (name: string, fallback: number): number => {
  const i = args.indexOf(name)
  return i >= 0 ? Number(args[i + 1]) : fallback
}

if (flag('--child')) {
  const model = args[args.indexOf('--child') + 1]!
  const result = await measureEmbedder({ model, localModelPath: sharedModelsDir(), allowRemoteModels: false })
  console.log(JSON.stringify(result))
  process.exit(0)
}

const runs = option('--runs', 3)

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}

interface Row {
  model: string
  runs: EmbedBenchResult[]
}

function nodeRuns(model: string): EmbedBenchResult[] {
  return Array.from({ length: runs }, () => {
    const out = execFileSync(process.execPath, [fileURLToPath(import.meta.url), '--child', model], {
      cwd: repo,
      encoding: 'utf8',
      timeout: 300_000,
    })
    return JSON.parse(out.trim().split('\n').at(-1)!) as EmbedBenchResult
  })
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.mjs': 'text/javascript',
  '.wasm': 'application/wasm',
  '.json': 'application/json',
}

/** Serves the page, its bundle, the models (/models/) and onnxruntime-web's dist (/ort/) from one origin. */
async function serve(bundleDir: string): Promise<{ url: string; close: () => Promise<void> }> {
  const roots: Record<string, string> = {
    '/models/': sharedModelsDir(),
    '/ort/': join(repo, 'node_modules/onnxruntime-web/dist/'),
    '/': bundleDir,
  }
  const server = createServer(async (req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname)
    if (path === '/') {
      res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><script type="module" src="/embedder.browser.js"></script>')
      return
    }
    const prefix = Object.keys(roots).find((p) => path.startsWith(p))!
    const file = normalize(join(roots[prefix]!, path.slice(prefix.length)))
    const body = file.startsWith(roots[prefix]!) ? await readFile(file).catch(() => undefined) : undefined
    if (!body) {
      res.writeHead(404).end()
      return
    }
    res
      .writeHead(200, { 'content-type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream', 'content-length': body.length })
      .end(body)
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise((resolve) => server.close(() => resolve())) }
}

async function chromiumRuns(): Promise<{ rows: Row[]; version: string }> {
  const bundleDir = join(repo, 'bench/.cache/embedder-browser')
  await rm(bundleDir, { recursive: true, force: true })
  await build({
    entryPoints: [join(repo, 'bench/embedder.browser.ts')],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    outdir: bundleDir,
    logLevel: 'silent',
  })
  const server = await serve(bundleDir)
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS })
  try {
    const rows: Row[] = []
    for (const model of MODELS) {
      const results: EmbedBenchResult[] = []
      for (let run = 0; run < runs; run++) {
        // A new context has an empty cache: the wasm runtime and the model are fetched and compiled again.
        const context = await browser.newContext()
        const page = await context.newPage()
        await page.goto(server.url)
        await page.waitForFunction(() => 'runEmbedBench' in globalThis)
        results.push(
          await page.evaluate(
            (options) =>
              (globalThis as unknown as { runEmbedBench: (o: typeof options) => Promise<EmbedBenchResult> }).runEmbedBench(options),
            { model, localModelPath: '/models/', allowRemoteModels: false, wasmPaths: '/ort/' },
          ),
        )
        await context.close()
      }
      rows.push({ model, runs: results })
    }
    return { rows, version: browser.version() }
  } finally {
    await browser.close()
    await server.close()
  }
}

function table(rows: Row[]): string {
  const lines = ['| model | cold load (median, range) | single, sentences/s | batched, sentences/s |', '|---|---|---|---|']
  for (const { model, runs: results } of rows) {
    const load = results.map((r) => r.loadMs)
    const single = results.map((r) => r.singlePerSec)
    const batched = results.map((r) => r.batchedPerSec)
    const range = (values: number[], digits: number): string =>
      `${Math.min(...values).toFixed(digits)}-${Math.max(...values).toFixed(digits)}`
    lines.push(
      `| \`${model}\` q8 | ${(median(load) / 1000).toFixed(2)} s (${range(
        load.map((v) => v / 1000),
        2,
      )}) | ${median(single).toFixed(0)} (${range(single, 0)}) | ${median(batched).toFixed(0)} (${range(batched, 0)}) |`,
    )
  }
  return lines.join('\n')
}

const loadBefore = loadavg()[0]!
const nodeRows: Row[] = []
for (const model of MODELS) {
  nodeRows.push({ model, runs: nodeRuns(model) })
  console.log(
    `node ${model}: ${JSON.stringify(nodeRows.at(-1)!.runs.map((r) => [Math.round(r.loadMs), Math.round(r.singlePerSec), Math.round(r.batchedPerSec)]))}`,
  )
}
const browserResult = flag('--no-chromium') ? undefined : await chromiumRuns()
for (const row of browserResult?.rows ?? []) {
  console.log(
    `chromium ${row.model}: ${JSON.stringify(row.runs.map((r) => [Math.round(r.loadMs), Math.round(r.singlePerSec), Math.round(r.batchedPerSec)]))}`,
  )
}

const loadAfter = loadavg()[0]!
const sample = nodeRows[0]!.runs[0]!
const body = `Command: \`npm run bench:embed\` (bench/embedder.bench.ts). The transformers embedder with the two stand-in models
(shared/models; 384-d outputs): \`${RANDOM_MINILM_MODEL}\` has all-MiniLM-L6-v2's exact architecture and size (so its
speed is the real model's; its vectors are meaningless), \`${WORDNET_MODEL}\` is a lookup-table model. ${sample.sentences} short
memory-like sentences (6-12 words). *single*: one \`embed([text])\` call per sentence; *batched*: one \`embed(texts)\` call
(the embedder splits it into batches of ${sample.batchSize}, its default). *cold load*: \`new TransformersEmbedder(...)\` to
\`ready()\` resolved (files read, ONNX session created, dimensions probed), each in a fresh Node process or a fresh browser
context (Chromium then also fetches and compiles ONNX Runtime's 26 MB wasm). Medians of ${runs} cold runs, range in brackets;
each run's rates are the median of 3 rounds. The 2 cores are shared with other work: 1-minute load average
${loadBefore.toFixed(1)} before and ${loadAfter.toFixed(1)} after the run (above ~1 the numbers are depressed; compare ranges).

### Node ${process.versions.node} (onnxruntime-node, CPU)

${table(nodeRows)}
${
  browserResult
    ? `
### Chromium ${browserResult.version} (onnxruntime-web, WASM, one thread: the page is not cross-origin isolated)

${table(browserResult.rows)}
`
    : ''
}`
if (flag('--no-write')) console.log(body)
else {
  await writeSection('Embeddings', body)
  console.log('BENCHMARKS.md: section "Embeddings" written')
}
