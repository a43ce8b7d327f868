/**
 * npm run bench:package — what installing edgemem costs a user, and what it weighs in a Cloudflare
 * Worker: the packed tarball installed into fresh projects (without and with @huggingface/transformers),
 * and user Workers built from it with `wrangler deploy --dry-run` (wrangler's defaults: no minification).
 * Deterministic sizes, not timings; the budgets are checked by `npm run test:runtimes:package`.
 * Writes the "Package and install size" section of BENCHMARKS.md.
 */
import { readFile, rm, mkdtemp } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import {
  buildUserWorker,
  INSTALL_BUDGET_BYTES,
  installConsumer,
  KiB,
  MB,
  pack,
  USER_WORKER,
  userEnv,
  WORKER_BUDGET_BYTES,
} from '../test/package/package-sizes.ts'
import { writeSection } from './report.ts'

const work = await mkdtemp(join(tmpdir(), 'edgemem-bench-package-'))
try {
  const tarball = pack(work)
  const tarballBytes = (await readFile(tarball)).length
  const light = await installConsumer(join(work, 'light'), tarball)
  const onDevice = await installConsumer(
    join(work, 'on-device'),
    tarball,
    ['@huggingface/transformers'],
    userEnv({ ONNXRUNTIME_NODE_INSTALL: 'skip' }),
  )

  const workers = [
    { name: 'openai embedder + `flat` store (the budget case)', source: USER_WORKER },
    {
      name: '+ `import "edgemem/hnsw"`, `hnsw` store',
      source: `import 'edgemem/hnsw'\n${USER_WORKER.replace("provider: 'flat'", "provider: 'hnsw'")}`,
    },
    {
      name: '+ `import "edgemem/adapters/qdrant"`, `qdrant` store',
      source: `import 'edgemem/adapters/qdrant'\n${USER_WORKER.replace("{ provider: 'flat' }", "{ provider: 'qdrant', config: { url: 'http://127.0.0.1:6333' } }")}`,
    },
  ]
  const rows: string[] = []
  for (const [i, worker] of workers.entries()) {
    const dir = join(work, `worker-${i}`)
    await installConsumer(dir, tarball)
    const build = await buildUserWorker(dir, worker.source)
    let wasm = 0
    for (const file of build.wasmFiles) wasm += gzipSync(await readFile(join(dir, 'out', file))).length
    rows.push(
      `| ${worker.name} | ${KiB(build.jsBytes)} | ${KiB(build.jsGzipBytes)} | ${build.wasmFiles.length ? `${KiB(wasm)} gzipped` : 'none'} |`,
    )
    console.log(rows.at(-1))
  }

  const packages = (list: { name: string; bytes: number }[]) => list.map((p) => `${p.name} ${MB(p.bytes)}`).join(', ')
  await writeSection(
    'Package and install size',
    `\`npm run bench:package\` (bench/package.bench.ts): \`npm pack\` of the repository (${KiB(tarballBytes)} tarball), installed
with npm into fresh projects, no environment variable set; sizes are the bytes of the files in their
\`node_modules\`. Budget without on-device embedding: ${MB(INSTALL_BUDGET_BYTES)} (checked by \`npm run test:runtimes:package\`).

| install | node_modules | largest packages |
| --- | --- | --- |
| \`npm install edgemem\` (embeddings elsewhere: openai, your own) | ${MB(light.bytes)} | ${packages(light.largest)} |
| \`npm install edgemem @huggingface/transformers\` (on-device; \`ONNXRUNTIME_NODE_INSTALL=skip\` offline) | ${MB(onDevice.bytes)} | ${packages(onDevice.largest)} |

A user's own Worker importing \`edgemem\` from the tarball (memory storage), built by \`wrangler deploy
--dry-run --outdir\` with no alias, stub or setting: the JavaScript wrangler would upload (the workerd
entry: light providers only) and the WebAssembly modules next to it. Budget for the first row:
${KiB(WORKER_BUDGET_BYTES)} gzipped, wasm aside. About two thirds of it is the \`openai\` package.

| Worker | JavaScript | gzipped | wasm |
| --- | --- | --- | --- |
${rows.join('\n')}
`,
  )
  console.log('BENCHMARKS.md: section "Package and install size" written')
} finally {
  await rm(work, { recursive: true, force: true })
}
