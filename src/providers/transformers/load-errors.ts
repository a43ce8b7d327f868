import { EmbeddingError } from '../../errors.ts'
import type { TransformersDtype } from './config.ts'

/** What the embedder tried, for error messages that say where to look and what to change. */
export interface LoadContext {
  model: string
  dtype: TransformersDtype
  /** As applied to transformers.js (trailing slash), or undefined when left to transformers.js. */
  localModelPath: string | undefined
  allowRemoteModels: boolean
  remoteHost: string
  /** Weight formats present for the model, when they could be determined. */
  availableDtypes?: string[]
}

/** transformers.js 4.x file name of each dtype's weights (single-session models such as BERT). */
const DTYPE_FILES: Record<string, string> = {
  fp32: 'onnx/model.onnx',
  fp16: 'onnx/model_fp16.onnx',
  q8: 'onnx/model_quantized.onnx',
  int8: 'onnx/model_int8.onnx',
  uint8: 'onnx/model_uint8.onnx',
  q4: 'onnx/model_q4.onnx',
  bnb4: 'onnx/model_bnb4.onnx',
  q4f16: 'onnx/model_q4f16.onnx',
  q2: 'onnx/model_q2.onnx',
  q2f16: 'onnx/model_q2f16.onnx',
  q1: 'onnx/model_q1.onnx',
  q1f16: 'onnx/model_q1f16.onnx',
}

export function weightsFileFor(dtype: string): string | undefined {
  return DTYPE_FILES[dtype]
}

/** The quoted path or URL transformers.js puts in its "not found" messages, if any. */
function pathInMessage(message: string): string | undefined {
  return /"([^"]+\/[^"]+)"/.exec(message)?.[1]
}

function modelDir(ctx: LoadContext): string {
  return ctx.localModelPath === undefined ? `${ctx.model}/` : `${ctx.localModelPath}${ctx.model}/`
}

function dtypeAdvice(ctx: LoadContext): string {
  const available = ctx.availableDtypes?.filter((d) => d !== ctx.dtype)
  const known = available && available.length > 0 ? `This model has weights for: ${available.join(', ')}. ` : ''
  return `${known}Set dtype to a format whose file exists (q8 → onnx/model_quantized.onnx, fp32 → onnx/model.onnx, fp16 → onnx/model_fp16.onnx), or add ${weightsFileFor(ctx.dtype) ?? 'the file'} to the model directory.`
}

function isWeightsFile(path: string): boolean {
  return /\/onnx\/[^/]+\.onnx(_data(_\d+)?)?$/.test(path) || /\.onnx$/.test(path)
}

/**
 * Turns an error thrown by transformers.js while loading a model into an EmbeddingError that names the
 * model, the path or URL tried and what to do. The original error stays available as `cause`.
 */
export function describeLoadError(error: unknown, ctx: LoadContext): EmbeddingError {
  const raw = error instanceof Error ? error.message : String(error)
  const name = error instanceof Error ? error.name : ''
  const where = pathInMessage(raw)
  const head = `transformers embedder: cannot load model "${ctx.model}" (dtype ${ctx.dtype})`
  const remote = ctx.allowRemoteModels
    ? `downloads from ${ctx.remoteHost} are allowed`
    : 'remote downloads are disabled (allowRemoteModels: false)'

  if (name === 'ModelFileNotFoundError' || /not found|could not locate|file was not found/i.test(raw)) {
    const tried = where ?? modelDir(ctx)
    if (isWeightsFile(tried)) {
      return new EmbeddingError(`${head}: no weights for dtype "${ctx.dtype}" at "${tried}". ${dtypeAdvice(ctx)}`, { cause: error })
    }
    const local = ctx.localModelPath === undefined ? '' : ` under localModelPath "${ctx.localModelPath}"`
    const fix = ctx.allowRemoteModels
      ? `Check the model id, or put the files${local} as ${modelDir(ctx)}{config.json,tokenizer.json,${weightsFileFor(ctx.dtype) ?? 'onnx/…'}}.`
      : `Check the model id and localModelPath: the files must be at ${modelDir(ctx)}{config.json,tokenizer.json,${weightsFileFor(ctx.dtype) ?? 'onnx/…'}}, or set allowRemoteModels: true to download them.`
    // The files load in parallel and whichever is found missing first varies: lead with the directory.
    const missing = where ? ` ("${where}" was the first file found missing)` : ''
    return new EmbeddingError(`${head}: the model's files are not at "${modelDir(ctx)}"${missing}; ${remote}. ${fix}`, { cause: error })
  }

  if (error instanceof SyntaxError || /JSON/.test(raw)) {
    return new EmbeddingError(
      `${head}: a model file under ${modelDir(ctx)} is not valid JSON (${raw}). A web server that answers missing files ` +
        'with an HTML page (a single-page-app fallback) causes this: check localModelPath and that the server serves the model files.',
      { cause: error },
    )
  }

  if (/fetch failed|failed to fetch|networkerror|network error|ENOTFOUND|ECONNREFUSED|EAI_AGAIN/i.test(raw)) {
    return new EmbeddingError(
      `${head}: network request failed${where ? ` for "${where}"` : ''} (${raw}); ${remote}. Offline? Put the model files in a ` +
        "directory and pass it in the embedder's config: new Memory({ embedder: { provider: 'transformers', config: " +
        "{ localModelPath: '/path/to/models/', allowRemoteModels: false } } }) (files at <localModelPath>/<model id>/), or point " +
        "remoteHost at a reachable mirror. Or embed elsewhere: embedder: { provider: 'openai', config: { baseURL, model } } with " +
        'any OpenAI-compatible endpoint, or your own Embedder ({ embed(texts) }).',
      { cause: error },
    )
  }

  if (/protobuf|onnx|session|wasm|backend/i.test(raw)) {
    return new EmbeddingError(
      `${head}: ONNX Runtime could not create a session (${raw}). Check that ${weightsFileFor(ctx.dtype) ?? 'the weights file'} under ` +
        `${modelDir(ctx)} is a complete ONNX file (not an HTML error page or a Git LFS pointer), that the device is available here, ` +
        'and in browsers that wasmPaths points at the served onnxruntime-web dist/ files.',
      { cause: error },
    )
  }

  return new EmbeddingError(`${head}: ${raw}`, { cause: error })
}
