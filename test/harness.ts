// The test API every shared suite uses. Vitest runs it in Node, Chromium and workerd; Deno and Bun run
// the same suites on test/runtimes/harness.ts, which deno.json's import map and the Bun preload plugin
// put in place of this module. Keep suites importing from here only (never 'vitest' directly).
export { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
export { setSystemTime, useRealTime } from './support/clock.ts'
