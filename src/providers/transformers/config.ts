import * as z from 'zod/mini'
import { ConfigError } from '../../errors.ts'
import { isWorkerd } from '../../util/runtime.ts'
import { parseConfig } from '../../util/zod-errors.ts'
import { TRANSFORMERS_IN_WORKERD } from '../catalog.ts'
import type { TransformersProgressListener } from './progress.ts'

// This module is loaded eagerly by the core (the provider registration validates config synchronously
// when a Memory is constructed), so it must stay tiny and must never import transformers.js.

export const DEFAULT_MODEL = 'Xenova/all-MiniLM-L6-v2'
/** The transformers reranker's default: a real cross-encoder on the hub (MS MARCO MiniLM, ONNX weights). */
export const DEFAULT_RERANK_MODEL = 'Xenova/ms-marco-MiniLM-L-6-v2'
export const DEFAULT_DTYPE = 'q8'
export const DEFAULT_BATCH_SIZE = 32

/** transformers.js 4.x weight formats; each maps to a file name (q8 → onnx/model_quantized.onnx). */
export const DTYPES = ['auto', 'fp32', 'fp16', 'q8', 'int8', 'uint8', 'q4', 'bnb4', 'q4f16', 'q2', 'q2f16', 'q1', 'q1f16'] as const
/** transformers.js 4.x devices; which ones work depends on the runtime (Node: cpu; browsers: wasm, webgpu). */
export const DEVICES = [
  'auto',
  'gpu',
  'cpu',
  'wasm',
  'webgpu',
  'cuda',
  'dml',
  'coreml',
  'webnn',
  'webnn-npu',
  'webnn-gpu',
  'webnn-cpu',
] as const

export type TransformersDtype = (typeof DTYPES)[number]
export type TransformersDevice = (typeof DEVICES)[number]
/** A URL prefix of onnxruntime-web's `dist/` files, or the two files themselves. */
export type WasmPaths = string | { wasm?: string; mjs?: string }

/** What a user may pass as `{ provider: 'transformers', config }` (every field optional). */
export interface TransformersEmbedderOptions {
  /** Hub model id or local model directory name. Default `Xenova/all-MiniLM-L6-v2`. */
  model?: string
  /** Weight format, chooses the ONNX file. Default `q8` (`onnx/model_quantized.onnx`). */
  dtype?: TransformersDtype
  /** Where inference runs. Default: transformers.js's choice (Node, Deno, Bun: `cpu`; browsers: `wasm`). */
  device?: TransformersDevice
  /** Directory (Node, Deno, Bun) or URL path (browsers) holding `<model>/config.json` etc. */
  localModelPath?: string
  /** Download from the hub (or `remoteHost`) when the files are not found locally. Default true. */
  allowRemoteModels?: boolean
  /** Base URL of a hub mirror laid out like the Hugging Face hub. Default: transformers.js's (the hub). */
  remoteHost?: string
  /** Node, Deno, Bun: where downloaded files are cached. Default: transformers.js's. */
  cacheDir?: string
  /** Browsers: where onnxruntime-web's `.wasm`/`.mjs` files are served. Default: transformers.js's (a CDN). */
  wasmPaths?: WasmPaths
  /** Model download/load progress, see TransformersProgressEvent. */
  onProgress?: TransformersProgressListener
  /** Texts per inference call. Default 32. */
  batchSize?: number
}

/** The validated config, defaults applied. */
export interface TransformersEmbedderConfig extends TransformersEmbedderOptions {
  model: string
  dtype: TransformersDtype
  allowRemoteModels: boolean
  batchSize: number
}

const nonEmpty = z.string().check(z.minLength(1, 'expected a non-empty string'))

const schema = z.strictObject({
  model: z._default(nonEmpty, DEFAULT_MODEL),
  dtype: z._default(z.enum(DTYPES, `expected one of ${DTYPES.join(', ')}`), DEFAULT_DTYPE),
  device: z.optional(z.enum(DEVICES, `expected one of ${DEVICES.join(', ')}`)),
  localModelPath: z.optional(nonEmpty),
  allowRemoteModels: z._default(z.boolean(), true),
  remoteHost: z.optional(z.url({ protocol: /^https?$/, error: 'expected an http(s) URL' })),
  cacheDir: z.optional(nonEmpty),
  wasmPaths: z.optional(
    z.union([nonEmpty, z.strictObject({ wasm: z.optional(nonEmpty), mjs: z.optional(nonEmpty) })], {
      error: 'expected a URL prefix string or { wasm, mjs } URLs',
    }),
  ),
  onProgress: z.optional(
    z.custom<TransformersProgressListener>((value) => typeof value === 'function', 'expected a function (event) => void'),
  ),
  batchSize: z._default(
    z.number().check(z.int('expected an integer'), z.gte(1, 'expected at least 1'), z.lte(1024, 'expected at most 1024')),
    DEFAULT_BATCH_SIZE,
  ),
})

/**
 * In browsers, transformers.js 4.3 treats a full URL as localModelPath inconsistently (it never looks
 * for the optional tokenizer files there, so inference fails later with "this.tokenizer is not a
 * function"). A URL on the page's own origin is what the user meant as a path, so it becomes one; any
 * other URL is a config error that points at remoteHost, the setting for models on another host.
 * Outside pages (Node, Deno, Bun) URLs load correctly and are left alone.
 */
function localPathFrom(value: string): string {
  const page = (globalThis as { location?: { origin?: string } }).location
  if (!page?.origin || !/^https?:\/\//i.test(value)) return value
  const url = new URL(value)
  if (page.origin === url.origin) return `${url.pathname}${url.search}`
  throw new ConfigError(
    'localModelPath',
    `expected a path (e.g. "/models/") or a directory, got the URL ${value}: transformers.js does not load tokenizers from full URLs here. ` +
      'For model files on another host set remoteHost to that URL (laid out like the Hugging Face hub) and keep allowRemoteModels: true.',
  )
}

/**
 * Validates a transformers embedder config synchronously (this is what the registry runs when a Memory
 * is constructed). Fails in workerd, where the embedder can never work, so the mistake shows at
 * startup rather than on the first request. Errors' `field` is relative to the config object.
 */
export function parseTransformersConfig(config: unknown): TransformersEmbedderConfig {
  if (isWorkerd()) throw new ConfigError('', TRANSFORMERS_IN_WORKERD)
  const parsed = parseConfig(schema, config ?? {}, '') as TransformersEmbedderConfig
  if (parsed.localModelPath !== undefined) parsed.localModelPath = localPathFrom(parsed.localModelPath)
  if (!parsed.allowRemoteModels && parsed.localModelPath === undefined) {
    throw new ConfigError(
      'localModelPath',
      'required when allowRemoteModels is false: set it to the directory (or URL path) that holds <model>/config.json, tokenizer.json and onnx/',
    )
  }
  return parsed
}
