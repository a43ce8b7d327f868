// Zero weight for apps that do not use the transformers embedder (an optional peer dependency, see
// src/providers/transformers/library.ts): bundling an app against the core never includes
// transformers.js (and ONNX Runtime) and builds with the package absent; running such an app never loads
// it; with the package absent, using the embedder fails with the error that names it. The counter-checks
// (an app importing edgemem/transformers bundles it; an app that uses the embedder loads it) make sure
// these tests can fail.
import { execFileSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build, type Metafile } from 'esbuild'
import { afterAll, beforeAll } from 'vitest'
import { describe, expect, it } from '../../../harness.ts'

const repo = fileURLToPath(new URL('../../../../', import.meta.url))
const HEAVY = /node_modules\/(@huggingface\/transformers|onnxruntime-(web|node|common))\//
const IMPLEMENTATION = 'src/providers/transformers/embedder.ts'
let work: string

/** An app entry that imports the core and uses one provider, chosen by its first argument. */
function appEntry(): string {
  const core = existsSync(join(repo, 'src/index.ts')) ? `export * from ${JSON.stringify(join(repo, 'src/index.ts'))}\n` : ''
  return `${core}import { registerBuiltinProviders } from ${JSON.stringify(join(repo, 'src/builtins.ts'))}
import { resolveProvider } from ${JSON.stringify(join(repo, 'src/registry.ts'))}
registerBuiltinProviders()
const context = { collection: 'app', storage: undefined }
export async function useMemoryStorage() {
  const storage = await resolveProvider('storage', 'memory', {}, 'storage').create(context)
  await storage.set('k', new Uint8Array([1]))
  return (await storage.get('k'))?.length
}
export async function useTransformersEmbedder() {
  const embedder = await resolveProvider('embedder', 'transformers', { localModelPath: '/no/models/', allowRemoteModels: false }, 'embedder').create(context)
  // No model files: the load fails after transformers.js itself has loaded (or could not be found).
  return embedder.embed(['x']).then(() => 'embedded', (error) => error.name + ': ' + error.message)
}
const which = globalThis.process?.argv?.[2]
if (which === 'storage') console.log('storage', await useMemoryStorage())
if (which === 'transformers') console.log('transformers', await useTransformersEmbedder())

`
}

function entryOutput(metafile: Metafile): [string, Metafile['outputs'][string]] {
  const entry = Object.entries(metafile.outputs).find(([, output]) => output.entryPoint?.endsWith('app.ts'))
  if (!entry) throw new Error('no entry chunk in the metafile')
  return entry
}

beforeAll(async () => {
  // Inside the repository's node_modules so that the bundle's bare imports resolve at run time.
  await mkdir(join(repo, 'node_modules/.tmp'), { recursive: true })
  work = await mkdtemp(join(repo, 'node_modules/.tmp/edgemem-bundle-'))
  await writeFile(join(work, 'app.ts'), appEntry())
})
afterAll(async () => {
  await rm(work, { recursive: true, force: true })
})

describe('transformers embedder bundle weight', () => {
  it('a browser bundle of the core holds no transformers.js and builds with the package absent; importing edgemem/transformers bundles it', async () => {
    const options = {
      bundle: true,
      splitting: true,
      format: 'esm',
      platform: 'browser',
      target: 'es2022',
      metafile: true,
      logLevel: 'silent',
    } as const
    // The package made unresolvable, as in an app that does not install it.
    const absent = {
      name: 'transformers-absent',
      setup(b: import('esbuild').PluginBuild) {
        b.onResolve({ filter: /^@huggingface\/transformers$/ }, () => ({ errors: [{ text: 'not installed' }] }))
      },
    }
    const result = await build({ ...options, entryPoints: [join(work, 'app.ts')], outdir: join(work, 'browser'), plugins: [absent] })
    const [entryFile, entry] = entryOutput(result.metafile)
    expect(Object.keys(entry.inputs).some((input) => input.endsWith('src/providers/transformers/provider.ts'))).toBe(true)
    const everyInput = Object.values(result.metafile.outputs).flatMap((output) => Object.keys(output.inputs))
    expect(everyInput.filter((input) => HEAVY.test(input))).toEqual([])
    // The embedder itself is in a chunk of its own, reached only by dynamic import.
    const lazy = Object.entries(result.metafile.outputs).find(([, output]) =>
      Object.keys(output.inputs).some((i) => i.endsWith(IMPLEMENTATION)),
    )
    expect(lazy).toBeDefined()
    expect(entry.imports.filter((i) => i.kind === 'dynamic-import').map((i) => i.path)).toContain(lazy![0])
    expect(entryFile).toMatch(/app\.js$/)

    // Counter-check: an app that imports edgemem/transformers gets transformers.js in its bundle.
    await writeFile(join(work, 'app-tf.ts'), `import ${JSON.stringify(join(repo, 'src/providers/transformers/index.ts'))}\n${appEntry()}`)
    const withIt = await build({ ...options, entryPoints: [join(work, 'app-tf.ts')], outdir: join(work, 'browser-tf') })
    const inputs = Object.values(withIt.metafile.outputs).flatMap((output) => Object.keys(output.inputs))
    expect(inputs.some((input) => /node_modules\/@huggingface\/transformers\//.test(input))).toBe(true)
  }, 60_000)

  it('an app that never configures it never loads it at run time; one that does, does', async () => {
    const outdir = join(work, 'node')
    const result = await build({
      entryPoints: [join(work, 'app.ts')],
      bundle: true,
      splitting: true,
      format: 'esm',
      platform: 'node',
      target: 'node22',
      packages: 'external',
      outdir,
      metafile: true,
      logLevel: 'silent',
    })
    const lazyChunk = Object.entries(result.metafile.outputs).find(([, o]) =>
      Object.keys(o.inputs).some((i) => i.endsWith(IMPLEMENTATION)),
    )?.[0]
    expect(lazyChunk).toBeDefined()
    const lazyChunkName = lazyChunk!.split('/').at(-1)!
    // A module resolve hook logs every module Node resolves for the app.
    await writeFile(
      join(work, 'hooks.mjs'),
      `import { appendFileSync } from 'node:fs'
export async function resolve(specifier, context, next) {
  // An app without the package: resolving it fails the way Node fails for a package not installed.
  if (process.env.HIDE_PACKAGE && specifier === process.env.HIDE_PACKAGE) {
    throw Object.assign(new Error(\`Cannot find package '\${specifier}' imported from \${context.parentURL}\`), { code: 'ERR_MODULE_NOT_FOUND' })
  }
  const result = await next(specifier, context)
  appendFileSync(process.env.RESOLVE_LOG, result.url + '\\n')
  return result
}
`,
    )
    await writeFile(join(work, 'register.mjs'), `import { register } from 'node:module'\nregister('./hooks.mjs', import.meta.url)\n`)

    const run = async (which: string, hide = ''): Promise<{ stdout: string; resolved: string[] }> => {
      const log = join(work, `${which}${hide ? '-hidden' : ''}.log`)
      await writeFile(log, '')
      const stdout = execFileSync(process.execPath, ['--import', join(work, 'register.mjs'), join(outdir, 'app.js'), which], {
        env: { ...process.env, RESOLVE_LOG: log, HIDE_PACKAGE: hide },
        encoding: 'utf8',
        timeout: 60_000,
      })
      return { stdout, resolved: (await readFile(log, 'utf8')).split('\n').filter(Boolean) }
    }

    const without = await run('storage')
    expect(without.stdout).toContain('storage 1')
    expect(without.resolved.length).toBeGreaterThan(1)
    expect(without.resolved.filter((url) => HEAVY.test(url) || url.endsWith(`/${lazyChunkName}`))).toEqual([])

    const withIt = await run('transformers')
    expect(withIt.stdout).toContain("the model's files are not at")
    expect(withIt.resolved.some((url) => url.endsWith(`/${lazyChunkName}`))).toBe(true)
    expect(withIt.resolved.some((url) => /node_modules\/@huggingface\/transformers\//.test(url))).toBe(true)

    // Without the package installed, the error names it and the one command that installs it.
    const absent = await run('transformers', '@huggingface/transformers')
    expect(absent.stdout).toContain('ConfigError')
    expect(absent.stdout).toContain('npm install @huggingface/transformers')
    expect(absent.resolved.filter((url) => HEAVY.test(url))).toEqual([])
  }, 120_000)
})
