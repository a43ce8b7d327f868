import { cloudflareTest } from '@cloudflare/vitest-plugin'
import { defineConfig } from 'vitest/config'
import { MATRIX_TESTS } from './test/matrix.ts'

// Suites running inside real workerd (Miniflare) with real KV and Durable Object bindings.
// nodejs_compat is required by vitest's own runner inside workerd; the code under test is checked to
// be fetch-only separately (test/unit/fetch-only.test.ts bundles it for the browser).
export default defineConfig({
  plugins: [
    cloudflareTest({
      miniflare: {
        compatibilityDate: '2026-11-01',
        compatibilityFlags: ['nodejs_compat'],
        kvNamespaces: ['TEST_KV'],
        // Wrangler's default rule: `import m from './x.wasm?module'` gives a precompiled WebAssembly.Module
        // (workerd refuses to compile bytes at run time). The hnsw index loads hnswlib this way.
        modulesRules: [{ type: 'CompiledWasm', include: ['**/*.wasm?module'] }],
      },
    }),
  ],
  test: {
    name: 'workerd',
    // workerd-only suites, plus the runtime matrix's portable suites (test/matrix.ts).
    include: ['test/workers/**/*.test.ts', ...MATRIX_TESTS],
    // The Worker app's suites need its own main and wrangler.toml bindings: vitest.worker.config.ts.
    exclude: ['test/workers/worker-*.test.ts'],
    // Fake Upstash/Qdrant/Pinecone servers for the remote adapter suites, started in Node.
    globalSetup: ['test/workers/remote-servers.setup.ts', 'test/workers/ai-servers.setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
})
