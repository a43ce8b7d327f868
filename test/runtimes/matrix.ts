// Runs the matrix suites (test/matrix.ts) in Deno or Bun on the runner in ./harness.ts:
//   deno run --cached-only --allow-read --allow-env --allow-ffi --allow-sys --allow-write=test-results test/runtimes/matrix.ts
//   bun --preload ./test/runtimes/bun-harness-plugin.ts test/runtimes/matrix.ts
// (`npm run test:runtimes:matrix` runs both). Optional arguments keep only files whose path contains
// one of them. Prints one line per test, writes test-results/matrix/<runtime>.json (the shape of
// vitest's JSON reporter, read by matrix-report.ts) and exits non-zero when a test failed or none ran.
import { mkdir, writeFile } from 'node:fs/promises'
import { MATRIX_TESTS } from '../matrix.ts'
import { runtime } from '../support/runtime.ts'
import { collectFile, run, type TestResult } from './harness.ts'

const g = globalThis as {
  Deno?: { args: string[]; version: { deno: string }; exit(code: number): never }
  Bun?: { version: string; argv: string[] }
  process?: { argv: string[]; exit(code: number): never; on?(event: string, listener: (reason: unknown) => void): void }
  addEventListener?: (type: string, listener: (event: { reason: unknown; preventDefault(): void }) => void) => void
}
if (runtime !== 'deno' && runtime !== 'bun')
  throw new Error(`test/runtimes/matrix.ts is the Deno and Bun runner; ${runtime} runs the matrix with vitest`)
const version = g.Deno ? `deno ${g.Deno.version.deno}` : `bun ${g.Bun!.version}`
const args = g.Deno ? g.Deno.args : g.process!.argv.slice(2)
const selected = MATRIX_TESTS.filter((file) => args.length === 0 || args.some((a) => file.includes(a)))
if (selected.length === 0) throw new Error(`no matrix file matches ${args.join(', ')}`)

// A rejection nobody awaited is a bug in the code under test: count it instead of letting the runtime
// abort the whole run (Deno) or ignore it (Bun).
const unhandled: unknown[] = []
if (g.Deno) {
  g.addEventListener!('unhandledrejection', (event) => {
    event.preventDefault()
    unhandled.push(event.reason)
  })
} else {
  g.process!.on!('unhandledRejection', (reason) => unhandled.push(reason))
}

const root = new URL('../../', import.meta.url)
console.log(`matrix suites on ${version}: ${selected.length} files`)
for (const file of selected) await collectFile(file, () => import(new URL(file, root).href))

const mark = { passed: '✓', failed: '✗', skipped: '↓' } as const
const started = performance.now()
const files = await run({
  onResult(file, result: TestResult) {
    console.log(
      `  ${mark[result.status]} ${file} > ${result.fullName}${result.status === 'skipped' ? ' [skipped]' : ` (${result.duration} ms)`}`,
    )
    for (const message of result.failureMessages) console.log(message.replace(/^/gm, '      '))
  },
})
if (unhandled.length > 0) {
  files.push({
    name: '(unhandled rejections)',
    assertionResults: unhandled.map((reason, i) => ({
      ancestorTitles: [],
      title: `unhandled rejection ${i + 1}`,
      fullName: `unhandled rejection ${i + 1}`,
      status: 'failed' as const,
      duration: 0,
      failureMessages: [reason instanceof Error ? `${reason.name}: ${reason.message}` : String(reason)],
    })),
  })
  for (const reason of unhandled) console.log(`  ✗ unhandled rejection: ${reason instanceof Error ? reason.message : String(reason)}`)
}

const all = files.flatMap((f) => f.assertionResults)
const count = (status: string): number => all.filter((r) => r.status === status).length
const [passed, failed, skipped] = [count('passed'), count('failed'), count('skipped')]
console.log(
  `${version}: ${passed} passed, ${failed} failed, ${skipped} skipped in ${files.length} files (${Math.round((performance.now() - started) / 1000)} s)`,
)

const json = {
  runtime,
  version,
  numTotalTests: all.length,
  numPassedTests: passed,
  numFailedTests: failed,
  numPendingTests: skipped,
  testResults: files.map((f) => ({ name: new URL(f.name, root).pathname, assertionResults: f.assertionResults })),
}
await mkdir(new URL('test-results/matrix/', root), { recursive: true })
await writeFile(new URL(`test-results/matrix/${runtime}.json`, root), JSON.stringify(json, null, 1))

const code = failed > 0 || passed === 0 ? 1 : 0
if (passed === 0) console.log(`${version}: no test passed; a runtime that executes nothing fails the matrix`)
// Exit explicitly: a loaded ONNX session or a pending timer must not keep the process alive.
if (g.Deno) g.Deno.exit(code)
else g.process!.exit(code)
