// The test API of test/harness.ts for Deno and Bun, which have no vitest runner. deno.json's import map
// and the Bun preload plugin (bun-harness-plugin.ts) load this module wherever a suite imports
// test/harness.ts, so the portable suites run unchanged. `expect` is vitest's own (it works outside the
// vitest runner); describe/it/hooks are a small runner with vitest's semantics for what the suites use:
// nested describe, it / it.skip / describe.skip, per-test timeouts, ctx.skip(note), before/after hooks
// (a hook may return a teardown function), files collected and run in order.
import { expect } from 'vitest'

export { expect }
export { setSystemTime, useRealTime } from '../support/clock.ts'

const DEFAULT_TIMEOUT_MS = 30_000
const HOOK_TIMEOUT_MS = 60_000

interface TestContext {
  /** Ends the test as skipped; the note is reported with it. */
  skip(note?: string): never
}
type TestFn = (ctx: TestContext) => unknown
type HookFn = () => unknown

interface Hook {
  fn: HookFn
  timeout: number
}

interface TestCase {
  kind: 'test'
  name: string
  fn: TestFn
  timeout: number
  skipped: boolean
}

interface Suite {
  kind: 'suite'
  name: string
  file: string
  skipped: boolean
  children: (TestCase | Suite)[]
  beforeAll: Hook[]
  afterAll: Hook[]
  beforeEach: Hook[]
  afterEach: Hook[]
}

export type TestStatus = 'passed' | 'failed' | 'skipped'

/** One test's outcome, in the shape of vitest's JSON reporter (assertionResults) so one tool reads both. */
export interface TestResult {
  ancestorTitles: string[]
  title: string
  fullName: string
  status: TestStatus
  duration: number
  failureMessages: string[]
}

export interface FileResult {
  name: string
  assertionResults: TestResult[]
}

class SkipSignal extends Error {
  readonly note: string | undefined
  constructor(note: string | undefined) {
    super(note ?? 'skipped')
    this.note = note
  }
}

const files: Suite[] = []
let current: Suite | undefined

function newSuite(name: string, file: string, skipped: boolean): Suite {
  return { kind: 'suite', name, file, skipped, children: [], beforeAll: [], afterAll: [], beforeEach: [], afterEach: [] }
}

function collecting(what: string): Suite {
  if (!current) throw new Error(`${what} called outside a test file being collected (use collectFile)`)
  return current
}

function defineSuite(name: string, body: () => void, skipped: boolean): void {
  const parent = collecting('describe')
  const suite = newSuite(name, parent.file, skipped || parent.skipped)
  parent.children.push(suite)
  current = suite
  try {
    const result = body() as unknown
    if (result instanceof Promise) throw new Error(`describe("${name}") callback must be synchronous`)
  } finally {
    current = parent
  }
}

function defineTest(name: string, fn: TestFn | undefined, timeout: unknown, skipped: boolean): void {
  const parent = collecting('it')
  if (timeout !== undefined && typeof timeout !== 'number')
    throw new Error(`it("${name}"): only a numeric timeout is supported as third argument`)
  parent.children.push({
    kind: 'test',
    name,
    fn: fn ?? (() => {}),
    timeout: timeout ?? DEFAULT_TIMEOUT_MS,
    skipped: skipped || parent.skipped || !fn,
  })
}

export const describe = Object.assign((name: string, body: () => void) => defineSuite(name, body, false), {
  skip: (name: string, body: () => void) => defineSuite(name, body, true),
})

export const it = Object.assign((name: string, fn?: TestFn, timeout?: number) => defineTest(name, fn, timeout, false), {
  skip: (name: string, fn?: TestFn, timeout?: number) => defineTest(name, fn, timeout, true),
})

const hook =
  (kind: 'beforeAll' | 'afterAll' | 'beforeEach' | 'afterEach') =>
  (fn: HookFn, timeout: number = HOOK_TIMEOUT_MS): void => {
    collecting(kind)[kind].push({ fn, timeout })
  }
export const beforeAll = hook('beforeAll')
export const afterAll = hook('afterAll')
export const beforeEach = hook('beforeEach')
export const afterEach = hook('afterEach')

/** Imports one test file with its top-level describe/it/hooks collected under a suite of its own. */
export async function collectFile(file: string, load: () => Promise<unknown>): Promise<void> {
  const suite = newSuite(file, file, false)
  files.push(suite)
  current = suite
  try {
    await load()
  } catch (error) {
    // A file that cannot even load fails loudly as a test of its own.
    suite.children.push({
      kind: 'test',
      name: '(file failed to load)',
      fn: () => Promise.reject(error),
      timeout: DEFAULT_TIMEOUT_MS,
      skipped: false,
    })
  } finally {
    current = undefined
  }
}

function withTimeout(run: () => unknown, ms: number, what: string): Promise<unknown> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms)
  })
  return Promise.race([Promise.resolve().then(run), timeout]).finally(() => clearTimeout(timer))
}

function describeError(error: unknown): string {
  if (error instanceof Error) {
    const stack = (error.stack ?? '')
      .split('\n')
      .filter((line) => /^\s+at /.test(line) && !line.includes('/node_modules/'))
      .slice(0, 3)
    return [`${error.name}: ${error.message}`, ...stack].join('\n')
  }
  return String(error)
}

/** Runs a hook; a teardown function it returns is queued on `teardowns`. */
async function runHook(h: Hook, what: string, teardowns: HookFn[]): Promise<void> {
  const result = await withTimeout(h.fn, h.timeout, what)
  if (typeof result === 'function') teardowns.push(result as HookFn)
}

export interface RunOptions {
  /** Called for every finished test, in order (for live output). */
  onResult?: (file: string, result: TestResult) => void
}

/** Runs every collected file in order and returns vitest-JSON-shaped results per file. */
export async function run(options: RunOptions = {}): Promise<FileResult[]> {
  const out: FileResult[] = []
  for (const file of files) {
    const results: TestResult[] = []
    const report = (ancestors: string[], title: string, status: TestStatus, duration: number, failure?: string, note?: string): void => {
      const shownTitle = note ? `${title} [${note}]` : title
      const result: TestResult = {
        ancestorTitles: ancestors,
        title: shownTitle,
        fullName: [...ancestors, shownTitle].join(' > '),
        status,
        duration: Math.round(duration),
        failureMessages: failure ? [failure] : [],
      }
      results.push(result)
      options.onResult?.(file.file, result)
    }
    await runSuite(file, [], [], [], report)
    out.push({ name: file.file, assertionResults: results })
  }
  return out
}

type Report = (ancestors: string[], title: string, status: TestStatus, duration: number, failure?: string, note?: string) => void

function allTests(suite: Suite, ancestors: string[]): [string[], TestCase][] {
  return suite.children.flatMap((child) =>
    child.kind === 'test' ? [[ancestors, child] as [string[], TestCase]] : allTests(child, [...ancestors, child.name]),
  )
}

async function runSuite(suite: Suite, ancestors: string[], outerBeforeEach: Hook[], outerAfterEach: Hook[], report: Report): Promise<void> {
  const titles = ancestors
  const hasRunnable = allTests(suite, titles).some(([, t]) => !t.skipped)
  const suiteTeardowns: HookFn[] = []
  if (hasRunnable) {
    try {
      for (const h of suite.beforeAll) await runHook(h, `beforeAll of "${suite.name}"`, suiteTeardowns)
    } catch (error) {
      for (const [names, t] of allTests(suite, titles)) report(names, t.name, 'failed', 0, `beforeAll failed: ${describeError(error)}`)
      await runAfterAll(suite, suiteTeardowns, titles, report)
      return
    }
  }
  const beforeEach = [...outerBeforeEach, ...suite.beforeEach]
  const afterEach = [...suite.afterEach, ...outerAfterEach]
  for (const child of suite.children) {
    if (child.kind === 'suite') await runSuite(child, [...titles, child.name], beforeEach, afterEach, report)
    else await runTest(child, titles, beforeEach, afterEach, report)
  }
  if (hasRunnable) await runAfterAll(suite, suiteTeardowns, titles, report)
}

async function runAfterAll(suite: Suite, teardowns: HookFn[], titles: string[], report: Report): Promise<void> {
  const hooks: Hook[] = [...teardowns.reverse().map((fn) => ({ fn, timeout: HOOK_TIMEOUT_MS })), ...suite.afterAll]
  for (const h of hooks) {
    try {
      await withTimeout(h.fn, h.timeout, `afterAll of "${suite.name}"`)
    } catch (error) {
      report(titles, '(afterAll hook)', 'failed', 0, describeError(error))
    }
  }
}

async function runTest(t: TestCase, titles: string[], beforeEach: Hook[], afterEach: Hook[], report: Report): Promise<void> {
  if (t.skipped) {
    report(titles, t.name, 'skipped', 0)
    return
  }
  const started = performance.now()
  const teardowns: HookFn[] = []
  let failure: string | undefined
  let note: string | undefined
  let skipped = false
  const ctx: TestContext = {
    skip(reason?: string): never {
      throw new SkipSignal(reason)
    },
  }
  try {
    for (const h of beforeEach) await runHook(h, 'beforeEach', teardowns)
    await withTimeout(() => t.fn(ctx), t.timeout, `test "${t.name}"`)
  } catch (error) {
    if (error instanceof SkipSignal) {
      skipped = true
      note = error.note
    } else failure = describeError(error)
  }
  const after: Hook[] = [...teardowns.reverse().map((fn) => ({ fn, timeout: HOOK_TIMEOUT_MS })), ...afterEach]
  for (const h of after) {
    try {
      await withTimeout(h.fn, h.timeout, 'afterEach')
    } catch (error) {
      failure ??= `afterEach failed: ${describeError(error)}`
    }
  }
  const status: TestStatus = failure ? 'failed' : skipped ? 'skipped' : 'passed'
  report(titles, t.name, status, performance.now() - started, failure, note)
}
