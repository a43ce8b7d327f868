import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtemp, rm } from 'node:fs/promises'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

/**
 * Starts the Worker with `wrangler dev` (local workerd, offline: metrics off, no remote bindings) on a
 * free loopback port, with its own fresh state directory, and waits until /health answers. Used by the
 * smoke test and the benchmark; both talk to it over real HTTP.
 */
export interface WranglerDev {
  readonly url: string
  /** Everything wrangler printed so far (for failure reports). */
  output(): string
  stop(): Promise<void>
  /** `kill -9` of wrangler and its workerd at once (no shutdown); the state directory stays. */
  kill(): Promise<void>
}

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const WRANGLER = join(ROOT, 'node_modules', 'wrangler', 'bin', 'wrangler.js')

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
  })
}

async function waitForHealth(url: string, child: ChildProcess, output: () => string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`wrangler dev exited with ${child.exitCode} before it was ready:\n${output()}`)
    try {
      const response = await fetch(`${url}/health`, { signal: AbortSignal.timeout(2000) })
      if (response.ok) return
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
  throw new Error(`wrangler dev did not answer /health within ${timeoutMs} ms:\n${output()}`)
}

/**
 * `stateDir`: persist local KV and Durable Objects there and keep it on stop (a later start over the
 * same directory is a cold restart with the data in place); by default a fresh directory, removed.
 * `cwd`: the project whose wrangler.toml to run (default: this repository's Worker); it must answer
 * GET /health with 200 once ready.
 */
export async function startWranglerDev(
  vars: Record<string, string>,
  options: { timeoutMs?: number; stateDir?: string; cwd?: string } = {},
): Promise<WranglerDev> {
  const [port, inspectorPort] = [await freePort(), await freePort()]
  const state = options.stateDir ?? (await mkdtemp(join(tmpdir(), 'edgemem-wrangler-')))
  const args = [
    WRANGLER,
    'dev',
    '--ip',
    '127.0.0.1',
    '--port',
    String(port),
    '--inspector-port',
    String(inspectorPort),
    '--persist-to',
    state,
    '--show-interactive-dev-session=false',
    '--log-level',
    'warn',
    ...Object.entries(vars).flatMap(([name, value]) => ['--var', `${name}:${value}`]),
  ]
  // detached: its own process group, so stopping it also stops the workerd it starts.
  const child = spawn(process.execPath, args, {
    cwd: options.cwd ?? ROOT,
    detached: true,
    env: { ...process.env, WRANGLER_SEND_METRICS: 'false', CI: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let log = ''
  child.stdout!.on('data', (chunk: Buffer) => (log += chunk.toString()))
  child.stderr!.on('data', (chunk: Buffer) => (log += chunk.toString()))
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()))
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      try {
        process.kill(-child.pid!, 'SIGTERM')
      } catch {
        // already gone
      }
      const killed = await Promise.race([
        exited.then(() => true),
        new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 5000)),
      ])
      if (!killed) {
        try {
          process.kill(-child.pid!, 'SIGKILL')
        } catch {
          // already gone
        }
        await exited
      }
    }
    if (!options.stateDir) await rm(state, { recursive: true, force: true })
  }
  const kill = async (): Promise<void> => {
    try {
      process.kill(-child.pid!, 'SIGKILL')
    } catch {
      // already gone
    }
    await exited
  }
  const url = `http://127.0.0.1:${port}`
  try {
    await waitForHealth(url, child, () => log, options.timeoutMs ?? 90_000)
  } catch (err) {
    await stop()
    throw err
  }
  return { url, output: () => log, stop, kill }
}
