// The runtime matrix's verdict, run by scripts/test.sh after every runtime's step:
//   node test/runtimes/matrix-report.ts
// Reads test-results/matrix/<runtime>.json (vitest's JSON reporter for Node, Chromium and workerd; the
// Deno/Bun runner writes the same shape), prints runtime x suite counts and every skipped matrix test
// with its reason, and fails when a runtime has no results, ran zero tests, failed one, or did not run a
// matrix file at all. A file whose tests are all skipped passes only when each skip says it cannot
// run in that runtime (test/support/runtime.ts `cannotRunHere`).
import { readFile } from 'node:fs/promises'
import { relative, resolve } from 'node:path'
import { MATRIX_RUNTIMES, MATRIX_TESTS } from '../matrix.ts'

interface AssertionResult {
  fullName: string
  title: string
  ancestorTitles?: string[]
  status: string
}
interface JsonReport {
  testResults: { name: string; assertionResults: AssertionResult[] }[]
}
interface Counts {
  passed: number
  failed: number
  skipped: number
  skips: string[]
}

const ROOT = resolve(import.meta.dirname, '../..')
const problems: string[] = []
const table = new Map<string, Map<string, Counts>>() // file -> runtime -> counts
const totals = new Map<string, Counts>()

const empty = (): Counts => ({ passed: 0, failed: 0, skipped: 0, skips: [] })
const fullName = (r: AssertionResult): string => (r.ancestorTitles?.length ? [...r.ancestorTitles, r.title].join(' > ') : r.fullName)

for (const runtime of MATRIX_RUNTIMES) {
  const path = resolve(ROOT, 'test-results/matrix', `${runtime}.json`)
  let report: JsonReport
  try {
    report = JSON.parse(await readFile(path, 'utf8')) as JsonReport
  } catch (error) {
    problems.push(`${runtime}: no results at ${relative(ROOT, path)} (${(error as Error).message.split('\n')[0]})`)
    continue
  }
  const total = empty()
  for (const file of report.testResults) {
    const name = relative(ROOT, file.name)
    const counts = MATRIX_TESTS.includes(name as (typeof MATRIX_TESTS)[number]) ? empty() : undefined
    for (const result of file.assertionResults) {
      const status = result.status === 'passed' ? 'passed' : result.status === 'failed' ? 'failed' : 'skipped'
      for (const c of counts ? [total, counts] : [total]) c[status]++
      if (counts && status === 'skipped') counts.skips.push(fullName(result))
    }
    if (counts) {
      if (!table.has(name)) table.set(name, new Map())
      table.get(name)!.set(runtime, counts)
    }
  }
  totals.set(runtime, total)
  if (total.passed === 0) problems.push(`${runtime}: executed zero tests`)
  if (total.failed > 0) problems.push(`${runtime}: ${total.failed} failed`)
}

const width = Math.max(...MATRIX_TESTS.map((f) => f.length))
const cell = (c: Counts | undefined): string =>
  (c ? `${c.passed}${c.skipped ? `+${c.skipped}s` : ''}${c.failed ? ` ${c.failed}F` : ''}` : '—').padStart(10)
console.log('runtime matrix (passed + skipped[s], F = failed):')
console.log(`${'suite'.padEnd(width)} ${MATRIX_RUNTIMES.map((r) => r.padStart(10)).join('')}`)
for (const file of MATRIX_TESTS) {
  const row = table.get(file)
  console.log(`${file.padEnd(width)} ${MATRIX_RUNTIMES.map((r) => cell(row?.get(r))).join('')}`)
  for (const runtime of MATRIX_RUNTIMES) {
    if (!totals.has(runtime)) continue
    const counts = row?.get(runtime)
    if (!counts) {
      problems.push(`${runtime}: did not run ${file}`)
      continue
    }
    const explained = counts.skips.every((name) => name.includes(`cannot run in ${runtime}`))
    if (counts.passed === 0 && !(counts.skipped > 0 && explained))
      problems.push(`${runtime}: ${file} executed zero tests without saying why`)
  }
}
console.log(`${'all tests of the step'.padEnd(width)} ${MATRIX_RUNTIMES.map((r) => cell(totals.get(r))).join('')}`)

console.log('\nskipped matrix tests, by runtime:')
for (const runtime of MATRIX_RUNTIMES) {
  for (const file of MATRIX_TESTS) {
    for (const name of table.get(file)?.get(runtime)?.skips ?? []) console.log(`  ${runtime.padEnd(8)} ${file}: ${name}`)
  }
}

if (problems.length > 0) {
  console.log(`\nruntime matrix FAILED:\n${problems.map((p) => `  - ${p}`).join('\n')}`)
  process.exitCode = 1
} else {
  console.log('\nruntime matrix: every suite ran in every runtime')
}
