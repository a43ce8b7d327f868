#!/usr/bin/env node
// Builds generated/hnswlib/ from the installed hnswlib-wasm-static package: a patched copy of its
// emscripten loader, a patched copy of its .wasm, its licence and the small per-runtime modules that
// hand the loader a compiled WebAssembly.Module (see docs/hnsw.md). The installed package is never
// modified. Idempotent: does nothing when the output was built from the same inputs. Fails loudly when
// the installed files are not the exact ones the patches were written against.
//
// Run by npm `prepare` (after every install in this repository) and before tests, builds and benches.
import { createHash } from 'node:crypto'
import { copyFile, mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { PatchError, patchLoader, patchWasm } from './hnswlib/patches.mjs'

const PACKAGE = 'hnswlib-wasm-static'
const VERSION = '0.8.5'
const LOADER_SHA256 = 'a6b1d366c1940db98ad3c9333117127aeda018fc036b068a4f8b606933a0f335'
const WASM_SHA256 = '5fc0a13f2ea92922e49dcbb2f83ffc5bc4832d19387c4f4b6de4363006bde95d'

const here = dirname(fileURLToPath(import.meta.url))
const root = join(here, '..')
const outDir = join(root, 'generated', 'hnswlib')
const runtimeDir = join(here, 'hnswlib', 'runtime')

const sha256 = (bytes) => createHash('sha256').update(bytes).digest('hex')

function fail(message) {
  console.error(`patch-hnswlib: ${message}`)
  process.exit(1)
}

async function main() {
  const require = createRequire(import.meta.url)
  let pkgJsonPath
  try {
    pkgJsonPath = require.resolve(`${PACKAGE}/package.json`)
  } catch {
    fail(`${PACKAGE} is not installed; run npm install`)
  }
  const pkgDir = dirname(pkgJsonPath)
  const pkg = JSON.parse(await readFile(pkgJsonPath, 'utf8'))
  if (pkg.version !== VERSION)
    fail(`${PACKAGE} ${pkg.version} is installed but the patches are for ${VERSION}: pin it or update the patches`)

  const loader = await readFile(join(pkgDir, 'lib', 'hnswlib.mjs'))
  const wasm = await readFile(join(pkgDir, 'lib', 'hnswlib.wasm'))
  if (sha256(loader) !== LOADER_SHA256) fail(`${PACKAGE}/lib/hnswlib.mjs differs from the file the patches were written against`)
  if (sha256(wasm) !== WASM_SHA256) fail(`${PACKAGE}/lib/hnswlib.wasm differs from the file the patches were written against`)

  const runtimeFiles = (await readdir(runtimeDir)).filter((f) => f.endsWith('.mjs')).sort()
  const inputs = [
    await readFile(fileURLToPath(import.meta.url)),
    await readFile(join(here, 'hnswlib', 'wasm-binary.mjs')),
    await readFile(join(here, '..', 'src', 'local', 'wasm-encoding.ts')),
    await readFile(join(here, '..', 'src', 'util', 'bytes.ts')),
    await readFile(join(here, 'hnswlib', 'simd-inner-product.mjs')),
    await readFile(join(here, 'hnswlib', 'patches.mjs')),
    ...(await Promise.all(runtimeFiles.map((f) => readFile(join(runtimeDir, f))))),
    loader,
    wasm,
  ]
  const stamp = sha256(Buffer.concat(inputs))
  const stampPath = join(outDir, 'stamp.json')
  const previous = await readFile(stampPath, 'utf8').then(JSON.parse, () => null)
  if (previous?.stamp === stamp) {
    if (!process.argv.includes('--quiet')) console.log('patch-hnswlib: generated/hnswlib is up to date')
    return
  }

  await rm(outDir, { recursive: true, force: true })
  await mkdir(outDir, { recursive: true })
  let patchedLoader
  let patchedWasm
  try {
    const header = `// Patched by edgemem scripts/patch-hnswlib.mjs from ${PACKAGE}@${VERSION} lib/hnswlib.mjs (Apache-2.0, see LICENSE.txt).`
    patchedLoader = patchLoader(loader.toString('utf8'), header)
    patchedWasm = patchWasm(new Uint8Array(wasm))
  } catch (err) {
    if (err instanceof PatchError) fail(err.message)
    throw err
  }
  await writeFile(join(outDir, 'hnswlib.mjs'), patchedLoader)
  await writeFile(join(outDir, 'hnswlib.wasm'), patchedWasm)
  await copyFile(join(pkgDir, 'LICENSE.txt'), join(outDir, 'LICENSE.txt'))
  for (const file of runtimeFiles) await copyFile(join(runtimeDir, file), join(outDir, file))
  await writeFile(stampPath, `${JSON.stringify({ stamp, package: PACKAGE, version: VERSION, wasmSha256: sha256(patchedWasm) }, null, 2)}\n`)
  console.log(`patch-hnswlib: wrote ${outDir} (${PACKAGE}@${VERSION}, SIMD inner product, FS exported)`)
}

await main()
