// The test API every shared suite uses. Runners that are not vitest (bun test, the Deno runner, the
// workerd pool) resolve this module to their own equivalents; keep suites importing from here only.
export { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
