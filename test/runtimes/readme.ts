import { existsSync } from 'node:fs'
/**
 * npm run test:runtimes:readme — README.md's commands and snippets, run as written, in order, on a copy
 * of this checkout (run by `npm test`). Every fenced block is accounted for: run, or exempt for a stated
 * reason (a new block fails the test until it is one or the other). Only what cannot exist here is
 * substituted: the clone URL is this checkout, the Hugging Face hub is a loopback mirror serving the
 * random stand-in model under the default id, and api.openai.com is the OpenAI-compatible test server
 * (the snippet's fetch calls are redirected to it).
 */
import { execFile } from 'node:child_process'
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { startHubMirror } from '../servers/hub-mirror.ts'
import { startOpenAITestServer } from '../servers/openai.ts'
import { RANDOM_MODEL } from '../support/models.ts'
import { ROOT } from '../package/package-sizes.ts'

interface Block {
  lang: string
  code: string
}

const readme = await readFile(join(ROOT, 'README.md'), 'utf8')
const blocks: Block[] = [...readme.matchAll(/^```(\w*)\n([\s\S]*?)^```$/gm)].map((m) => ({ lang: m[1]!, code: m[2]! }))

const EXEMPT: { match: RegExp; why: string }[] = [
  { match: /npx wrangler deploy/, why: 'deploying needs a Cloudflare account; the Worker runs under wrangler dev in test:runtimes:worker' },
  {
    match: /^npm start\s.*\nnpm test\s/m,
    why: 'this test runs inside npm test; CI runs npm test and test:runtimes:e2e runs the demo as npm start builds it',
  },
]

const work = await mkdtemp(join(tmpdir(), 'edgemem-readme-'))
const app = join(work, 'my-app')
const clone = join(work, 'edgemem')
// Asynchronous: the servers below live in this process and must keep answering.
const exec = promisify(execFile)
const sh = async (code: string, cwd: string, env: Record<string, string> = {}): Promise<string> => {
  const { stdout, stderr } = await exec('bash', ['-euo', 'pipefail', '-c', code], {
    cwd,
    env: { ...process.env, ...env },
    maxBuffer: 64 * 1024 * 1024,
  })
  return `${stdout}${stderr}`
}
const node = async (file: string, env: Record<string, string> = {}): Promise<string> =>
  (await exec(process.execPath, [file], { cwd: app, env: { ...process.env, ...env } })).stdout

const hub = await startHubMirror({ aliases: { 'Xenova/all-MiniLM-L6-v2': RANDOM_MODEL } })
// OpenAI's text-embedding-3-small answers 1536-d vectors (the provider checks the size it is published with).
const llm = await startOpenAITestServer({ apiKey: 'sk-readme', dimensions: 1536 })
llm.chat.handler = () => ({
  content: JSON.stringify({
    operations: [
      { event: 'ADD', text: 'Is vegetarian' },
      { event: 'ADD', text: 'Is allergic to nuts' },
    ],
  }),
})

/** The snippet's requests to api.openai.com go to the test server instead (the only network here). */
const REDIRECT_OPENAI = `const realFetch = globalThis.fetch
globalThis.fetch = (input, init) => {
  const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url
  const target = url.replace('https://api.openai.com/v1', process.env.OPENAI_TEST_BASE_URL)
  return realFetch(typeof input === 'string' || input instanceof URL ? target : new Request(target, input), init)
}
`

const steps: { test: (b: Block) => boolean; run: (b: Block) => Promise<void>; name: string }[] = [
  {
    name: 'install from a tarball',
    test: (b) => b.lang === 'sh' && b.code.includes('git clone <repository URL>'),
    run: async (b) => {
      const out = await sh(b.code.replace('<repository URL>', ROOT), work)
      // npm prints no 'added N packages' summary under CI=true, so check what the install left behind.
      const installed = join(work, 'my-app', 'node_modules', 'edgemem', 'package.json')
      if (!existsSync(installed)) throw new Error(`npm install left no ${installed}:\n${out}`)
    },
  },
  {
    name: 'install transformers.js',
    test: (b) => b.lang === 'sh' && b.code.includes('npm install @huggingface/transformers'),
    run: async (b) => void (await sh(b.code, app)),
  },
  {
    name: 'zero-config quickstart',
    test: (b) => b.lang === 'ts' && b.code.includes('const memory = new Memory()\n'),
    run: async (b) => {
      const preamble = `import { env } from '@huggingface/transformers'\nenv.remoteHost = process.env.HUB\nenv.cacheDir = process.env.HUB_CACHE\n`
      await writeFile(join(app, 'zero-config.mts'), `${preamble}${b.code}\nconsole.log(JSON.stringify(results.map((r) => r.memory)))\n`)
      const out = await node('zero-config.mts', { HUB: hub.url, HUB_CACHE: join(work, 'hub-cache') })
      if (!out.includes('I am vegetarian and allergic to nuts')) throw new Error(`zero-config search returned ${out}`)
    },
  },
  {
    name: 'OpenAI-compatible quickstart',
    test: (b) => b.lang === 'ts' && b.code.includes("provider: 'openai'") && b.code.includes('memory.history'),
    run: async (b) => {
      await writeFile(
        join(app, 'openai.mts'),
        `${REDIRECT_OPENAI}${b.code}\nconsole.log(JSON.stringify(await memory.history(results[0].id)))\n`,
      )
      const out = await node('openai.mts', { OPENAI_API_KEY: 'sk-readme', OPENAI_TEST_BASE_URL: llm.baseURL })
      if (!/"event":"ADD".*"event":"UPDATE"/.test(out)) throw new Error(`history after update: ${out}`)
    },
  },
  {
    name: 'custom embedder',
    test: (b) => b.lang === 'ts' && b.code.includes('myModel.encode'),
    run: async (b) => {
      // The app's own model, as the snippet assumes one: a fixed 384-d vector per text.
      const preamble = `import { Memory } from 'edgemem'\nconst myModel = { encode: async (texts) => texts.map((t) => Float32Array.from({ length: 384 }, (_, i) => Math.sin(i + t.length))) }\n`
      await writeFile(
        join(app, 'custom.mts'),
        `${preamble}${b.code}\nconsole.log((await memory.getAll({ userId: 'bob' })).results[0].memory)\n`,
      )
      const out = await node('custom.mts')
      if (!out.includes('Prefers window seats')) throw new Error(`custom embedder: ${out}`)
    },
  },
  {
    name: 'install the MCP SDK',
    test: (b) => b.lang === 'sh' && b.code.includes('npm install @modelcontextprotocol/sdk'),
    run: async (b) => void (await sh(b.code, app)),
  },
  {
    name: 'MCP client config: the bin from the installed package answers tools/list',
    test: (b) => b.lang === 'json' && b.code.includes('"mcpServers"'),
    run: async (b) => {
      // The config as an MCP client runs it, in the app that installed edgemem and transformers.js from
      // the tarball (npx finds both there: nothing is fetched), through the real SDK client over stdio.
      const { command, args } = (JSON.parse(b.code) as { mcpServers: { edgemem: { command: string; args: string[] } } }).mcpServers.edgemem
      const { Client } = await import('@modelcontextprotocol/sdk/client/index.js')
      const { StdioClientTransport } = await import('@modelcontextprotocol/sdk/client/stdio.js')
      const env = { ...(process.env as Record<string, string>), EDGEMEM_DIR: join(work, 'mcp-memories') }
      const client = new Client({ name: 'readme', version: '1.0.0' })
      await client.connect(new StdioClientTransport({ command, args, cwd: app, env, stderr: 'pipe' }))
      try {
        const { tools } = await client.listTools()
        for (const name of ['add_memory', 'search_memories', 'list_entities'])
          if (!tools.some((t) => t.name === name))
            throw new Error(`${command} ${args.join(' ')} lists no ${name}: ${tools.map((t) => t.name)}`)
      } finally {
        await client.close()
      }
    },
  },
  {
    name: 'examples in Node and Bun',
    test: (b) => b.lang === 'sh' && b.code.includes('node examples/node.ts'),
    run: async (b) => {
      // The state `npm test` leaves: the stand-in models built (the same files as this checkout's).
      // An earlier block may already have built them in the copy (CI's checkout has no models of its own
      // until npm test builds them); those are the same files, so they stay.
      if (!existsSync(join(clone, '.cache/models'))) {
        await mkdir(join(clone, '.cache'), { recursive: true })
        await symlink(join(ROOT, '.cache/models'), join(clone, '.cache/models'))
      }
      const out = await sh(b.code, clone)
      for (const expected of ['best match: I play the cello in an orchestra', 'best match: My sister Ana lives in Porto'])
        if (!out.includes(expected)) throw new Error(`examples printed:\n${out}`)
    },
  },
  {
    name: 'export and import',
    test: (b) => b.lang === 'ts' && b.code.includes('encodeJsonLines(memory.export('),
    run: async (b) => {
      // The two Memories the snippet assumes, with an embedder that names its model (so vectors are reused).
      const preamble = `const embedder = { model: 'readme-sines', dimensions: 8, embed: async (texts) => texts.map((t) => Float32Array.from({ length: 8 }, (_, i) => Math.sin(i + t.length) + 1.5)) }
const memory = new Memory({ embedder, vectorStore: { provider: 'flat' } })
await memory.add('Likes green tea', { userId: 'alice' })
const other = new Memory({ embedder, vectorStore: { provider: 'flat' } })
`
      await writeFile(
        join(app, 'portable.mts'),
        `${preamble}${b.code}\nconsole.log(JSON.stringify(result), (await other.getAll({ userId: 'alice' })).results[0].memory)\n`,
      )
      const out = await node('portable.mts')
      if (!out.includes('"imported":1') || !out.includes('"reembedded":0') || !out.includes('Likes green tea'))
        throw new Error(`export and import: ${out}`)
    },
  },
]

let ran = 0
try {
  for (const block of blocks) {
    const exempt = EXEMPT.find((e) => e.match.test(block.code))
    if (exempt) {
      console.log(`readme: skipped (${exempt.why}): ${block.code.split('\n')[0]}`)
      continue
    }
    const step = steps.find((s) => s.test(block))
    if (!step) throw new Error(`README block neither run nor exempt by this test:\n${block.code}`)
    const started = Date.now()
    await step.run(block)
    ran++
    console.log(`readme: ok ${step.name} (${((Date.now() - started) / 1000).toFixed(1)} s)`)
  }
  if (ran !== steps.length) throw new Error(`ran ${ran} README blocks, expected ${steps.length}: a block this test runs is gone`)
  console.log(`readme: all ${ran} runnable blocks passed`)
} finally {
  await hub.close()
  await llm.close()
  await rm(work, { recursive: true, force: true })
}
