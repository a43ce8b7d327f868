import { ConfigError } from '../../errors.ts'
import type { TransformersEnvLike } from './env-scope.ts'

// @huggingface/transformers is an optional peer dependency of edgemem: it brings ONNX Runtime (over
// 400 MB installed), which apps that embed elsewhere should not pay for. This module finds it without
// naming it in a static import, so that neither Node nor a bundler needs it installed until the
// transformers embedder is used:
// - `edgemem/transformers` (src/providers/transformers/index.ts) imports it statically and hands it over
//   here (provideTransformersLibrary): what bundled code (browser apps) does, so the bundler includes it;
// - otherwise (Node, Deno, Bun) it is imported at run time by name, resolved from node_modules.

/** The parts of transformers.js the embedder uses (structural, so edgemem's types never need the package). */
export interface TransformersLibrary {
  env: unknown
  pipeline(task: 'feature-extraction', model: string, options: Record<string, unknown>): Promise<unknown>
  ModelRegistry: { get_available_dtypes(model: string, options: { local_files_only: boolean }): Promise<string[]> }
  /** Cross-encoders (the transformers reranker). */
  AutoTokenizer?: { from_pretrained(model: string, options: Record<string, unknown>): Promise<unknown> }
  AutoModelForSequenceClassification?: { from_pretrained(model: string, options: Record<string, unknown>): Promise<unknown> }
}

export const TRANSFORMERS_PACKAGE = '@huggingface/transformers'

export const TRANSFORMERS_MISSING =
  `on-device embeddings (the "transformers" embedder, the default when no embedder is configured) need the ` +
  `${TRANSFORMERS_PACKAGE} package, which is not installed: run  npm install ${TRANSFORMERS_PACKAGE}  ` +
  `(in a browser app, also add  import 'edgemem/transformers'  once, so that your bundler includes it). ` +
  `Or embed elsewhere: embedder: { provider: 'openai', config: { baseURL, apiKey, model } } with any ` +
  'OpenAI-compatible endpoint, or your own Embedder ({ embed(texts) }).'

let provided: TransformersLibrary | undefined
let loading: Promise<TransformersLibrary> | undefined

/** Called by `edgemem/transformers` with the statically imported package. */
export function provideTransformersLibrary(library: TransformersLibrary): void {
  provided = library
}

/** Whether a module/package named `name` could not be found (Node, Deno, Bun and browsers word it differently). */
function isNotFound(error: unknown, name: string): boolean {
  const code = (error as { code?: unknown } | null)?.code
  if (code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND') return String((error as Error).message).includes(name)
  const message = error instanceof Error ? error.message : String(error)
  return (
    message.includes(name) &&
    /cannot find (module|package)|not found|failed to resolve module specifier|could not resolve|relative references must start/i.test(
      message,
    )
  )
}

export function loadTransformersLibrary(): Promise<TransformersLibrary> {
  if (provided) return Promise.resolve(provided)
  loading ??= importByName(TRANSFORMERS_PACKAGE).catch((error: unknown) => {
    loading = undefined
    if (isNotFound(error, TRANSFORMERS_PACKAGE)) throw new ConfigError('embedder', TRANSFORMERS_MISSING, { cause: error })
    throw new ConfigError(
      'embedder',
      `${TRANSFORMERS_PACKAGE} is installed but could not be loaded (${error instanceof Error ? error.message : String(error)}); ` +
        'reinstall it, and make sure your bundler does not exclude it',
      { cause: error },
    )
  })
  return loading
}

// The specifier is a parameter, never a literal, and the magic comments tell Vite and webpack to leave
// the import alone: bundlers must not try to resolve a package that may not be installed.
function importByName(specifier: string): Promise<TransformersLibrary> {
  return import(/* @vite-ignore */ /* webpackIgnore: true */ specifier) as Promise<TransformersLibrary>
}

/** The env object typed as far as the embedder needs. */
export function envOf(library: TransformersLibrary): TransformersEnvLike & { remoteHost: string } {
  return library.env as TransformersEnvLike & { remoteHost: string }
}
