import type { WasmPaths } from './config.ts'

/**
 * The part of transformers.js's global `env` an embedder changes. transformers.js reads these fields
 * while it loads a model (not during inference), so they are applied right before a load and restored
 * right after it, one load at a time: two embedders with different settings then never see each
 * other's values, and an app's own settings of `env` survive.
 */
export interface TransformersEnvLike {
  allowRemoteModels: boolean
  allowLocalModels: boolean
  localModelPath: string
  remoteHost: string
  cacheDir: string | null
  backends: { onnx: { wasm?: { wasmPaths?: unknown } } }
}

/** Per-embedder settings; `undefined` leaves the field as the app (or transformers.js) set it. */
export interface EnvSettings {
  allowRemoteModels: boolean
  localModelPath?: string
  remoteHost?: string
  cacheDir?: string
  wasmPaths?: WasmPaths
}

interface Snapshot {
  allowRemoteModels: boolean
  allowLocalModels: boolean
  localModelPath: string
  remoteHost: string
  cacheDir: string | null
  hasWasm: boolean
  wasmPaths: unknown
}

/** transformers.js joins these with file names and needs the trailing slash. */
export function withTrailingSlash(path: string): string {
  return path.endsWith('/') ? path : `${path}/`
}

function snapshot(env: TransformersEnvLike): Snapshot {
  const wasm = env.backends.onnx.wasm
  return {
    allowRemoteModels: env.allowRemoteModels,
    allowLocalModels: env.allowLocalModels,
    localModelPath: env.localModelPath,
    remoteHost: env.remoteHost,
    cacheDir: env.cacheDir,
    hasWasm: wasm !== undefined,
    wasmPaths: wasm?.wasmPaths,
  }
}

function apply(env: TransformersEnvLike, settings: EnvSettings): void {
  env.allowRemoteModels = settings.allowRemoteModels
  if (settings.localModelPath !== undefined) {
    env.localModelPath = withTrailingSlash(settings.localModelPath)
    // Browsers default to remote-only; a configured local path means "look there first".
    env.allowLocalModels = true
  }
  if (settings.remoteHost !== undefined) env.remoteHost = withTrailingSlash(settings.remoteHost)
  if (settings.cacheDir !== undefined) env.cacheDir = settings.cacheDir
  const wasm = env.backends.onnx.wasm
  if (settings.wasmPaths !== undefined && wasm) {
    // A copy: onnxruntime may rewrite fields of the object it is given (transformers.js swaps `mjs` for a blob URL).
    wasm.wasmPaths = typeof settings.wasmPaths === 'string' ? withTrailingSlash(settings.wasmPaths) : { ...settings.wasmPaths }
  }
}

function restore(env: TransformersEnvLike, saved: Snapshot): void {
  env.allowRemoteModels = saved.allowRemoteModels
  env.allowLocalModels = saved.allowLocalModels
  env.localModelPath = saved.localModelPath
  env.remoteHost = saved.remoteHost
  env.cacheDir = saved.cacheDir
  const wasm = env.backends.onnx.wasm
  if (saved.hasWasm && wasm) wasm.wasmPaths = saved.wasmPaths
}

// One queue per JS realm, shared by every embedder, because `env` is one object per realm.
let queue: Promise<unknown> = Promise.resolve()

/**
 * Runs `task` (a model load) with `settings` applied to `env`, after every earlier task finished, and
 * restores `env` afterwards whatever the outcome.
 */
export function withEnvSettings<T>(env: TransformersEnvLike, settings: EnvSettings, task: () => Promise<T>): Promise<T> {
  const run = async (): Promise<T> => {
    const saved = snapshot(env)
    apply(env, settings)
    try {
      return await task()
    } finally {
      restore(env, saved)
    }
  }
  const result = queue.then(run, run)
  queue = result.catch(() => undefined)
  return result
}
