// Runs the shared hnsw AnnIndex suite (including the cross-runtime golden fingerprint) in whatever
// runtime executes this file:
//   node test/runtimes/hnsw.ts | deno run --allow-read test/runtimes/hnsw.ts | bun test/runtimes/hnsw.ts
// `npm run test:runtimes` runs all three. Exits non-zero when a case fails.
import { createHnswIndexFactory } from '../../src/local/hnsw/index.ts'
import { describeHnswAnnIndexSuite } from '../hnsw/ann-index-suite.ts'
import { describe, expect, it, run } from './mini-harness.ts'

const g = globalThis as {
  Deno?: { version: { deno: string } }
  Bun?: { version: string }
  process?: { versions: { node: string }; exitCode?: number }
}
const runtime = g.Deno ? `deno ${g.Deno.version.deno}` : g.Bun ? `bun ${g.Bun.version}` : `node ${g.process?.versions.node}`
const wasmSource = await import('#hnswlib/wasm')
console.log(`hnsw AnnIndex on ${runtime}, wasm from the "${wasmSource.variant}" module (${wasmSource.wasmUrl?.href ?? 'bundled'})`)

describeHnswAnnIndexSuite(runtime, () => createHnswIndexFactory(), { describe, expect, it })
it('gets the wasm the way this runtime should (package.json "imports" conditions)', () => {
  // Node cannot fetch file: URLs, so it reads the file; Deno and Bun fetch it like a browser.
  expect(wasmSource.variant).toBe(g.Deno || g.Bun ? 'fetch' : 'node')
})
const { failed } = await run()
if (failed > 0) {
  if (g.Deno) (g.Deno as unknown as { exit(code: number): never }).exit(1)
  if (g.process) g.process.exitCode = 1
}
