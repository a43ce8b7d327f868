import { playwright } from '@vitest/browser-playwright'
import { defineConfig } from 'vitest/config'
import { CHROMIUM_ARGS, CHROMIUM_PATH } from './test/chromium.ts'
import { MATRIX_TESTS } from './test/matrix.ts'
import { DEFAULT_MODEL_ALIAS, hubMirrorHandler } from './test/servers/hub-mirror.ts'

// Real Chromium (Debian's, not Playwright's download) running the browser-side suites.
export default defineConfig({
  server: { fs: { allow: ['.'] } },
  // A Hugging Face hub mirror at /hub/ (the default model id served by the MiniLM-shaped stand-in), so
  // the zero-config test runs `new Memory()` exactly as users do, offline.
  plugins: [
    {
      name: 'hub-mirror',
      configureServer: (server) => void server.middlewares.use('/hub', hubMirrorHandler({ aliases: DEFAULT_MODEL_ALIAS })),
    },
  ],
  // Pre-bundled up front: discovering it mid-run makes Vite reload the page under a running test.
  optimizeDeps: { include: ['@huggingface/transformers', 'fast-check'] },
  test: {
    name: 'chromium',
    // Browser-only suites, plus the runtime matrix's portable suites (test/matrix.ts).
    include: ['test/browser/**/*.test.ts', ...MATRIX_TESTS],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    browser: {
      enabled: true,
      headless: true,
      screenshotFailures: false,
      provider: playwright({
        launchOptions: { executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS },
      }),
      instances: [{ browser: 'chromium' }],
    },
  },
})
