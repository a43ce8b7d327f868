// The runtime matrix: test files that run unchanged in Node, Chromium and workerd (vitest) and in Deno
// and Bun (test/runtimes/matrix.ts). They import only from test/harness.ts; a provider that cannot exist
// in a runtime is reported there as a named skipped test (test/support/runtime.ts `cannotRunHere`).
// vitest.browser.config.ts and vitest.workers.config.ts include this list; the Node project runs all of
// test/**; test/runtimes/matrix-report.ts checks that every runtime ran every file.
export const MATRIX_TESTS = [
  'test/unit/memory/memory.test.ts',
  'test/unit/memory/memory-infer.test.ts',
  'test/unit/local/hybrid-search.test.ts',
  'test/unit/filters/filters.test.ts',
  'test/unit/local/flat-store.test.ts',
  'test/unit/local/hnsw/hnsw-store.test.ts',
  'test/unit/providers/storage/storage-conformance.test.ts',
  'test/unit/examples/storages.test.ts',
  'test/unit/providers/transformers/embedder.test.ts',
  'test/unit/memory/hostile-input.test.ts',
  'test/unit/memory/fuzz.test.ts',
  'test/unit/client/remote-memory.test.ts',
  'test/unit/local/graph-store.test.ts',
  'test/unit/memory/memory-graph.test.ts',
] as const

export const MATRIX_RUNTIMES = ['node', 'chromium', 'workerd', 'deno', 'bun'] as const
