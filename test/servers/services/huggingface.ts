/**
 * A fake of text-embeddings-inference (TEI), the server behind Hugging Face Inference Endpoints for
 * embedding models (github.com/huggingface/text-embeddings-inference, its OpenAPI): POST /embed
 * `{inputs: string | string[], normalize?, truncate?}` → `[[...], ...]`. Errors are `{error, error_type}`:
 * 413 "batch size N > maximum allowed batch size M" (validation), 422 for empty input (validation),
 * 424 backend errors, 429 "Model is overloaded" (overloaded). With a token (Inference Endpoints),
 * `Authorization: Bearer <token>` is required and a wrong one answers 401.
 */
import { type ErrorReply, retryAfterHeader, type ScriptedServer, startScriptedServer } from '../scripted-service.ts'

const TYPES: Record<number, string> = {
  413: 'validation',
  422: 'validation',
  424: 'backend',
  429: 'overloaded',
  400: 'validation',
  500: 'backend',
}

const error = (status: number, message: string | undefined, retryAfter?: string): ErrorReply => ({
  status,
  body: { error: message ?? (status === 429 ? 'Model is overloaded' : 'error'), error_type: TYPES[status] ?? 'backend' },
  headers: retryAfterHeader(retryAfter),
})

export function startHuggingfaceServer(
  options: { token?: string; maxBatchSize?: number; dimensions?: number } = {},
): Promise<ScriptedServer> {
  const maxBatch = options.maxBatchSize ?? 32
  return startScriptedServer(
    {
      name: 'huggingface',
      route: (method, url) => (method === 'POST' && url.pathname === '/embed' ? { kind: 'embed' } : undefined),
      authorize: (r) =>
        options.token === undefined || r.headers.authorization === `Bearer ${options.token}`
          ? undefined
          : { status: 401, body: { error: 'Authorization header is correct, but the token seems invalid', error_type: 'unauthorized' } },
      validate: (_route, body) => {
        const inputs = (body as { inputs?: unknown }).inputs
        const list = typeof inputs === 'string' ? [inputs] : inputs
        if (!Array.isArray(list) || list.length === 0) return error(422, '`inputs` cannot be empty')
        if (list.length > maxBatch) return error(413, `batch size ${list.length} > maximum allowed batch size ${maxBatch}`)
        return undefined
      },
      error,
      embedInputs: (_route, body) => {
        const inputs = (body as { inputs: string | string[] }).inputs
        return { texts: typeof inputs === 'string' ? [inputs] : inputs }
      },
      embed: (_route, _body, vectors) => vectors,
    },
    options,
  )
}
