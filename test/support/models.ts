// Where the stand-in models (shared/models, beside the repository) and onnxruntime-web's files are, for
// every test runtime. Only the WordNet model carries meaning; the random MiniLM is for plumbing,
// batching, progress and throughput (see shared/models/README.md).

/** Static lexical embedder: the only model whose similarities may be asserted. */
export const WORDNET_MODEL = 'local/wordnet-static-384'
/** all-MiniLM-L6-v2's exact architecture with random weights: q8 only, no semantics. */
export const RANDOM_MINILM_MODEL = 'test/all-MiniLM-L6-v2-random'
/** Both stand-ins output 384 dimensions, like all-MiniLM-L6-v2. */
export const MODEL_DIMENSIONS = 384

function withSlash(path: string): string {
  return path.endsWith('/') ? path : `${path}/`
}

/** Absolute path of the repository root (no Node APIs: this module is also loaded in browsers). */
function repoRootFromHere(): string {
  return decodeURIComponent(new URL('../../', import.meta.url).pathname)
}

/** Node, Deno, Bun: filesystem directory of the shared models (trailing slash). */
export function sharedModelsDir(repoRoot: string = repoRootFromHere()): string {
  return decodeURIComponent(new URL('../shared/models/', `file://${withSlash(repoRoot)}`).pathname)
}

/**
 * Vitest browser mode serves files under its allowed paths (vitest.browser.config.ts `server.fs.allow`)
 * at `/@fs/<absolute path>`; `repoRoot` is `server.config.root` there.
 */
export function browserModelsPath(repoRoot: string): string {
  return `/@fs${sharedModelsDir(repoRoot)}`
}

/** URL prefix of onnxruntime-web's dist/ files (the .wasm and .mjs that ONNX Runtime fetches). */
export function browserWasmPrefix(repoRoot: string): string {
  return `/@fs${withSlash(repoRoot)}node_modules/onnxruntime-web/dist/`
}
