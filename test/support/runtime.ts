// Which runtime executes the current test file. The portable suites (test/matrix.ts) run unchanged in
// all five; this is how a suite tells which providers can exist where it runs, and says so when one
// cannot (see `cannotRunHere`).
import { it } from '../harness.ts'

export type TestRuntime = 'node' | 'deno' | 'bun' | 'chromium' | 'workerd'

function detect(): TestRuntime {
  const g = globalThis as { Deno?: unknown; Bun?: unknown; window?: unknown; document?: unknown; navigator?: { userAgent?: string } }
  // workerd first: it has a navigator but no window, like Deno and Bun.
  if (g.navigator?.userAgent === 'Cloudflare-Workers') return 'workerd'
  if (g.Deno !== undefined) return 'deno'
  if (g.Bun !== undefined) return 'bun'
  if (g.window !== undefined && g.document !== undefined) return 'chromium'
  return 'node'
}

export const runtime: TestRuntime = detect()

/**
 * Registers a skipped test that names what cannot run here and why, so a runtime's report shows the
 * gap instead of passing silently (every runner lists skipped tests by name).
 */
export function cannotRunHere(what: string, reason: string): void {
  it.skip(`${what}: cannot run in ${runtime} (${reason})`, () => {})
}
