#!/usr/bin/env node
// The package.json that goes into the tarball is the one users install: without this repository's
// scripts (which run files the package does not contain), devDependencies, allowScripts and overrides
// (which only pin what devDependencies pull in; npm ignores them in an installed package). `npm pack`
// runs `prepack` (node scripts/package-manifest.mjs strip), packs the package.json on disk, then
// `postpack` (… restore) puts the full one back. A pack that died in between leaves the full manifest in
// .cache/package.json.full: `strip` and scripts/setup.sh restore it first.
import { existsSync } from 'node:fs'
import { copyFile, mkdir, readFile, rm, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const manifest = join(root, 'package.json')
const saved = join(root, '.cache/package.json.full')
const DEV_ONLY = ['scripts', 'devDependencies', 'allowScripts', 'overrides']

async function restore() {
  if (!existsSync(saved)) return
  await copyFile(saved, manifest)
  await rm(saved)
}

async function strip() {
  await restore()
  const text = await readFile(manifest, 'utf8')
  await mkdir(dirname(saved), { recursive: true })
  await writeFile(saved, text)
  const pkg = JSON.parse(text)
  for (const key of DEV_ONLY) delete pkg[key]
  await writeFile(manifest, `${JSON.stringify(pkg, null, 2)}\n`)
}

const command = process.argv[2]
if (command === 'strip') await strip()
else if (command === 'restore') await restore()
else {
  console.error('usage: node scripts/package-manifest.mjs strip|restore')
  process.exit(2)
}
