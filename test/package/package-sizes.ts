// The package as users get it, measured: `npm pack` once, then fresh consumer projects that install the
// tarball (the sizes of what lands in their node_modules) and a user's own Cloudflare Worker built from
// it with `wrangler deploy --dry-run` (the gzipped size of what would be uploaded). Used by the package
// test (test/package/consumer.ts, which checks the budgets) and by `npm run bench:package` (which writes
// the numbers to BENCHMARKS.md).
import { execFile, execFileSync } from 'node:child_process'
import { readdirSync, statSync } from 'node:fs'
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { gzipSync } from 'node:zlib'

export const ROOT = fileURLToPath(new URL('../../', import.meta.url))
export const BIN = join(ROOT, 'node_modules/.bin')

/** What `npm install edgemem` may add for a user who does not embed on the device. */
export const INSTALL_BUDGET_BYTES = 50 * 1000 * 1000
/** A user's Worker with an OpenAI-compatible embedder and the local store, gzipped, wasm aside. */
export const WORKER_BUDGET_BYTES = 250 * 1024

export const MB = (bytes: number): string => `${(bytes / 1e6).toFixed(1)} MB`
export const KiB = (bytes: number): string => `${(bytes / 1024).toFixed(1)} KiB`

/** The environment of a user's shell: none of the variables this repository's scripts set. */
export function userEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = { ...process.env, ...extra }
  if (!('ONNXRUNTIME_NODE_INSTALL' in extra)) delete env.ONNXRUNTIME_NODE_INSTALL
  return env
}

export function run(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = userEnv()): string {
  return execFileSync(cmd, args, { cwd, encoding: 'utf8', env, stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024 })
}

/** `run` that keeps this process's event loop free (for servers that live in this process). */
export async function runAsync(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = userEnv()): Promise<string> {
  const { stdout } = await promisify(execFile)(cmd, args, { cwd, encoding: 'utf8', env, maxBuffer: 64 * 1024 * 1024 })
  return stdout
}

/** `npm pack` of the repository (prepack builds dist/ and strips the dev-only parts of package.json). */
export function pack(into: string): string {
  const name = run('npm', ['pack', '--silent', '--pack-destination', into], ROOT).trim().split('\n').pop()!
  return join(into, name)
}

/** Total size in bytes of the files under `dir` (what the install wrote, symlinks not followed). */
export function directoryBytes(dir: string): number {
  let total = 0
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) total += directoryBytes(path)
    else if (entry.isFile()) total += statSync(path).size
  }
  return total
}

/** The largest packages in a node_modules, biggest first. */
export function largestPackages(nodeModules: string, count = 4): { name: string; bytes: number }[] {
  const packages: { name: string; bytes: number }[] = []
  for (const entry of readdirSync(nodeModules, { withFileTypes: true })) {
    if (!entry.isDirectory() || entry.name.startsWith('.')) continue
    const names = entry.name.startsWith('@') ? readdirSync(join(nodeModules, entry.name)).map((n) => `${entry.name}/${n}`) : [entry.name]
    for (const name of names) packages.push({ name, bytes: directoryBytes(join(nodeModules, name)) })
  }
  return packages.sort((a, b) => b.bytes - a.bytes).slice(0, count)
}

export interface Consumer {
  dir: string
  /** Bytes in node_modules after the install. */
  bytes: number
  largest: { name: string; bytes: number }[]
}

/** A fresh project that installs the tarball (and `extra` packages) with npm, as a user does. */
export async function installConsumer(
  dir: string,
  tarball: string,
  extra: string[] = [],
  env: NodeJS.ProcessEnv = userEnv(),
): Promise<Consumer> {
  await mkdir(dir, { recursive: true })
  await writeFile(join(dir, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }))
  // --prefer-offline: the registry's packages come from npm's cache when it has them (CI's setup fills it).
  run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', tarball, ...extra], dir, env)
  const nodeModules = join(dir, 'node_modules')
  return { dir, bytes: directoryBytes(nodeModules), largest: largestPackages(nodeModules) }
}

/** A user's Worker: edgemem by name, an OpenAI-compatible embedder, the flat store, memory storage. */
export const USER_WORKER = `import { Memory } from 'edgemem'

let memory
export default {
  async fetch(request, env) {
    const url = new URL(request.url)
    if (url.pathname === '/health') return Response.json({ status: 'ok' })
    memory ??= new Memory({
      embedder: { provider: 'openai', config: { baseURL: env.EMBEDDING_BASE_URL, model: 'test-embedding' } },
      vectorStore: { provider: 'flat' },
      storage: { provider: 'memory' },
    })
    try {
      if (url.pathname === '/add') return Response.json(await memory.add(await request.text(), { userId: 'u', infer: false }))
      if (url.pathname === '/search') return Response.json(await memory.search(url.searchParams.get('q') ?? '', { userId: 'u' }))
      return new Response('not found', { status: 404 })
    } catch (error) {
      return Response.json({ error: error.name, message: error.message }, { status: 500 })
    }
  },
}
`

export interface WorkerBuild {
  dir: string
  /** The JavaScript wrangler would upload, gzipped (wasm modules excluded). */
  jsGzipBytes: number
  jsBytes: number
  wasmFiles: string[]
}

/**
 * Writes a Worker project into `dir` (which has edgemem installed) and builds it with
 * `wrangler deploy --dry-run --outdir`: wrangler's own bundling, no alias, no stub, no setting.
 */
export async function buildUserWorker(dir: string, source: string = USER_WORKER): Promise<WorkerBuild> {
  await writeFile(join(dir, 'worker.js'), source)
  await writeFile(join(dir, 'wrangler.toml'), 'name = "user-worker"\nmain = "worker.js"\ncompatibility_date = "2026-11-01"\n')
  const out = join(dir, 'out')
  run(join(BIN, 'wrangler'), ['deploy', '--dry-run', '--outdir', out], dir, userEnv({ WRANGLER_SEND_METRICS: 'false', CI: '1' }))
  const files = await readdir(out)
  let jsBytes = 0
  let jsGzipBytes = 0
  for (const file of files.filter((f) => f.endsWith('.js') || f.endsWith('.mjs'))) {
    const bytes = await readFile(join(out, file))
    jsBytes += bytes.length
    jsGzipBytes += gzipSync(bytes).length
  }
  return { dir, jsBytes, jsGzipBytes, wasmFiles: files.filter((f) => f.endsWith('.wasm')) }
}
