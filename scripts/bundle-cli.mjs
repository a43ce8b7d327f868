#!/usr/bin/env node
// The `edgemem` bin as the package ships it (dist/cli/), run by `npm run build` after tsc.
//
// Why a bundle: `edgemem mcp` speaks MCP through @modelcontextprotocol/sdk, whose install (express, its
// HTTP servers and auth) would take the package past its 50 MB install budget, so the SDK is not a
// dependency. The bin only needs the SDK's server core and its stdio transport: esbuild inlines exactly
// those and what they import (ajv, zod-to-json-schema; about 0.6 MB), so `npx edgemem mcp` works with
// nothing but edgemem installed. What an install has stays an import, resolved at run time: edgemem's
// dependencies and optional peers (zod, openai, @huggingface/transformers, ...) and its `#hnswlib` imports.
import { readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const manifest = JSON.parse(await readFile(join(root, 'package.json'), 'utf8'))
/** What an installed edgemem has beside it: its dependencies and (optional) peer dependencies. */
const installed = new Set([...Object.keys(manifest.dependencies ?? {}), ...Object.keys(manifest.peerDependencies ?? {})])
const packageName = (specifier) =>
  specifier
    .split('/')
    .slice(0, specifier.startsWith('@') ? 2 : 1)
    .join('/')

/**
 * Node's modules, the package's own `#` imports and the packages an install has stay imports; anything
 * else the bin uses (the MCP SDK and what it imports, or a CLI-only library) goes into the bundle.
 */
const keepInstalledExternal = {
  name: 'keep-installed-external',
  setup(build) {
    build.onResolve({ filter: /^[^./]/ }, (args) => {
      if (args.path.startsWith('node:') || args.path.startsWith('#') || installed.has(packageName(args.path)))
        return { path: args.path, external: true }
      return undefined
    })
  },
}

const outdir = join(root, 'dist/cli')
// tsc compiled cli/ as modules that import the SDK; the bundle replaces them.
await rm(outdir, { recursive: true, force: true })
const { metafile } = await build({
  entryPoints: [join(root, 'cli/edgemem.ts')],
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node22',
  chunkNames: 'chunks/[name]-[hash]',
  plugins: [keepInstalledExternal],
  legalComments: 'inline',
  metafile: true,
  logLevel: 'warning',
})

// The inlined packages' licences (MIT, ISC, BSD-3-Clause) travel with the code they cover.
const inlined = new Set()
for (const input of Object.keys(metafile.inputs)) {
  const match = input.match(/node_modules\/((?:@[^/]+\/)?[^/]+)\//)
  if (match) inlined.add(match[1])
}
const sections = []
for (const name of [...inlined].sort()) {
  const dir = join(root, 'node_modules', name)
  const { version, license } = JSON.parse(await readFile(join(dir, 'package.json'), 'utf8'))
  const file = (await readdir(dir)).find((f) => /^licen[cs]e/i.test(f))
  if (!file) throw new Error(`${name} is bundled into the bin but ships no licence file`)
  sections.push(`${name} ${version} (${license})\n\n${(await readFile(join(dir, file), 'utf8')).trim()}\n`)
}
await writeFile(
  join(outdir, 'THIRD-PARTY-LICENSES.txt'),
  `The edgemem bin (this directory) includes the following packages, bundled by scripts/bundle-cli.mjs.\n\n${sections.join('\n---\n\n')}`,
)
