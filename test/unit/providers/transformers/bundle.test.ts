// Zero weight for apps that do not use the transformers embedder: bundling an app against the core
// keeps transformers.js (and ONNX Runtime) out of the entry chunk, and running such an app never loads
// them. The counter-checks (the lazy chunk does contain them; an app that uses the embedder does load
// them) make sure these tests can fail.
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
  const embedder = await resolveProvider('embedder', 'transformers', {}, 'embedder').create(context)
  return typeof embedder.embed
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
  it('a browser bundle with code splitting keeps transformers.js out of the entry chunk', async () => {
    const result = await build({
      entryPoints: [join(work, 'app.ts')],
      bundle: true,
      splitting: true,
      format: 'esm',
      platform: 'browser',
      target: 'es2022',
      outdir: join(work, 'browser'),
      metafile: true,
      logLevel: 'silent',
    })
    const [entryFile, entry] = entryOutput(result.metafile)
    const entryInputs = Object.keys(entry.inputs)
    expect(entryInputs.some((input) => input.endsWith('src/providers/transformers/provider.ts'))).toBe(true)
    expect(entryInputs.filter((input) => HEAVY.test(input) || input.endsWith(IMPLEMENTATION))).toEqual([])

    // The embedder and transformers.js are there, in a chunk the entry reaches only by dynamic import.
    const lazy = Object.entries(result.metafile.outputs).filter(([, output]) =>
      Object.keys(output.inputs).some((i) => i.endsWith(IMPLEMENTATION)),
    )
    expect(lazy).toHaveLength(1)
    const [lazyFile, lazyOutput] = lazy[0]!
    expect(Object.keys(lazyOutput.inputs).some((input) => /node_modules\/@huggingface\/transformers\//.test(input))).toBe(true)
    const staticImports = entry.imports.filter((i) => i.kind === 'import-statement').map((i) => i.path)
    const dynamicImports = entry.imports.filter((i) => i.kind === 'dynamic-import').map((i) => i.path)
    expect(staticImports).not.toContain(lazyFile)
    expect(dynamicImports).toContain(lazyFile)
    // Static chunks the entry pulls in are part of its weight too.
    for (const chunk of staticImports) {
      const inputs = Object.keys(result.metafile.outputs[chunk]?.inputs ?? {})
      expect(
        inputs.filter((input) => HEAVY.test(input)),
        chunk,
      ).toEqual([])
    }
    expect(entry.bytes).toBeLessThan(lazyOutput.bytes / 5)
    expect(entryFile).toMatch(/app\.js$/)
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
  const result = await next(specifier, context)
  appendFileSync(process.env.RESOLVE_LOG, result.url + '\\n')
  return result
}
`,
    )
    await writeFile(join(work, 'register.mjs'), `import { register } from 'node:module'\nregister('./hooks.mjs', import.meta.url)\n`)

    const run = async (which: string): Promise<{ stdout: string; resolved: string[] }> => {
      const log = join(work, `${which}.log`)
      await writeFile(log, '')
      const stdout = execFileSync(process.execPath, ['--import', join(work, 'register.mjs'), join(outdir, 'app.js'), which], {
        env: { ...process.env, RESOLVE_LOG: log },
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
    expect(withIt.stdout).toContain('transformers function')
    expect(withIt.resolved.some((url) => url.endsWith(`/${lazyChunkName}`))).toBe(true)
    expect(withIt.resolved.some((url) => /node_modules\/@huggingface\/transformers\//.test(url))).toBe(true)
  }, 120_000)
})
