/**
 * npm run test:runtimes:package — the package as users get it: `npm pack` (which builds dist/), install
 * the tarball into an empty project, and use `edgemem` by name from there: the core entry, the default
 * hnsw store with its WebAssembly loaded through the published `#hnswlib` imports, and an adapter
 * subpath. Catches broken `exports`, `files` or `imports` that tests against the source cannot see.
 */
import { execFileSync } from 'node:child_process'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const ROOT = fileURLToPath(new URL('../../', import.meta.url))
const work = await mkdtemp(join(tmpdir(), 'edgemem-consumer-'))
const run = (cmd: string, args: string[], cwd: string): string =>
  execFileSync(cmd, args, {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, ONNXRUNTIME_NODE_INSTALL: 'skip' },
    stdio: ['ignore', 'pipe', 'pipe'],
  })

const APP = `
import { Memory, MemoryStorage, providerNames } from 'edgemem'
const embed = async (texts) => texts.map((t) => {
  const v = new Float32Array(16)
  for (const w of t.toLowerCase().split(/\\W+/)) if (w) v[[...w].reduce((h, c) => (h * 31 + c.charCodeAt(0)) % 16, 7)] += 1
  return v
})
const memory = new Memory({ embedder: { dimensions: 16, embed }, storage: new MemoryStorage(), vectorStore: { provider: 'hnsw', config: { exactBelow: 2 } } })
await memory.add(['I love hiking in the Alps', 'My cat is called Miso', 'I work as a nurse'].map((content) => ({ role: 'user', content })), { userId: 'u' })
const { results } = await memory.search('what is the cat called?', { userId: 'u' })
const { createQdrantVectorStore } = await import('edgemem/adapters/qdrant')
console.log(JSON.stringify({ top: results[0].memory, stores: providerNames('vectorStore'), adapter: typeof createQdrantVectorStore }))
await memory.close()
`

try {
  const tarball = run('npm', ['pack', '--silent', '--pack-destination', work], ROOT).trim().split('\n').pop()!
  const app = join(work, 'app')
  await mkdir(app)
  await writeFile(join(app, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }))
  run('npm', ['install', '--no-audit', '--no-fund', join(work, tarball)], app)
  await writeFile(join(app, 'app.mjs'), APP)
  const output = JSON.parse(run(process.execPath, ['app.mjs'], app).trim()) as { top: string; stores: string[]; adapter: string }
  const problems: string[] = []
  if (output.top !== 'My cat is called Miso') problems.push(`search found ${JSON.stringify(output.top)}`)
  for (const store of ['flat', 'hnsw', 'upstash', 'qdrant', 'pinecone'])
    if (!output.stores.includes(store)) problems.push(`${store} is not registered`)
  if (output.adapter !== 'function') problems.push('edgemem/adapters/qdrant did not export createQdrantVectorStore')
  if (problems.length > 0) throw new Error(problems.join('; '))
  console.log(`package ok: ${tarball} installs and works by name (${JSON.stringify(output)})`)
} finally {
  await rm(work, { recursive: true, force: true })
}
