/**
 * The openai providers are fetch-only: bundled for the browser with esbuild (the openai package included),
 * the bundle pulls in no Node builtin, calls no `require`, and runs in a realm that has only web globals
 * (fetch, URL, streams, timers, ...) and no `process`, `Buffer`, `require` or `module`: it embeds and
 * chats against the test server from there.
 *
 * The openai package does mention `process` and `Buffer`, always behind `typeof` guards (environment
 * variables, platform headers, a Node-only fast path for base64). The realm below makes both reads
 * observable: they happen, find nothing, and the code takes its web path, which is what a browser or
 * workerd does.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { builtinModules } from 'node:module'
import { join, resolve } from 'node:path'
import vm from 'node:vm'
import { build, type Metafile } from 'esbuild'
import { afterAll, beforeAll, describe, expect, it } from '../../../harness.ts'
import { startOpenAITestServer, type OpenAITestServer } from '../../../servers/openai.ts'
import { hashEmbed } from '../../../support/hash-embedder.ts'

const ROOT = resolve(import.meta.dirname, '../../../..')
const PROVIDER_DIR = 'src/providers/openai'
const NODE_GLOBALS = ['process', 'Buffer', 'require', 'module', 'exports', '__dirname', '__filename', 'global', 'setImmediate'] as const

let bundle: { code: string; metafile: Metafile }
let srv: OpenAITestServer

beforeAll(async () => {
  const files = readdirSync(join(ROOT, PROVIDER_DIR)).filter((f) => f.endsWith('.ts'))
  const result = await build({
    stdin: {
      contents: files.map((f) => `export * from './${PROVIDER_DIR}/${f}'`).join('\n'),
      resolveDir: ROOT,
      loader: 'ts',
      sourcefile: 'entry.ts',
    },
    bundle: true,
    platform: 'browser',
    format: 'iife',
    globalName: 'edgememOpenAI',
    target: 'es2022',
    write: false,
    metafile: true,
    logLevel: 'silent',
  })
  bundle = { code: result.outputFiles[0]!.text, metafile: result.metafile }
  srv = await startOpenAITestServer({ apiKey: 'sk-browser', dimensions: 24 })
}, 60_000)
afterAll(() => srv?.close())

const BUNDLE_FILENAME = 'openai-providers.bundle.js'

/** The source file (from esbuild's `// path` section comments) of the bundle line a stack trace points at. */
function sourceOfRead(stack: string): string {
  const line = new RegExp(`${BUNDLE_FILENAME.replace(/\./g, '\\.')}:(\\d+):`).exec(stack)?.[1]
  if (!line) return 'outside the bundle'
  const lines = bundle.code.split('\n')
  for (let i = Number(line) - 1; i >= 0; i--) {
    const section = /^\s*\/\/ (\S+\.(?:m?js|ts))$/.exec(lines[i]!)
    if (section) return section[1]!
  }
  return 'unknown'
}

/** A realm with the web platform globals browsers and workerd share, and traps on Node's globals. */
function browserRealm(): { context: vm.Context; nodeGlobalReads: Set<string> } {
  const nodeGlobalReads = new Set<string>()
  const web = [
    'fetch',
    'Headers',
    'Request',
    'Response',
    'FormData',
    'Blob',
    'File',
    'ReadableStream',
    'WritableStream',
    'TransformStream',
    'AbortController',
    'AbortSignal',
    'TextEncoder',
    'TextDecoder',
    'URL',
    'URLSearchParams',
    'setTimeout',
    'clearTimeout',
    'setInterval',
    'clearInterval',
    'queueMicrotask',
    'console',
    'atob',
    'btoa',
    'crypto',
    'performance',
    'structuredClone',
    'DOMException',
    'Event',
    'EventTarget',
  ]
  const sandbox: Record<string, unknown> = {}
  for (const name of web) sandbox[name] = (globalThis as Record<string, unknown>)[name]
  sandbox.navigator = {
    userAgent: 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36',
    language: 'en',
  }
  sandbox.document = {}
  for (const name of NODE_GLOBALS) {
    Object.defineProperty(sandbox, name, {
      get() {
        nodeGlobalReads.add(`${name} read in ${sourceOfRead(new Error().stack ?? '')}`)
        return undefined
      },
      configurable: true,
    })
  }
  const context = vm.createContext(sandbox)
  vm.runInContext('globalThis.window = globalThis; globalThis.self = globalThis', context)
  return { context, nodeGlobalReads }
}

describe('openai providers in a browser bundle', () => {
  it('bundle inputs are edgemem sources, the openai package and zod only: no Node builtin', () => {
    const inputs = Object.keys(bundle.metafile.inputs)
    const builtins = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)])
    expect(inputs.filter((path) => path.startsWith('node:') || builtins.has(path))).toEqual([])
    expect(inputs.filter((path) => !/^(entry\.ts|src\/|node_modules\/(openai|zod)\/)/.test(path))).toEqual([])
    expect(inputs.some((path) => path.startsWith('node_modules/openai/'))).toBe(true)
    for (const [path, input] of Object.entries(bundle.metafile.inputs)) {
      for (const imported of input.imports)
        expect(imported.path.startsWith('node:') || builtins.has(imported.path), `${path} imports ${imported.path}`).toBe(false)
    }
  })

  it('edgemem’s own bundled sources never mention process, Buffer, require or node: imports', () => {
    const ours = Object.keys(bundle.metafile.inputs).filter((path) => path.startsWith('src/'))
    expect(ours).toContain(`${PROVIDER_DIR}/client.ts`)
    for (const path of ours) {
      const source = readFileSync(join(ROOT, path), 'utf8').replace(/\/\/.*$|\/\*[\s\S]*?\*\//gm, '')
      expect(source, path).not.toMatch(/\bprocess\b|\bBuffer\b|\brequire\s*\(|['"]node:|__dirname/)
    }
  })

  it('the output calls no global require and has no __require shim', () => {
    // esbuild adds `var __require = ...` when something require()s a module it could not bundle. Its CommonJS
    // wrapper (`function __require()`, around one guarded CommonJS file of the openai package) is not that.
    expect(bundle.code).not.toMatch(/var __require\s*=/)
    const calls = [...bundle.code.matchAll(/(?<![\w$.])require\s*\(/g)].map((m) => bundle.code.slice(m.index - 30, m.index + 30))
    expect(calls).toEqual([])
  })

  it('embeds and chats from a realm with web globals only', async () => {
    const { context, nodeGlobalReads } = browserRealm()
    vm.runInContext(`${bundle.code}\n;globalThis.__providers = edgememOpenAI`, context, { filename: BUNDLE_FILENAME })
    const providers = context.__providers as typeof import('../../../../src/providers/openai/embedder.ts') &
      typeof import('../../../../src/providers/openai/llm.ts')

    const embedder = new providers.OpenAIEmbedder({ apiKey: 'sk-browser', baseURL: srv.baseURL })
    const vectors = await embedder.embed(['hello from the browser', 'green tea'])
    expect(vectors.map((v) => Array.from(v))).toEqual([
      Array.from(hashEmbed('hello from the browser', 24)),
      Array.from(hashEmbed('green tea', 24)),
    ])

    srv.chat.enqueue({ content: '{"facts": []}' })
    const llm = new providers.OpenAILLM({ apiKey: 'sk-browser', baseURL: srv.baseURL })
    expect(await llm.complete({ messages: [{ role: 'user', content: 'answer in json' }], json: true })).toBe('{"facts": []}')

    // It really went over HTTP, identifying itself as a browser, and read nothing from the (absent) environment.
    expect(srv.embeddings.requests.at(-1)!.headers['x-stainless-os']).toBe('Unknown')
    expect(srv.embeddings.requests.at(-1)!.headers['x-stainless-runtime']).toBe('browser:chrome')
    // Every read of a Node global came from the openai package, behind a typeof guard, found nothing and
    // fell through to the web path. Pinned so that an upgrade adding one gets reviewed:
    //   detect-platform.mjs  typeof globalThis.process (platform headers)
    //   utils/env.mjs        typeof globalThis.process (readEnv: OPENAI_CUSTOM_HEADERS, the one env read edgemem cannot switch off)
    //   EventStream.mjs      typeof process (Node's util.types.isProxy via process.getBuiltinModule), typeof Buffer
    //   x509-transport-state.js  module !== globalThis.module (CommonJS detection)
    expect([...nodeGlobalReads].sort()).toEqual([
      'Buffer read in node_modules/openai/lib/EventStream.mjs',
      'module read in node_modules/openai/internal/auth/x509-transport-state.js',
      'process read in node_modules/openai/internal/detect-platform.mjs',
      'process read in node_modules/openai/internal/utils/env.mjs',
      'process read in node_modules/openai/lib/EventStream.mjs',
    ])
  })
})
