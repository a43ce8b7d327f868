// Bun preload (`bun --preload ./test/runtimes/bun-harness-plugin.ts ...`): resolves test/harness.ts to
// the Deno/Bun runner's test API (./harness.ts), as deno.json's import map does for Deno.
import { plugin } from 'bun'

const vitestHarness = new URL('../harness.ts', import.meta.url).pathname
const runnerHarness = new URL('./harness.ts', import.meta.url).pathname

plugin({
  name: 'edgemem-test-harness',
  setup(build) {
    build.onResolve({ filter: /(^|\/)harness\.ts$/ }, (args) => {
      const resolved = new URL(args.path, `file://${args.importer}`).pathname
      return resolved === vitestHarness ? { path: runnerHarness } : undefined
    })
  },
})
