// The patches themselves, as pure functions over the pristine files (tested in test/unit/local/hnsw/hnsw-patch.test.ts).
import { createHash } from 'node:crypto'
import {
  countFunctionImports,
  functionSignature,
  readCodeBodies,
  readFunctionNames,
  readSections,
  writeCodeSection,
  writeModule,
} from './wasm-binary.mjs'
import { simdInnerProductDistanceBody } from './simd-inner-product.mjs'

export const DISTANCE_FUNCTION = 'hnswlib::InnerProductDistance(void const*, void const*, void const*)'
/** SHA-256 of the scalar body being replaced (hnswlib-wasm-static 0.8.5). */
const DISTANCE_BODY_SHA256 = '5de66ee225aa3e89b79484121eb853e39fc01908452dbc54abede2bc56ebd7ae'

/**
 * Text patches of the emscripten loader. Each `find` must occur exactly once in the pristine file.
 */
export const LOADER_PATCHES = [
  {
    why:
      'The loader was built with ENVIRONMENT=web and refuses to start where neither `window` nor ' +
      '`WorkerGlobalScope` exists (Node, Deno, Bun). It only needs fetch-free instantiation, which the ' +
      'instantiateWasm hook provides, so the check is dropped.',
    find: `  if (!(typeof window == 'object' || typeof WorkerGlobalScope != 'undefined')) throw new Error('not compiled for this environment (did you build to HTML and try to run it not on the web, or set ENVIRONMENT to something - like node - and run it someplace else - like on the web?)');`,
    replace: '  /* edgemem: environment check removed; the caller supplies a compiled module through instantiateWasm */',
  },
  {
    why:
      'EmscriptenFileSystemManager.initializeFileSystem mounts IDBFS (IndexedDB-backed) on the index ' +
      'directory. edgemem persists index bytes itself through a KeyValueStore, so the directory stays ' +
      'plain in-memory MEMFS and works where IndexedDB does not exist.',
    find: String.raw`if (type == "IDBFS") { FS.mkdir(jsAllocatedDir); FS.mount(IDBFS, {}, jsAllocatedDir); console.log('EmscriptenFileSystemManager: Mounting IDBFS filesystem...\n'); }`,
    replace: 'if (type == "IDBFS") { FS.mkdirTree(jsAllocatedDir); }',
  },
  {
    why:
      'writeIndex() ends with an IDBFS sync that would touch IndexedDB and call back on a timer. With ' +
      'MEMFS there is nothing to sync: report success at once, which also releases the C++ sync lock.',
    find: `function syncIdb_js(populateFromFS) { try { FS.syncfs(populateFromFS, function(err) { setTimeout(function() { if (err) { console.error('b. jsFS Error: syncing FS:', err); Module.setIdbfsSynced(false); } else { console.log('b. jsFS synced successfully'); Module.setIdbfsSynced(true); } }, 1); }); } catch (err) { Module.setIdbfsSynced(false); } }`,
    replace: "function syncIdb_js(populateFromFS) { Module['setIdbfsSynced'](true); }",
  },
  {
    why:
      'The in-memory file system is how index bytes get in and out (writeIndex/readIndex work on ' +
      'paths), but the loader does not export FS. Export it, plus the heap views for typed-array copies.',
    find: "  Module['decrementExceptionRefcount'] = decrementExceptionRefcount;\n",
    replace:
      "  Module['decrementExceptionRefcount'] = decrementExceptionRefcount;\n" +
      '  /* edgemem: expose the in-memory file system and the current heap views */\n' +
      "  Object.defineProperty(Module, 'FS', { value: FS, configurable: true, enumerable: true });\n" +
      "  Object.defineProperty(Module, 'HEAPU8', { get: () => HEAPU8, configurable: true, enumerable: true });\n" +
      "  Object.defineProperty(Module, 'HEAPF32', { get: () => HEAPF32, configurable: true, enumerable: true });\n",
  },
]

export class PatchError extends Error {}

function fail(message) {
  throw new PatchError(message)
}

export function patchLoader(source, header) {
  let text = source
  for (const patch of LOADER_PATCHES) {
    const count = text.split(patch.find).length - 1
    if (count !== 1) fail(`expected exactly one occurrence of the anchor for "${patch.why.slice(0, 60)}...", found ${count}`)
    text = text.replace(patch.find, () => patch.replace)
  }
  return `${header}\n${text}`
}

export function patchWasm(bytes) {
  const sections = readSections(bytes)
  const imported = countFunctionImports(sections)
  const names = readFunctionNames(sections)
  const matches = [...names].filter(([, name]) => name === DISTANCE_FUNCTION)
  if (matches.length !== 1) fail(`expected one function named ${DISTANCE_FUNCTION}, found ${matches.length}`)
  const definedIndex = matches[0][0] - imported
  const signature = functionSignature(sections, definedIndex)
  if (signature !== '(i32 i32 i32) -> (f32)') fail(`${DISTANCE_FUNCTION} has signature ${signature}`)
  const bodies = readCodeBodies(sections)
  const original = createHash('sha256').update(bodies[definedIndex]).digest('hex')
  if (original !== DISTANCE_BODY_SHA256) fail(`${DISTANCE_FUNCTION} is not the scalar body the SIMD patch replaces`)
  bodies[definedIndex] = simdInnerProductDistanceBody()
  const patched = sections
    // The source map's byte offsets no longer match once a body changes (and the map is not shipped).
    .filter((s) => !(s.id === 0 && s.name === 'sourceMappingURL'))
    .map((s) => (s.id === 10 ? { ...s, payload: writeCodeSection(bodies) } : s))
  const out = writeModule(patched)
  if (!WebAssembly.validate(out)) fail('the patched wasm does not validate')
  return out
}
