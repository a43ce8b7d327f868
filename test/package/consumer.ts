/**
 * npm run test:runtimes:package — the package as users get it (run by `npm test`). `npm pack` once, then:
 * 1. publint and @arethetypeswrong/cli on the tarball;
 * 2. a fresh project installs it with no environment variable (no transformers): it must succeed, add at
 *    most 50 MB to node_modules, work by name (core, the hnsw store through the published `#hnswlib`
 *    imports, an adapter subpath), fail the zero-config Memory with the error naming
 *    @huggingface/transformers, and type-check under moduleResolution node16, nodenext and bundler (a
 *    typed config accepted; a misspelled key and an unknown provider refused; node10 is attw's check);
 *    and its bin, as `npx edgemem mcp` runs it, serves the MCP tools to the real SDK client with no SDK
 *    installed (and without transformers.js or an endpoint exits 1 saying how to run it);
 * 3. a project that also installs @huggingface/transformers runs `new Memory()` on the device;
 * 4. a user's Worker importing `edgemem` (openai embedder, flat store) is built with `wrangler deploy
 *    --dry-run` (at most 250 KiB gzipped, no .wasm) and answers add and search under `wrangler dev`.
 */
import { existsSync } from 'node:fs'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startHubMirror } from '../servers/hub-mirror.ts'
import { startOpenAITestServer } from '../servers/openai.ts'
import { RANDOM_MODEL } from '../support/models.ts'
import { startWranglerDev } from '../worker-smoke/wrangler-dev.ts'
import {
  BIN,
  buildUserWorker,
  INSTALL_BUDGET_BYTES,
  installConsumer,
  KiB,
  MB,
  pack,
  run,
  runAsync,
  userEnv,
  WORKER_BUDGET_BYTES,
} from './package-sizes.ts'

const work = await mkdtemp(join(tmpdir(), 'edgemem-consumer-'))
const problems: string[] = []
const check = (ok: boolean, problem: string): void => {
  if (!ok) problems.push(problem)
}

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
let zeroConfig
try { await new Memory().add('x', { userId: 'u' }) } catch (error) { zeroConfig = error.name + ': ' + error.message }
console.log(JSON.stringify({ top: results[0].memory, stores: providerNames('vectorStore'), adapter: typeof createQdrantVectorStore, zeroConfig }))
await memory.close()
`

const TYPES = `import { Memory, type MemoryConfig } from 'edgemem'
import { QdrantVectorStore } from 'edgemem/adapters/qdrant'
import type { TransformersEmbedderOptions } from 'edgemem/transformers'

export const ok: MemoryConfig = {
  embedder: { provider: 'openai', config: { apiKey: 'sk', model: 'text-embedding-3-small' } },
  vectorStore: { provider: 'qdrant', config: { url: 'http://localhost:6333' } },
}
export const options: TransformersEmbedderOptions = { model: 'Xenova/all-MiniLM-L6-v2' }
// @ts-expect-error misspelled key
export const typo: MemoryConfig = { embedder: { provider: 'openai', config: { apikey: 'sk' } } }
// @ts-expect-error unknown provider
export const unknown: MemoryConfig = { vectorStore: { provider: 'chroma' } }
export const memory = new Memory(ok)
export type Store = QdrantVectorStore
`

// TypeScript 7 has dropped moduleResolution node10 ("node"); attw above checks every entrypoint under it
// with its own TypeScript 5 (typesVersions), so a user on an older TypeScript finds the types too.
const RESOLUTIONS = [
  { moduleResolution: 'node16', module: 'node16' },
  { moduleResolution: 'nodenext', module: 'nodenext' },
  { moduleResolution: 'bundler', module: 'esnext' },
]

const ON_DEVICE = `
import { env } from '@huggingface/transformers'
import { Memory } from 'edgemem'
env.remoteHost = process.env.HUB
env.cacheDir = process.env.HUB_CACHE
const memory = new Memory()
await memory.add(['Plays the cello', 'Is allergic to nuts'].map((content) => ({ role: 'user', content })), { userId: 'u' })
const { results } = await memory.search('Plays the cello', { userId: 'u', topK: 1 })
console.log(JSON.stringify({ top: results[0].memory }))
await memory.close()
`

try {
  const tarball = pack(work)

  // 1. publint and attw (ESM-only by design: require() of it is reported by attw and not a problem on Node >= 22).
  try {
    run(join(BIN, 'publint'), [tarball], work)
    run(join(BIN, 'attw'), [tarball, '--ignore-rules', 'cjs-resolves-to-esm', '--exclude-entrypoints', 'hnswlib.wasm'], work)
  } catch (error) {
    problems.push(`publint/attw: ${(error as { stdout?: string }).stdout ?? error}`)
  }

  // 2. Without transformers: installs with no variable set, light, works by name, types resolve everywhere.
  const light = await installConsumer(join(work, 'light'), tarball)
  check(
    light.bytes <= INSTALL_BUDGET_BYTES,
    `installing edgemem added ${MB(light.bytes)} to node_modules (budget ${MB(INSTALL_BUDGET_BYTES)})`,
  )
  await writeFile(join(light.dir, 'app.mjs'), APP)
  const output = JSON.parse(run(process.execPath, ['app.mjs'], light.dir).trim()) as {
    top: string
    stores: string[]
    adapter: string
    zeroConfig?: string
  }
  check(output.top === 'My cat is called Miso', `search found ${JSON.stringify(output.top)}`)
  for (const store of [
    'flat',
    'hnsw',
    'upstash',
    'qdrant',
    'pinecone',
    'azure_ai_search',
    's3_vectors',
    'neptune',
    'chroma',
    'elasticsearch',
    'opensearch',
    'weaviate',
    'milvus',
  ])
    check(output.stores.includes(store), `${store} is not registered`)
  check(output.adapter === 'function', 'edgemem/adapters/qdrant did not export createQdrantVectorStore')
  check(
    /^ConfigError: .*npm install @huggingface\/transformers/.test(output.zeroConfig ?? ''),
    `zero-config without transformers: ${output.zeroConfig}`,
  )
  await writeFile(join(light.dir, 'types.ts'), TYPES)
  for (const { moduleResolution, module } of RESOLUTIONS) {
    try {
      run(
        process.execPath,
        [
          join(BIN, 'tsc'),
          '--noEmit',
          '--strict',
          '--skipLibCheck',
          'false',
          '--module',
          module,
          '--moduleResolution',
          moduleResolution,
          '--target',
          'es2022',
          '--lib',
          'es2023,dom',
          'types.ts',
        ],
        light.dir,
      )
    } catch (error) {
      problems.push(`types under moduleResolution ${moduleResolution}: ${(error as { stdout?: string }).stdout ?? error}`)
    }
  }
  console.log(
    `package: installs offline-safe with no variable: ${MB(light.bytes)} (${light.largest.map((p) => `${p.name} ${MB(p.bytes)}`).join(', ')})`,
  )

  // The bin as `npx edgemem mcp` runs it from that install, driven by the real MCP SDK client over stdio:
  // the project has neither the SDK (the bin bundles its server) nor transformers.js (so the embedder is
  // an OpenAI-compatible endpoint, and without one the bin says how to run it).
  check(!existsSync(join(light.dir, 'node_modules/@modelcontextprotocol')), 'installing edgemem installed the MCP SDK')
  const mcpEmbeddings = await startOpenAITestServer()
  try {
    const { Client } = await import('@modelcontextprotocol/sdk/client/index.js')
    const { StdioClientTransport } = await import('@modelcontextprotocol/sdk/client/stdio.js')
    const client = new Client({ name: 'package-test', version: '1.0.0' })
    const env = userEnv({ EDGEMEM_EMBEDDING_BASE_URL: mcpEmbeddings.baseURL, EDGEMEM_DIR: join(work, 'mcp-memories') })
    await client.connect(
      new StdioClientTransport({
        command: 'npx',
        args: ['--no-install', 'edgemem', 'mcp'],
        cwd: light.dir,
        env: env as Record<string, string>,
        stderr: 'pipe',
      }),
    )
    try {
      const { tools } = await client.listTools()
      check(
        tools.some((t) => t.name === 'add_memory'),
        `npx edgemem mcp lists ${tools.map((t) => t.name)}`,
      )
      await client.callTool({ name: 'add_memory', arguments: { text: 'Keeps bees on the roof' } })
      const found = (await client.callTool({ name: 'search_memories', arguments: { query: 'Keeps bees on the roof' } })) as {
        structuredContent?: { results?: { memory: string }[] }
      }
      check(
        found.structuredContent?.results?.[0]?.memory === 'Keeps bees on the roof',
        `npx edgemem mcp search answered ${JSON.stringify(found)}`,
      )
    } finally {
      await client.close()
    }
  } catch (error) {
    problems.push(`npx edgemem mcp from the light install: ${error}`)
  } finally {
    await mcpEmbeddings.close()
  }
  try {
    await runAsync('npx', ['--no-install', 'edgemem', 'mcp', '--dir', join(work, 'mcp-none')], light.dir)
    problems.push('npx edgemem mcp without transformers.js or an embedding endpoint started serving')
  } catch (error) {
    const { code, stderr } = error as { code?: number; stderr?: string }
    check(
      code === 1 && /npx -y -p edgemem -p @huggingface\/transformers edgemem mcp/.test(stderr ?? ''),
      `npx edgemem mcp without transformers.js: exit ${code}, ${stderr}`,
    )
  }
  console.log('package: npx edgemem mcp serves the tools from the light install (no MCP SDK installed)')

  // 3. With transformers (installed as its docs say): the zero-config Memory embeds on the device.
  const onDevice = await installConsumer(
    join(work, 'on-device'),
    tarball,
    ['@huggingface/transformers'],
    userEnv({ ONNXRUNTIME_NODE_INSTALL: 'skip' }),
  )
  const hub = await startHubMirror({ aliases: { 'Xenova/all-MiniLM-L6-v2': RANDOM_MODEL } })
  try {
    await writeFile(join(onDevice.dir, 'app.mjs'), ON_DEVICE)
    const env = userEnv({ HUB: hub.url, HUB_CACHE: join(work, 'hub-cache') })
    // Asynchronous: the hub mirror lives in this process and must keep answering meanwhile.
    const { top } = JSON.parse((await runAsync(process.execPath, ['app.mjs'], onDevice.dir, env)).trim()) as { top: string }
    check(top === 'Plays the cello', `zero-config on the device found ${JSON.stringify(top)}`)
  } finally {
    await hub.close()
  }
  console.log(`package: with @huggingface/transformers: ${MB(onDevice.bytes)}; new Memory() embeds on the device`)

  // 4. A user's Worker from the tarball: size budget, no wasm, and it answers under wrangler dev.
  const worker = await buildUserWorker(light.dir)
  check(
    worker.jsGzipBytes <= WORKER_BUDGET_BYTES,
    `the user's Worker is ${KiB(worker.jsGzipBytes)} gzipped (budget ${KiB(WORKER_BUDGET_BYTES)})`,
  )
  check(worker.wasmFiles.length === 0, `the user's Worker ships wasm it does not use: ${worker.wasmFiles.join(', ')}`)
  const embeddings = await startOpenAITestServer()
  const dev = await startWranglerDev({ EMBEDDING_BASE_URL: embeddings.baseURL }, { cwd: light.dir })
  try {
    for (const text of ['I play the cello in an orchestra', 'My sister lives in Porto']) {
      const added = (await (await fetch(`${dev.url}/add`, { method: 'POST', body: text })).json()) as { results: unknown[] }
      check(added.results?.length === 1, `the Worker's add answered ${JSON.stringify(added)}`)
    }
    const found = (await (await fetch(`${dev.url}/search?q=${encodeURIComponent('I play the cello in an orchestra')}`)).json()) as {
      results: { memory: string }[]
    }
    check(found.results?.[0]?.memory === 'I play the cello in an orchestra', `the Worker's search answered ${JSON.stringify(found)}`)
  } catch (error) {
    problems.push(`the Worker under wrangler dev: ${error}\n${dev.output()}`)
  } finally {
    await dev.stop()
    await embeddings.close()
  }
  console.log(
    `package: a user's Worker (openai + flat) bundles to ${KiB(worker.jsGzipBytes)} gzipped, no wasm, and answers under wrangler dev`,
  )

  if (problems.length > 0) throw new Error(`package: ${problems.length} problem(s):\n- ${problems.join('\n- ')}`)
  console.log('package: all checks passed')
} finally {
  await rm(work, { recursive: true, force: true })
}
