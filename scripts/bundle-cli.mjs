#!/usr/bin/env node
// The `edgemem` bin as the package ships it (dist/cli/), run by `npm run build` after tsc.
//
// Why a bundle: `edgemem mcp` speaks MCP through @modelcontextprotocol/sdk, whose install (express, its
// HTTP servers and auth) would take the package past its 50 MB install budget, so the SDK is not a
// dependency. The bin only needs the SDK's server core and its stdio transport: esbuild inlines exactly
// those and what they import (ajv, zod-to-json-schema; about 0.6 MB), so `npx edgemem mcp` works with nothing but edgemem installed. Everything else
// the bin imports stays as it is in the package: edgemem's dependencies and optional peers (zod, openai,
// @huggingface/transformers, ...) and the package's own `#hnswlib` imports are resolved at run time.
import { readdir, readFile, rm, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { build } from 'esbuild'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const INLINED = '@modelcontextprotocol/sdk'

/** Bare specifiers stay imports, except the MCP SDK's, which go into the bundle. */
const keepPackagesExternal = {
  name: 'keep-packages-external',
  setup(build) {
    build.onResolve({ filter: /^[^./]/ }, (args) => {
      if (args.path.startsWith('node:')) return { path: args.path, external: true }
      const sdk = args.path === INLINED || args.path.startsWith(`${INLINED}/`)
      // What the SDK itself imports (ajv, zod-to-json-schema, ...) goes in with it; zod is edgemem's own
      // dependency (the SDK accepts zod 3.25+ or 4), so the bin shares that one copy.
      const fromInlined = args.importer.includes('/node_modules/') && !/^zod(\/|$)/.test(args.path)
      return sdk || fromInlined ? undefined : { path: args.path, external: true }
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
  plugins: [keepPackagesExternal],
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
