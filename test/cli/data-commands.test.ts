import { type ChildProcess, spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { FileStorage } from '../../node/file-storage.ts'
import { Memory } from '../../src/index.ts'
import { startFakeWorker } from '../servers/edgemem-worker.ts'
import { startQdrantServer, type FakeQdrant } from '../servers/qdrant.ts'
import { modelsDir, WORDNET_MODEL } from '../support/models.ts'

/**
 * The data commands of the `edgemem` bin (export, import, migrate, stats; docs/cli.md), spawned as child
 * processes: round trips between local directory stores and into a fake Qdrant (test/servers/qdrant.ts),
 * interruption (SIGINT, SIGKILL) mid-migrate then a resume with no duplicate and nothing lost, bad
 * configs and files with their exit codes, the plain (non-TTY) progress lines, and Deno and Bun. The
 * embedder is the on-device WordNet stand-in; everything stays on 127.0.0.1.
 */

const ROOT = resolve(import.meta.dirname, '../..')
const BIN = join(ROOT, 'node_modules/.bin')
const ENTRY = join(ROOT, 'cli/edgemem.ts')

let work: string
let qdrant: FakeQdrant
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'edgemem-cli-'))
  qdrant = await startQdrantServer()
})
afterAll(async () => {
  await qdrant?.close()
  await rm(work, { recursive: true, force: true })
})

/** No EDGEMEM_ variable of the caller's reaches the child. */
function childEnv(): Record<string, string> {
  const env: Record<string, string> = {}
  for (const [key, value] of Object.entries(process.env)) if (value !== undefined && !key.startsWith('EDGEMEM_')) env[key] = value
  return env
}

interface Run {
  code: number | null
  signal: NodeJS.Signals | null
  stdout: string
  stderr: string
}

const RUNTIMES = {
  node: (args: string[]) => [process.execPath, [ENTRY, ...args]] as const,
  deno: (args: string[]) =>
    [
      join(BIN, 'deno'),
      [
        'run',
        '--cached-only',
        '--allow-read',
        '--allow-write',
        '--allow-env',
        '--allow-ffi',
        '--allow-sys',
        '--allow-net=127.0.0.1',
        ENTRY,
        ...args,
      ],
    ] as const,
  bun: (args: string[]) => [join(BIN, 'bun'), [ENTRY, ...args]] as const,
}

/** Spawns the bin; `onStart` sees the child (to signal it). Bounded by `timeoutMs`. */
function edgemem(
  args: string[],
  options: { runtime?: keyof typeof RUNTIMES; input?: string; timeoutMs?: number; onStart?: (child: ChildProcess) => void } = {},
): Promise<Run> {
  const [command, argv] = RUNTIMES[options.runtime ?? 'node'](args)
  return new Promise((done, fail) => {
    const child = spawn(command, argv, { cwd: work, env: childEnv(), stdio: ['pipe', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString()
    })
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString()
    })
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      fail(new Error(`edgemem ${args.join(' ')} took over ${options.timeoutMs ?? 60_000} ms\n${stderr}`))
    }, options.timeoutMs ?? 60_000)
    child.on('error', fail)
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      done({ code, signal, stdout, stderr })
    })
    child.stdin.end(options.input ?? '')
    options.onStart?.(child)
  })
}

const EMBEDDER = { provider: 'transformers', config: { model: WORDNET_MODEL, localModelPath: modelsDir(), allowRemoteModels: false } }

/** A config file of a local directory store (the directory relative to the file). */
async function localConfig(name: string, extra: Record<string, unknown> = {}): Promise<string> {
  const file = join(work, `${name}.json`)
  await writeFile(file, JSON.stringify({ embedder: EMBEDDER, storage: { provider: 'file', config: { dir: `./${name}` } }, ...extra }))
  return file
}

/** The records of an export, the header's time left out (it is when the export ran). */
function content(jsonl: string, options: { vectors?: boolean } = {}): unknown[] {
  return jsonl
    .trimEnd()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .map((record) => {
      const { createdAt, vector, ...rest } = record
      if (record.type === 'edgemem-export') return rest
      return options.vectors === false ? { ...rest, createdAt } : record
    })
}

/** The same records in a store-independent order (a Qdrant lists by point id, a local store by its own order). */
const sorted = (records: unknown[]): string[] => records.map((r) => JSON.stringify(r)).sort()

/** Vectors by memory id: a store may renormalise what it stores, so they are compared within float32 error. */
function expectSameVectors(actual: string, expected: string): void {
  const vectorsOf = (jsonl: string) =>
    new Map(
      content(jsonl).flatMap((r) =>
        (r as { type: string }).type === 'memory' ? [[(r as { id: string }).id, (r as { vector: number[] }).vector]] : [],
      ),
    )
  const want = vectorsOf(expected)
  const got = vectorsOf(actual)
  expect([...got.keys()].sort()).toEqual([...want.keys()].sort())
  for (const [id, vector] of got) {
    const reference = want.get(id)!
    expect(vector.length).toBe(reference.length)
    expect(Math.max(...vector.map((x, i) => Math.abs(x - reference[i]!)))).toBeLessThan(1e-6)
  }
}

const ok = (run: Run): Run => {
  expect(run.code, `exit ${run.code} ${run.signal ?? ''}\n${run.stderr}`).toBe(0)
  return run
}

/** Seeds a directory store the way an app fills it: adds, an update, a delete (history of each). */
async function seed(dir: string): Promise<void> {
  const memory = new Memory({ embedder: EMBEDDER as never, storage: new FileStorage(dir) })
  const first = await memory.add('I play the cello in an orchestra', { userId: 'alice', metadata: { topic: 'music' } })
  await memory.add('My sister Ana lives in Porto', { userId: 'alice' })
  await memory.add('Answers in French', { agentId: 'tutor' })
  await memory.add('Allergic to nuts', { userId: 'bob', runId: 'trip-1', expirationDate: '2099-01-01' })
  const gone = await memory.add('Likes jazz', { userId: 'bob' })
  await memory.update(first.results[0]!.id, { text: 'I play the viola in an orchestra', metadata: { level: 3 } })
  await memory.delete(gone.results[0]!.id)
  await memory.close()
}

/** `n` generated memories with unit vectors, as an export of the stand-in model (a big source, no embedding). */
function generatedExport(n: number, embedder: unknown): string {
  let seed = 42
  const random = (): number => {
    seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648
    return seed / 2_147_483_648 - 0.5
  }
  const lines = [JSON.stringify({ type: 'edgemem-export', version: 1, createdAt: '2026-12-01T00:00:00.000Z', embedder })]
  for (let i = 0; i < n; i++) {
    const vector = Array.from({ length: 384 }, random)
    const norm = Math.hypot(...vector)
    const text = `Generated memory number ${i}`
    const id = `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`
    lines.push(
      JSON.stringify({
        type: 'memory',
        id,
        memory: text,
        hash: `h${i}`,
        userId: `user-${i % 7}`,
        metadata: { n: i },
        createdAt: '2026-12-01T00:00:00.000Z',
        vector: vector.map((x) => Math.fround(x / norm)),
      }),
    )
  }
  return `${lines.join('\n')}\n`
}

describe('edgemem export / import / migrate / stats', { timeout: 180_000 }, () => {
  let source: string
  let sourceExport: string

  beforeAll(async () => {
    source = await localConfig('source')
    await seed(join(work, 'source'))
    sourceExport = ok(await edgemem(['export', '--config', source, '--vectors'])).stdout
  }, 120_000)

  it('exports, imports into another store and exports again: the same content; importing twice changes nothing', async () => {
    const records = content(sourceExport)
    expect(records[0]).toMatchObject({ type: 'edgemem-export', version: 1, embedder: { dimensions: 384 } })
    const memories = records.filter((r) => (r as { type: string }).type === 'memory') as { memory: string; vector?: number[] }[]
    expect(memories.map((m) => m.memory).sort()).toEqual([
      'Allergic to nuts',
      'Answers in French',
      'I play the viola in an orchestra',
      'My sister Ana lives in Porto',
    ])
    expect(memories.every((m) => m.vector?.length === 384)).toBe(true)
    expect(records.some((r) => (r as { type: string }).type === 'history')).toBe(true)

    // To a file (complete, no .partial left), then into another directory store.
    const file = join(work, 'backup.jsonl')
    const exported = ok(await edgemem(['export', '--config', source, '--vectors', '-o', file]))
    expect(content(await readFile(file, 'utf8'))).toEqual(records)
    expect(existsSync(`${file}.partial`)).toBe(false)
    expect(exported.stderr).toMatch(/^export: 4 memories from .*source to .*backup\.jsonl in \d+\.\d s \(\d[\d,]*\/s\)$/m)

    const copy = await localConfig('copy')
    const imported = ok(await edgemem(['import', file, '--config', copy]))
    expect(imported.stderr).toMatch(/^import: 4 memories, \d+ records into .*copy .*\(.*4 imported/m)
    expect(existsSync(`${file}.checkpoint`)).toBe(false)
    const again = content(ok(await edgemem(['export', '--config', copy, '--vectors'])).stdout)
    expect(again).toEqual(records)

    // Twice: everything skipped, nothing changes.
    const twice = ok(await edgemem(['import', file, '--config', copy]))
    expect(twice.stderr).toMatch(/4 skipped/)
    expect(twice.stderr).not.toMatch(/\d+ imported/)
    expect(content(ok(await edgemem(['export', '--config', copy, '--vectors'])).stdout)).toEqual(records)

    // From stdin, into a third store; and a scoped export holds only that user's memories.
    const piped = await localConfig('piped')
    ok(await edgemem(['import', '-', '--config', piped], { input: sourceExport }))
    expect(content(ok(await edgemem(['export', '--config', piped, '--vectors'])).stdout)).toEqual(records)
    const bob = content(ok(await edgemem(['export', '--config', source, '--user', 'bob'])).stdout)
    expect(bob.filter((r) => (r as { type: string }).type === 'memory').map((r) => (r as { memory: string }).memory)).toEqual([
      'Allergic to nuts',
    ])
  })

  it('stats counts memories, history and scopes, as a table and as JSON', async () => {
    const stats = JSON.parse(ok(await edgemem(['stats', '--config', source, '--json'])).stdout)
    expect(stats).toMatchObject({
      memories: 4,
      expired: 0,
      relations: 0,
      users: { alice: 2, bob: 1 },
      agents: { tutor: 1 },
      runs: { 'trip-1': 1 },
      embedder: { dimensions: 384 },
    })
    const history = content(sourceExport).filter((r) => (r as { type: string }).type === 'history').length
    expect(stats.history).toBe(history)
    const table = ok(await edgemem(['stats', '--config', source])).stdout
    expect(table).toMatch(/^memories: +4$/m)
    expect(table).toMatch(/^users: +2$/m)
    expect(table).toMatch(/^ +alice +2$/m)
  })

  it('migrates local → local and local → a fake Qdrant; the destination exports the same memories', async () => {
    const local = await localConfig('migrated')
    const run = ok(await edgemem(['migrate', '--from', source, '--to', local]))
    // Not a terminal: plain lines, no bar, no escape codes.
    expect(run.stderr.includes('\r') || run.stderr.includes('\u001b[')).toBe(false)
    expect(run.stderr).toMatch(/^migrate: 4 memories, \d+ records from .*source to .*migrated .*4 imported.* in \d+\.\d s/m)
    expect(content(ok(await edgemem(['export', '--config', local, '--vectors'])).stdout)).toEqual(content(sourceExport))

    const remote = await localConfig('qdrant-history', {
      vectorStore: { provider: 'qdrant', config: { url: qdrant.url, collection: 'cli_migrate' } },
    })
    ok(await edgemem(['migrate', '--from', source, '--to', remote]))
    expect(qdrant.collections.get('cli_migrate')?.points.size).toBe(4)
    const fromQdrant = ok(await edgemem(['export', '--config', remote, '--vectors'])).stdout
    // Qdrant lists by point id and normalises stored vectors (Cosine): compared apart.
    expect(sorted(content(fromQdrant, { vectors: false }))).toEqual(sorted(content(sourceExport, { vectors: false })))
    expectSameVectors(fromQdrant, sourceExport)
    // Running it again duplicates nothing.
    expect(ok(await edgemem(['migrate', '--from', source, '--to', remote])).stderr).toMatch(/4 skipped/)
    expect(qdrant.collections.get('cli_migrate')?.points.size).toBe(4)
  })

  it('migrates into an edgemem Worker and back through its export and import routes, each body under MAX_BODY_BYTES', async () => {
    const tenant = new Memory({ embedder: EMBEDDER as never })
    const worker = await startFakeWorker(tenant, { maxBodyBytes: 20_000 })
    try {
      const remote = join(work, 'worker.json')
      await writeFile(remote, JSON.stringify({ remote: { url: worker.url, apiKey: worker.apiKey, maxBodyBytes: 20_000 } }))
      expect(ok(await edgemem(['migrate', '--from', source, '--to', remote])).stderr).toMatch(/4 imported/)
      expect(worker.importBodies.length).toBeGreaterThan(1)
      expect(Math.max(...worker.importBodies)).toBeLessThanOrEqual(20_000)
      const fromWorker = ok(await edgemem(['export', '--config', remote, '--vectors'])).stdout
      expect(sorted(content(fromWorker, { vectors: false }))).toEqual(sorted(content(sourceExport, { vectors: false })))
      expectSameVectors(fromWorker, sourceExport)
      expect(JSON.parse(ok(await edgemem(['stats', '--config', remote, '--json'])).stdout)).toMatchObject({
        memories: 4,
        users: { alice: 2, bob: 1 },
      })

      const back = await localConfig('from-worker')
      ok(await edgemem(['migrate', '--from', remote, '--to', back]))
      const migratedBack = ok(await edgemem(['export', '--config', back, '--vectors'])).stdout
      expect(sorted(content(migratedBack, { vectors: false }))).toEqual(sorted(content(sourceExport, { vectors: false })))
      expectSameVectors(migratedBack, sourceExport)

      await writeFile(remote, JSON.stringify({ remote: { url: worker.url, apiKey: 'em_wrong' } }))
      expect(await edgemem(['stats', '--config', remote])).toMatchObject({ code: 5, stderr: expect.stringMatching(/401.*apiKey/s) })
    } finally {
      await worker.close()
      await tenant.close()
    }
  })

  describe('an interrupted migrate resumes without duplicates and loses nothing', () => {
    const N = 1000
    let big: string
    let bigExport: string

    beforeAll(async () => {
      const header = content(sourceExport)[0] as { embedder: unknown }
      const file = join(work, 'generated.jsonl')
      await writeFile(file, generatedExport(N, header.embedder))
      big = await localConfig('big')
      ok(await edgemem(['import', file, '--config', big, '--batch-size', '1000'], { timeoutMs: 120_000 }))
      bigExport = ok(await edgemem(['export', '--config', big, '--vectors'], { timeoutMs: 60_000 })).stdout
      expect(content(bigExport).length).toBe(N + 1)
    }, 180_000)

    /** Starts a migrate in small batches and stops it with `signal` once a checkpoint shows progress. */
    async function interrupted(to: string, signal: NodeJS.Signals): Promise<Run> {
      const checkpoint = `${to}.checkpoint`
      return edgemem(['migrate', '--from', big, '--to', to, '--batch-size', '25'], {
        timeoutMs: 120_000,
        onStart: (child) => {
          const poll = setInterval(async () => {
            const text = await readFile(checkpoint, 'utf8').catch(() => '')
            if (text && (JSON.parse(text) as { done: number }).done >= 100) {
              clearInterval(poll)
              child.kill(signal)
            }
          }, 20)
          child.on('close', () => clearInterval(poll))
        },
      })
    }

    for (const signal of ['SIGINT', 'SIGKILL'] as const) {
      it(`after ${signal}`, async () => {
        const to = await localConfig(`resumed-${signal}`)
        const stopped = await interrupted(to, signal)
        if (signal === 'SIGINT') {
          expect(stopped.code, stopped.stderr).toBe(130)
          expect(stopped.stderr).toMatch(/interrupted; run the same command again to resume/)
        } else {
          expect(stopped.signal).toBe('SIGKILL')
        }
        const saved = JSON.parse(await readFile(`${to}.checkpoint`, 'utf8')) as { done: number }
        expect(saved.done).toBeGreaterThanOrEqual(100)
        expect(saved.done).toBeLessThan(N)

        const resumed = ok(await edgemem(['migrate', '--from', big, '--to', to, '--batch-size', '500'], { timeoutMs: 120_000 }))
        expect(resumed.stderr).toMatch(new RegExp(`resumed after ${saved.done.toLocaleString('en-US')} records`))
        expect(existsSync(`${to}.checkpoint`)).toBe(false)
        const exported = ok(await edgemem(['export', '--config', to, '--vectors'], { timeoutMs: 60_000 })).stdout
        const after = content(exported, { vectors: false })
        // Every memory once, the same as the source: none lost, none duplicated.
        expect(after.length).toBe(N + 1)
        expect(new Set(after.map((r) => (r as { id?: string }).id)).size).toBe(N + 1)
        expect(after).toEqual(content(bigExport, { vectors: false }))
        expectSameVectors(exported, bigExport)
      })
    }

    it('refuses a checkpoint of another transfer (exit 2); --restart discards it', async () => {
      const to = await localConfig('other-job')
      await writeFile(
        `${to}.checkpoint`,
        JSON.stringify({ version: 1, job: 'another', done: 10, memories: 10, last: 'memory:x', updatedAt: '' }),
      )
      const refused = await edgemem(['migrate', '--from', source, '--to', to])
      expect(refused.code).toBe(2)
      expect(refused.stderr).toMatch(/belongs to another transfer/)
      ok(await edgemem(['migrate', '--from', source, '--to', to, '--restart']))
    })
  })

  it('answers bad configs, files and arguments with their exit codes and a message naming the problem', async () => {
    const bad = join(work, 'bad.json')
    await writeFile(bad, JSON.stringify({ embedder: EMBEDDER, vectorStore: { provider: 'qdrant', config: { url: 'not a url' } } }))
    const config = await edgemem(['migrate', '--from', source, '--to', bad])
    expect(config.code).toBe(3)
    expect(config.stderr).toMatch(/vectorStore\.config\.url: .*\(in .*bad\.json\)/)

    await writeFile(bad, '{ not json')
    expect(await edgemem(['stats', '--config', bad])).toMatchObject({ code: 3, stderr: expect.stringMatching(/bad\.json is not JSON/) })
    expect(await edgemem(['stats', '--config', join(work, 'missing.json')])).toMatchObject({
      code: 3,
      stderr: expect.stringMatching(/cannot read/),
    })
    await writeFile(bad, JSON.stringify({ storage: { provider: 'file', config: {} } }))
    expect(await edgemem(['stats', '--config', bad])).toMatchObject({ code: 3, stderr: expect.stringMatching(/storage\.config\.dir/) })
    await writeFile(bad, JSON.stringify({ remote: { url: 'ftp://x', apiKey: 'k' } }))
    expect(await edgemem(['stats', '--config', bad])).toMatchObject({ code: 3, stderr: expect.stringMatching(/remote\.url/) })

    // A bad line of an import: exit 4, its line named, nothing written.
    const target = await localConfig('untouched')
    const broken = sourceExport.split('\n')
    broken[2] = '{"type":"memory","id":"x"}'
    const data = await edgemem(['import', '-', '--config', target, '--batch-size', '1'], { input: broken.join('\n') })
    expect(data.code).toBe(4)
    expect(data.stderr).toMatch(/line 3/)
    expect(JSON.parse(ok(await edgemem(['stats', '--config', target, '--json'])).stdout).memories).toBe(0)

    expect(await edgemem(['migrate', '--from', source])).toMatchObject({ code: 2, stderr: expect.stringMatching(/--to/) })
    expect(await edgemem(['export', '--bogus'])).toMatchObject({ code: 2, stderr: expect.stringMatching(/--bogus/) })
    expect(await edgemem(['import', 'x.jsonl', '--on-conflict', 'maybe'])).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/skip, overwrite, error/),
    })
    expect(await edgemem(['migrate', '--from', source, '--to', source])).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/same store/),
    })
    expect(ok(await edgemem(['--help'])).stdout).toMatch(/export .*\n.*import .*\n.*migrate .*\n.*stats /)
  })

  for (const runtime of ['deno', 'bun'] as const) {
    it(`round-trips in ${runtime}`, async () => {
      const file = join(work, `${runtime}.jsonl`)
      ok(await edgemem(['export', '--config', source, '--vectors', '-o', file], { runtime }))
      expect(content(await readFile(file, 'utf8'))).toEqual(content(sourceExport))
      const to = await localConfig(`in-${runtime}`)
      ok(await edgemem(['import', file, '--config', to], { runtime }))
      expect(content(ok(await edgemem(['export', '--config', to, '--vectors'])).stdout)).toEqual(content(sourceExport))
      expect(JSON.parse(ok(await edgemem(['stats', '--config', to, '--json'], { runtime })).stdout).memories).toBe(4)
    })
  }
})
