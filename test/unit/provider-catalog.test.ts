// The provider registration scheme (docs/architecture.md, "How to add a provider"): the default entry
// registers every built-in provider, the workerd entry only the light ones, and every other built-in
// provider has a module (catalog.ts) whose import registers it, listed in package.json "exports".
// Entries are evaluated in child processes, each a fresh module graph with a fresh registry.
import { execFile } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { promisify } from 'node:util'
import { BUILTIN_PROVIDERS } from '../../src/builtins.ts'
import { PROVIDER_MODULES } from '../../src/providers/catalog.ts'
import { LIGHT_PROVIDERS } from '../../src/providers/light.ts'
import { describe, expect, it } from '../harness.ts'

const ROOT = resolve(import.meta.dirname, '../..')
const pkg = JSON.parse(readFileSync(resolve(ROOT, 'package.json'), 'utf8')) as {
  exports: Record<string, string | Record<string, string>>
  sideEffects: string[]
}

/** Runs an ES module body in a fresh Node process at the repository root; resolves with its stdout. */
async function fresh(body: string): Promise<string> {
  const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', body], { cwd: ROOT })
  return stdout.trim()
}

const catalog = Object.entries(PROVIDER_MODULES).flatMap(([kind, names]) =>
  Object.entries(names as Record<string, { module: string }>).map(([name, { module }]) => ({ kind, name, module })),
)
const key = (p: { kind: string; name: string }) => `${p.kind}:${p.name}`

/** The source file behind a package subpath, e.g. edgemem/adapters/qdrant → adapters/qdrant.ts. */
function sourceOf(specifier: string): string {
  const entry = pkg.exports[specifier.replace(/^edgemem/, '.')]
  expect(entry, `package.json exports ${specifier}`).toBeDefined()
  const target = typeof entry === 'string' ? entry : entry!.default!
  return target.replace(/^\.\/dist\//, './').replace(/\.js$/, '.ts')
}

describe('provider catalog', () => {
  it('built-ins are the light providers plus one module per other provider, with no overlap', () => {
    const light = LIGHT_PROVIDERS.map(key)
    const modules = catalog.map(key)
    expect(light.filter((k) => modules.includes(k))).toEqual([])
    expect(BUILTIN_PROVIDERS.map(key).sort()).toEqual([...light, ...modules].sort())
  })

  // One fresh process per module (several providers share one), four at a time: each import must register
  // its providers on its own. Spawning ~20 processes takes its time on a loaded machine, hence the timeout.
  it('every catalogued module is exported by the package, marked as having side effects, and registers its provider', async () => {
    const globs = pkg.sideEffects.map((glob) => new RegExp(`^${glob.replace(/[.]/g, '\\.').replace(/\*/g, '[^/]*')}$`))
    const modules = [...new Set(catalog.map((p) => p.module))]
    for (const module of modules) {
      const dist = (pkg.exports[module.replace(/^edgemem/, '.')] as Record<string, string>).default!
      expect(
        globs.some((glob) => glob.test(dist)),
        `${dist} in sideEffects`,
      ).toBe(true)
    }
    const registered = new Map<string, Record<string, string[]>>()
    const kinds = [...new Set(catalog.map((p) => p.kind))]
    for (let i = 0; i < modules.length; i += 4) {
      await Promise.all(
        modules.slice(i, i + 4).map(async (module) => {
          const out = await fresh(
            `import { providerNames } from './src/registry.ts'; await import(${JSON.stringify(sourceOf(module))}); console.log(JSON.stringify(Object.fromEntries(${JSON.stringify(kinds)}.map((k) => [k, providerNames(k)]))))`,
          )
          registered.set(module, JSON.parse(out) as Record<string, string[]>)
        }),
      )
    }
    for (const { kind, name, module } of catalog)
      expect(registered.get(module)?.[kind], `${module} registers ${kind} "${name}"`).toContain(name)
  }, 240_000)

  it('the default entry registers every built-in provider and defaults to hnsw', async () => {
    const out = await fresh(
      `import { providerNames } from './src/index.ts'
       import { resolveMemoryConfig } from './src/config.ts'
       const c = resolveMemoryConfig({ embedder: { embed: async () => [] } })
       console.log(JSON.stringify({ names: ['embedder','llm','vectorStore','storage','reranker','graphStore'].flatMap((k) => providerNames(k).map((n) => k + ':' + n)), store: c.vectorStore.provider.name }))`,
    )
    const { names, store } = JSON.parse(out) as { names: string[]; store: string }
    expect(names.sort()).toEqual(BUILTIN_PROVIDERS.map(key).sort())
    expect(store).toBe('hnsw')
  })

  it('the workerd entry registers only the light providers, names the import for the others, and defaults to flat', async () => {
    const out = await fresh(
      `import { Memory, providerNames } from './src/index.workerd.ts'
       import { resolveMemoryConfig } from './src/config.ts'
       const embedder = { embed: async () => [] }
       const names = ['embedder','llm','vectorStore','storage','reranker','graphStore'].flatMap((k) => providerNames(k).map((n) => k + ':' + n))
       const store = resolveMemoryConfig({ embedder }).vectorStore.provider.name
       let error
       try { new Memory({ embedder, vectorStore: { provider: 'qdrant', config: { url: 'http://127.0.0.1:1' } } }) } catch (e) { error = e.name + ': ' + e.message }
       await import('./adapters/qdrant.ts')
       new Memory({ embedder, vectorStore: { provider: 'qdrant', config: { url: 'http://127.0.0.1:1' } } })
       await import('./src/entries/hnsw.ts')
       const after = resolveMemoryConfig({ embedder }).vectorStore.provider.name
       console.log(JSON.stringify({ names, store, error, after }))`,
    )
    const { names, store, error, after } = JSON.parse(out) as { names: string[]; store: string; error: string; after: string }
    expect(names.sort()).toEqual(LIGHT_PROVIDERS.map(key).sort())
    expect(store).toBe('flat')
    expect(error).toContain('ConfigError')
    expect(error).toContain("import 'edgemem/adapters/qdrant'")
    expect(after).toBe('hnsw')
  })
})

describe('package exports', () => {
  it('every subpath with types also resolves under moduleResolution "node" (typesVersions)', () => {
    const typesVersions = (pkg as unknown as { typesVersions: Record<string, Record<string, string[]>> }).typesVersions['*']!
    for (const [subpath, entry] of Object.entries(pkg.exports)) {
      if (subpath === '.' || typeof entry === 'string') continue
      expect(typesVersions[subpath.slice(2)], subpath).toEqual([entry.types])
    }
  })
})
