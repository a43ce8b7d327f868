import { defineConfig } from 'vitest/config'

// One project per runtime. Node runs the unit, pipeline and conformance tests; the browser and
// workerd projects live in their own config files (vitest.browser.config.ts, vitest.workers.config.ts).
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'node',
          include: ['test/**/*.test.ts'],
          exclude: ['test/browser/**', 'test/workers/**', 'test/e2e/**', 'node_modules/**'],
          environment: 'node',
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
})
