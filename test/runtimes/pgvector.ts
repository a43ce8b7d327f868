// The pgvector adapter's conformance suite in Deno and Bun, against a real Postgres (PGlite + pgvector)
// served on 127.0.0.1 by pglite-socket in the same process; the postgres driver connects over each
// runtime's own TCP (node:net compatibility):
//   deno run --cached-only --allow-read --allow-env --allow-net=127.0.0.1 --allow-sys --allow-ffi test/runtimes/pgvector.ts
//   bun --preload ./test/runtimes/bun-harness-plugin.ts test/runtimes/pgvector.ts
// Exits non-zero when a test failed or none ran.
import { describeVectorStoreConformance } from '../conformance/vector-store.ts'
import { makeAdapter, uniqueCollection } from '../remote/support/fixtures.ts'
import { startPgliteServer } from '../servers/pglite.ts'
import { runtime } from '../support/runtime.ts'
import { collectFile, run } from './harness.ts'

const g = globalThis as { Deno?: { exit(code: number): never }; process?: { exit(code: number): never } }
const pg = await startPgliteServer()
const urls = {
  upstash: { url: '', token: '' },
  qdrant: { url: '', apiKey: '' },
  pinecone: { url: '', apiKey: '' },
  pgvector: { connectionString: pg.connectionString },
}
await collectFile('pgvector', async () => {
  describeVectorStoreConformance(
    `pgvector (${runtime})`,
    async () => {
      const collection = uniqueCollection('r')
      return { store: makeAdapter('pgvector', urls, collection), reopen: async () => makeAdapter('pgvector', urls, collection) }
    },
    { dimensions: 8 },
  )
})
let passed = 0
let failed = 0
await run({
  onResult(_file, result) {
    if (result.status === 'passed') passed++
    if (result.status === 'failed') failed++
    console.log(`  ${result.status === 'passed' ? '✓' : result.status === 'failed' ? '✗' : '↓'} ${result.fullName}`)
    for (const message of result.failureMessages) console.log(message.replace(/^/gm, '      '))
  },
})
await pg.close()
console.log(`pgvector on ${runtime}: ${passed} passed, ${failed} failed`)
const exit = g.Deno ? g.Deno.exit : g.process!.exit
exit(failed > 0 || passed === 0 ? 1 : 0)
