import { defineConfig } from 'vitest/config'

// End-to-end tests of the built web demo: Node drives Debian's Chromium through Playwright
// (npm run test:runtimes:e2e). One file, one browser at a time: the machine has two cores.
export default defineConfig({
  test: {
    name: 'e2e',
    root: new URL('../..', import.meta.url).pathname,
    include: ['test/e2e/**/*.e2e.ts'],
    environment: 'node',
    testTimeout: 180_000,
    hookTimeout: 180_000,
    fileParallelism: false,
  },
})
