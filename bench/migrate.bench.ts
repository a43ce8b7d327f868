/**
 * npm run bench:migrate — `edgemem migrate` of N memories (default 100,000, on tmpfs; N/10 on the disk; `-- --n 5000` for a short
 * run) with 384-d vectors carried (no embedding: the embedder is an OpenAI-compatible endpoint on a
 * closed port, so any embedding call would fail the run), between two local directory stores
 * (edgemem/file-storage, hnsw) and from a local store into the fake Qdrant (test/servers/qdrant.ts, in
 * this process, on 127.0.0.1). The source is filled by `edgemem import` of a generated export, timed too.
 * Each command is the real bin in a child process under /usr/bin/time, which reports its peak RSS;
 * `edgemem stats` checks every destination holds N memories afterwards.
 */
import { execFile } from 'node:child_process'
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises'
import { createWriteStream, existsSync } from 'node:fs'
import { once } from 'node:events'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { startQdrantServer } from '../test/servers/qdrant.ts'
import { writeSection } from './report.ts'

const { values } = parseArgs({ options: { n: { type: 'string' }, 'no-write': { type: 'boolean' } } })
const N = Number(values.n ?? 100_000)
const DIMS = 384
const ROOT = resolve(import.meta.dirname, '..')
const ENTRY = join(ROOT, 'cli/edgemem.ts')
const EMBEDDER = {
  provider: 'openai',
  config: { apiKey: 'unused', baseURL: 'http://127.0.0.1:9/v1', model: 'bench-384', dimensions: DIMS },
}

const qdrant = await startQdrantServer()
/** Directory stores on tmpfs measure edgemem (fsync is free there); the disk run shows what fsync costs on this machine. */
const TMPFS = existsSync('/dev/shm') ? '/dev/shm' : undefined
let work = ''

interface Measured {
  seconds: number
  peakRssMiB: number
  stderr: string
}

/** Runs the bin under /usr/bin/time (peak RSS in KiB on the last stderr line). */
function edgemem(args: string[]): Promise<Measured> {
  const started = performance.now()
  return new Promise((done, fail) => {
    execFile(
      '/usr/bin/time',
      ['-f', 'peak-rss-kib=%M', process.execPath, ENTRY, ...args],
      { cwd: work, maxBuffer: 64 * 1024 * 1024, timeout: 1_800_000 },
      (error, _stdout, stderr) => {
        if (error) return fail(new Error(`edgemem ${args.join(' ')}: ${error.message}\n${stderr}`))
        const kib = Number(/peak-rss-kib=(\d+)/.exec(stderr)?.[1])
        done({ seconds: (performance.now() - started) / 1000, peakRssMiB: kib / 1024, stderr })
      },
    )
  })
}

async function config(name: string, extra: Record<string, unknown> = {}): Promise<string> {
  const file = join(work, `${name}.json`)
  await writeFile(file, JSON.stringify({ embedder: EMBEDDER, storage: { provider: 'file', config: { dir: `./${name}` } }, ...extra }))
  return file
}

async function memoriesIn(file: string): Promise<number> {
  return new Promise((done, fail) =>
    execFile(process.execPath, [ENTRY, 'stats', '--config', file, '--json'], { cwd: work, maxBuffer: 64 * 1024 * 1024 }, (error, stdout) =>
      error ? fail(error) : done((JSON.parse(stdout) as { memories: number }).memories),
    ),
  )
}

/** A generated export of n memories (unit vectors, 7 users, small metadata), streamed to disk. */
async function generate(path: string, n: number): Promise<void> {
  const out = createWriteStream(path)
  let seed = 7
  const random = (): number => {
    seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648
    return seed / 2_147_483_648 - 0.5
  }
  const write = async (line: string) => {
    if (!out.write(`${line}\n`)) await once(out, 'drain')
  }
  await write(
    JSON.stringify({
      type: 'edgemem-export',
      version: 1,
      createdAt: new Date().toISOString(),
      embedder: { provider: 'openai', model: 'bench-384', dimensions: DIMS },
    }),
  )
  for (let i = 0; i < n; i++) {
    const vector = Array.from({ length: DIMS }, random)
    const norm = Math.hypot(...vector)
    const text = `Memory ${i}: likes topic ${i % 97} in place ${i % 31}`
    await write(
      JSON.stringify({
        type: 'memory',
        id: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
        memory: text,
        hash: `bench-${i}`,
        userId: `user-${i % 7}`,
        metadata: { topic: i % 97 },
        createdAt: new Date(Date.UTC(2026, 0, 1) + i * 1000).toISOString(),
        vector: vector.map((x) => Math.fround(x / norm)),
      }),
    )
  }
  out.end()
  await once(out, 'close')
}

interface Row {
  step: string
  memories: number
  measured: Measured
}
const rows: Row[] = []

/** Generates n memories, imports them into a directory store under `base`, migrates them on. */
async function runOn(base: string, label: string, n: number, withQdrant: boolean): Promise<void> {
  work = await mkdtemp(join(base, 'edgemem-bench-migrate-'))
  try {
    const file = join(work, 'generated.jsonl')
    await generate(file, n)
    const bytes = (await stat(file)).size
    console.log(`${label}: generated ${n} memories, ${(bytes / 2 ** 20).toFixed(1)} MiB`)
    const source = await config('source')
    const step = async (name: string, args: string[]) => {
      rows.push({ step: `${name} (${label})`, memories: n, measured: await edgemem(args) })
      const { measured } = rows.at(-1)!
      console.log(`${name} (${label}): ${measured.seconds.toFixed(1)} s, ${measured.peakRssMiB.toFixed(0)} MiB`)
    }
    await step(`import of a ${(bytes / 2 ** 20).toFixed(0)} MiB export file into a directory store`, [
      'import',
      file,
      '--config',
      source,
      '--batch-size',
      BATCH,
    ])
    const local = await config('destination')
    await step('migrate directory store → directory store', ['migrate', '--from', source, '--to', local, '--batch-size', BATCH])
    const targets = [source, local]
    if (withQdrant) {
      const remote = await config('qdrant-history', {
        vectorStore: { provider: 'qdrant', config: { url: qdrant.url, collection: 'bench' } },
      })
      await step('migrate directory store → Qdrant (fake, loopback)', ['migrate', '--from', source, '--to', remote, '--batch-size', BATCH])
      targets.push(remote)
      if (qdrant.collections.get('bench')?.points.size !== n) throw new Error('the fake Qdrant does not hold every point')
    }
    for (const target of targets) {
      const count = await memoriesIn(target)
      if (count !== n) throw new Error(`${target} holds ${count} memories, expected ${n}`)
    }
  } finally {
    await rm(work, { recursive: true, force: true })
  }
}

const BATCH = '1000'
try {
  if (TMPFS) await runOn(TMPFS, 'tmpfs', N, true)
  const diskN = TMPFS ? Math.max(1000, Math.round(N / 10)) : N
  await runOn(tmpdir(), 'disk', diskN, !TMPFS)

  const table = [
    '| step | memories | time | rate | peak RSS |',
    '| ---- | -------: | ---: | ---: | -------: |',
    ...rows.map(
      ({ step, memories, measured }) =>
        `| ${step} | ${memories.toLocaleString('en-US')} | ${measured.seconds.toFixed(1)} s | ${Math.round(memories / measured.seconds).toLocaleString('en-US')}/s | ${measured.peakRssMiB.toFixed(0)} MiB |`,
    ),
  ].join('\n')
  const body = `\`npm run bench:migrate\` (bench/migrate.bench.ts): the real \`edgemem\` bin in a child process (Node), memories with
${DIMS}-d vectors carried (no embedding; the embedder is an endpoint on a closed port, so one embedding call would fail the
run), batches of ${BATCH}, history on, directory stores (edgemem/file-storage, hnsw). Time is the whole process (start,
reading, writing, fsync); peak RSS is the child's (/usr/bin/time). Every destination is checked with \`edgemem stats\`
afterwards: all the memories, no more. The tmpfs rows keep the stores on tmpfs (fsync costs nothing there, so they measure
edgemem); the disk rows (a tenth as many) are on this VM's disk (shared with other jobs), where
FileStorage's batch fsyncs a batch's files together. Per memory the larger tmpfs runs are slower than the disk ones: the local
store holds its records and HNSW index in memory (both stores' in a migrate, hence the peak RSS) and an insert costs
more in a larger index. The machine's 2 cores were shared with other jobs during the run. The fake Qdrant runs in the
benchmark's process on 127.0.0.1 (no network latency; a real cluster adds a round trip per batch and page).

${table}`
  console.log(table)
  if (!values['no-write']) await writeSection('Migrate: edgemem migrate', body)
} finally {
  await qdrant.close()
}
