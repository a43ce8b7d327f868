// Runs every example of examples/ in its runtime, twice, the way a user would (npm run
// test:runtimes:examples): `edgemem` is imported by name (the package's own exports, so dist/ is built
// first), the embedder is the on-device one with the WordNet stand-in model, and the Deno example talks
// to a Qdrant server on loopback (the faithful fake from test/servers). Checked for each: the first run
// adds the three notes and finds the expected one for its question; the second run, a new process,
// adds nothing (the notes are already stored: persistence) and finds the same memory.
import { execFile, execFileSync } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { promisify } from 'node:util'
import { startQdrantServer } from '../servers/qdrant.ts'
import { modelsDir, WORDNET_MODEL } from '../support/models.ts'

const ROOT = resolve(import.meta.dirname, '../..')
const BIN = join(ROOT, 'node_modules/.bin')
const work = mkdtempSync(join(tmpdir(), 'edgemem-examples-'))
const env = { ...process.env, EDGEMEM_MODEL: WORDNET_MODEL, EDGEMEM_MODELS_DIR: modelsDir() }

interface Example {
  runtime: string
  command: string[]
  question: string
  expected: string
  /** What shows that the data outlived the process (beyond the second run adding nothing). */
  persisted: () => string | undefined
  /** examples/<file>.ts when it is not named after the runtime. */
  file?: string
  /** More output every run must show. */
  extra?: RegExp
}

const qdrant = await startQdrantServer({ apiKey: 'examples-key' })
const qdrantPort = new URL(qdrant.url).port
const examples: Example[] = [
  {
    runtime: 'node',
    command: [process.execPath, 'examples/node.ts', 'what instrument do I play?', join(work, 'notes')],
    question: 'what instrument do I play?',
    expected: 'I play the cello in an orchestra',
    persisted: () => (readdirSync(join(work, 'notes')).length > 0 ? undefined : 'no files written'),
  },
  {
    runtime: 'bun',
    command: [join(BIN, 'bun'), 'examples/bun.ts', 'where does my sister live?', join(work, 'notes.sqlite')],
    question: 'where does my sister live?',
    expected: 'My sister Ana lives in Porto',
    persisted: () => (existsSync(join(work, 'notes.sqlite')) ? undefined : 'no database file'),
  },
  {
    runtime: 'deno',
    command: [
      join(BIN, 'deno'),
      'run',
      '--cached-only',
      '--allow-env',
      '--allow-read',
      '--allow-ffi',
      '--allow-sys',
      `--allow-net=127.0.0.1:${qdrantPort}`,
      'examples/deno.ts',
      'what am I allergic to?',
    ],
    question: 'what am I allergic to?',
    expected: 'I am vegetarian and allergic to nuts',
    persisted: () => {
      const points = [...qdrant.collections.values()].reduce((sum, c) => sum + c.points.size, 0)
      return points === 3 ? undefined : `Qdrant holds ${points} points, expected 3`
    },
  },
  {
    // edgemem/ai: the middleware retrieved the notes into the prompt and stored the exchange (once: the
    // second run's identical exchange is deduplicated).
    runtime: 'node',
    file: 'ai-sdk',
    command: [process.execPath, 'examples/ai-sdk.ts', 'what instrument do I play?', join(work, 'ai-notes')],
    question: 'what instrument do I play?',
    expected: 'I play the cello in an orchestra',
    persisted: () => (readdirSync(join(work, 'ai-notes')).length > 0 ? undefined : 'no files written'),
    extra: /^model: From what you told me: I play the cello in an orchestra\.\nstored exchange: 2 memories$/m,
  },
]

const LINE = /^added (\d+), best match: (.*) \((-?\d+\.\d{3})\)$/m
// Asynchronous: the fake Qdrant server lives in this process and must keep answering meanwhile.
const runCommand = promisify(execFile)
let failures = 0
try {
  // The examples import `edgemem` by name: package.json "exports" point at dist/.
  execFileSync('npm', ['run', '--silent', 'build'], { cwd: ROOT, stdio: 'inherit' })
  for (const example of examples) {
    const problems: string[] = []
    const outputs: string[] = []
    for (const [run, added] of [
      [1, 3],
      [2, 0],
    ] as const) {
      const [cmd, ...args] = example.command
      const { stdout, stderr } = await runCommand(cmd!, args, {
        cwd: ROOT,
        encoding: 'utf8',
        env: { ...env, QDRANT_URL: qdrant.url, QDRANT_API_KEY: 'examples-key' },
      })
      if (stderr.trim()) console.log(stderr.trim())
      const output = stdout.trim()
      outputs.push(output)
      const match = LINE.exec(output)
      if (!match) problems.push(`run ${run}: unexpected output ${JSON.stringify(output)}`)
      else {
        if (Number(match[1]) !== added) problems.push(`run ${run}: added ${match[1]}, expected ${added}`)
        if (match[2] !== example.expected)
          problems.push(`run ${run}: "${example.question}" found "${match[2]}", expected "${example.expected}"`)
      }
    }
    for (const [i, output] of outputs.entries()) {
      if (example.extra && !example.extra.test(output)) problems.push(`run ${i + 1}: output does not match ${example.extra}`)
    }
    const persisted = example.persisted()
    if (persisted) problems.push(persisted)
    failures += problems.length
    console.log(`${problems.length ? 'FAIL' : 'ok  '} examples/${example.file ?? example.runtime}.ts: ${outputs.join(' | ')}`)
    for (const problem of problems) console.log(`       ${problem}`)
  }
} finally {
  await qdrant.close()
  rmSync(work, { recursive: true, force: true })
}
console.log(failures ? `examples: ${failures} problem(s)` : `examples: all ${examples.length} ran twice with the expected output`)
process.exitCode = failures ? 1 : 0
