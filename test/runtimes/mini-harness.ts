// A minimal describe/it runner for the scripts under test/runtimes (Deno and Bun run them directly, no
// test framework). `expect` is vitest's own, which works outside the vitest runner in every runtime,
// so the shared suites keep their assertions unchanged.
import { expect } from 'vitest'

export { expect }

interface Case {
  name: string
  fn: () => unknown
}

const cases: Case[] = []
const prefix: string[] = []

export function describe(name: string, body: () => void): void {
  prefix.push(name)
  try {
    body()
  } finally {
    prefix.pop()
  }
}

export function it(name: string, fn: () => unknown): void {
  cases.push({ name: [...prefix, name].join(' > '), fn })
}

/** Runs every registered case in order; prints one line per case and the closing count line. */
export async function run(): Promise<{ passed: number; failed: number }> {
  let passed = 0
  let failed = 0
  for (const c of cases) {
    const started = performance.now()
    try {
      await c.fn()
      passed++
      console.log(`  ok   ${c.name} (${Math.round(performance.now() - started)} ms)`)
    } catch (error) {
      failed++
      console.log(`  FAIL ${c.name}: ${error instanceof Error ? error.message : String(error)}`)
    }
  }
  console.log(`${passed} passed, ${failed} failed`)
  return { passed, failed }
}
