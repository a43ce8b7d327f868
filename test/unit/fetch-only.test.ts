import * as esbuild from 'esbuild'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

/**
 * The core must run unchanged in browsers and Workers. Bundle `edgemem` (src/index.ts) for the browser
 * with code splitting, as an app bundler would, and check what every app loads (the entry chunk and
 * the chunks it imports statically): no Node builtin, no `process`, `Buffer`, `require(`, `__dirname`.
 * Heavy providers stay in chunks loaded only on first use (openai), or out of the bundle (transformers.js,
 * an optional peer).
 */
const FORBIDDEN = /\bprocess\s*\.\s*\w+|\bBuffer\b|\brequire\s*\(|__dirname|__filename|\bimport\s*\(\s*["']node:/g

interface Chunk {
  file: string
  inputs: string[]
  imports: { path: string; kind: string }[]
  code: string
}

let outdir: string
let chunks: Map<string, Chunk>
let entry: Chunk

beforeAll(async () => {
  outdir = await mkdtemp(join(tmpdir(), 'edgemem-fetch-only-'))
  const result = await esbuild.build({
    entryPoints: ['src/index.ts'],
    bundle: true,
    platform: 'browser',
    format: 'esm',
    splitting: true,
    outdir,
    metafile: true,
    logLevel: 'silent',
  })
  chunks = new Map()
  for (const [file, output] of Object.entries(result.metafile.outputs)) {
    if (!file.endsWith('.js')) continue
    chunks.set(file, {
      file,
      inputs: Object.keys(output.inputs),
      imports: output.imports.map((i) => ({ path: i.path, kind: i.kind })),
      code: await readFile(file, 'utf8'),
    })
  }
  entry = [...chunks.values()].find((c) => c.inputs.includes('src/index.ts'))!
}, 120_000)

afterAll(async () => {
  await rm(outdir, { recursive: true, force: true })
})

/** The entry chunk plus everything it imports statically: what loads with `import 'edgemem'`. */
function eagerChunks(): Chunk[] {
  const seen = new Map<string, Chunk>()
  const visit = (chunk: Chunk): void => {
    if (seen.has(chunk.file)) return
    seen.set(chunk.file, chunk)
    for (const imported of chunk.imports) if (imported.kind === 'import-statement') visit(chunks.get(imported.path)!)
  }
  visit(entry)
  return [...seen.values()]
}

describe('fetch-only core', () => {
  it('bundles for the browser without any Node builtin module', () => {
    for (const chunk of chunks.values()) {
      const nodeInputs = chunk.inputs.filter(
        (input) => input.startsWith('node:') || /^(fs|path|os|crypto|child_process|http|net)$/.test(input),
      )
      expect(nodeInputs, chunk.file).toEqual([])
    }
  })

  it('loads no process, Buffer, require or __dirname with the core', () => {
    for (const chunk of eagerChunks()) {
      expect(chunk.code.match(FORBIDDEN) ?? [], `${chunk.file} (${chunk.inputs.filter((i) => !i.startsWith('src/')).join(', ')})`).toEqual(
        [],
      )
    }
  })

  it('no project source file uses Node APIs, even in lazily loaded providers', () => {
    for (const chunk of chunks.values()) {
      for (const input of chunk.inputs.filter((i) => i.startsWith('src/') || i.startsWith('adapters/'))) {
        expect(input).not.toMatch(/\.node\./)
      }
    }
    const ownCode = [...chunks.values()].flatMap((c) => c.inputs).filter((i) => i.startsWith('src/') || i.startsWith('adapters/'))
    expect(ownCode.length).toBeGreaterThan(20)
  })

  it('keeps openai out of what loads eagerly, and transformers.js out of the bundle', () => {
    const eagerInputs = eagerChunks().flatMap((c) => c.inputs)
    expect(eagerInputs.filter((i) => i.includes('node_modules/openai/'))).toEqual([])
    const lazy = [...chunks.values()].filter((c) => !eagerChunks().includes(c)).flatMap((c) => c.inputs)
    expect(lazy.some((i) => i.includes('node_modules/openai/'))).toBe(true)
    // transformers.js is an optional peer dependency: the core never names it in an import a bundler
    // follows (an app adds it with `import 'edgemem/transformers'`, test/unit/providers/transformers/
    // bundle.test.ts); the embedder's own code is there, loaded on first use.
    const everyInput = [...chunks.values()].flatMap((c) => c.inputs)
    expect(everyInput.filter((i) => i.includes('@huggingface/transformers') || i.includes('onnxruntime'))).toEqual([])
    expect(eagerInputs.filter((i) => i.endsWith('src/providers/transformers/embedder.ts'))).toEqual([])
    expect(lazy.some((i) => i.endsWith('src/providers/transformers/embedder.ts'))).toBe(true)
  })
})

describe('project sources', () => {
  it('never import node: modules or use Node globals in src/ (checked on the source text too)', async () => {
    const files = [...new Set([...chunks.values()].flatMap((c) => c.inputs).filter((i) => i.startsWith('src/')))]
    for (const file of files) {
      const code = (await esbuild.transform(await readFile(file, 'utf8'), { loader: 'ts', legalComments: 'none' })).code
      expect(code.match(FORBIDDEN) ?? [], file).toEqual([])
      expect(code, file).not.toMatch(/from\s*["']node:/)
    }
  })
})
