// The runtime matrix: test files that run unchanged in Node, Chromium and workerd (vitest) and in Deno
// and Bun (test/runtimes/matrix.ts). They import only from test/harness.ts; a provider that cannot exist
// in a runtime is reported there as a named skipped test (test/support/runtime.ts `cannotRunHere`).
// vitest.browser.config.ts and vitest.workers.config.ts include this list; the Node project runs all of
// test/**; test/runtimes/matrix-report.ts checks that every runtime ran every file.
export const MATRIX_TESTS = [
  'test/unit/memory.test.ts',
  'test/unit/memory-infer.test.ts',
  'test/unit/hybrid-search.test.ts',
  'test/unit/filters.test.ts',
  'test/unit/flat-store.test.ts',
  'test/unit/hnsw-store.test.ts',
  'test/unit/storage-conformance.test.ts',
  'test/unit/example-storages.test.ts',
  'test/unit/transformers-embedder.test.ts',
] as const

export const MATRIX_RUNTIMES = ['node', 'chromium', 'workerd', 'deno', 'bun'] as const
