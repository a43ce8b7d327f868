/**
 * A fake of the Gemini API (generativelanguage.googleapis.com/v1beta), after the public docs
 * (ai.google.dev/api/generate-content, /api/embeddings, /gemini-api/docs/troubleshooting):
 * - POST /v1beta/models/{model}:generateContent and :batchEmbedContents; key in `x-goog-api-key` (or `?key=`).
 * - a wrong key: 400 INVALID_ARGUMENT "API key not valid" (reason API_KEY_INVALID); no key: 403 PERMISSION_DENIED.
 * - errors: `{error: {code, message, status, details?}}`; 429 RESOURCE_EXHAUSTED carries a RetryInfo detail.
 * - generateContent: `contents` non-empty with roles user/model; answers `{candidates: [{content: {parts:
 *   [{text}], role: "model"}, finishReason}], usageMetadata, modelVersion}`.
 * - batchEmbedContents: at most 100 requests, each naming the same model as the URL; answers `{embeddings: [{values}]}`.
 */
import { type ErrorReply, retryAfterHeader, type ScriptedServer, startScriptedServer } from '../scripted-service.ts'

const STATUS: Record<number, string> = {
  400: 'INVALID_ARGUMENT',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  429: 'RESOURCE_EXHAUSTED',
  500: 'INTERNAL',
  503: 'UNAVAILABLE',
  504: 'DEADLINE_EXCEEDED',
}

const error = (status: number, message: string | undefined, retryAfter?: string): ErrorReply => ({
  status,
  body: {
    error: {
      code: status,
      message: message ?? STATUS[status] ?? 'error',
      status: STATUS[status] ?? 'UNKNOWN',
      ...(status === 429
        ? { details: [{ '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: `${retryAfter ?? '1'}s` }] }
        : {}),
    },
  },
  headers: retryAfterHeader(retryAfter),
})

const MODEL = /^\/v1beta\/models\/([^/:]+):(generateContent|batchEmbedContents)$/

export function startGeminiServer(options: { apiKey?: string; dimensions?: number } = {}): Promise<ScriptedServer> {
  const apiKey = options.apiKey ?? 'gemini-test-key'
  return startScriptedServer(
    {
      name: 'gemini',
      route: (method, url) => {
        const m = MODEL.exec(url.pathname)
        if (method !== 'POST' || !m) return undefined
        return { kind: m[2] === 'generateContent' ? 'chat' : 'embed', model: decodeURIComponent(m[1]!) }
      },
      authorize: (r) => {
        const key = r.headers['x-goog-api-key'] ?? r.query.key
        if (key === undefined)
          return error(
            403,
            "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.",
          )
        if (key !== apiKey) {
          const e = error(400, 'API key not valid. Please pass a valid API key.')
          ;(e.body as { error: Record<string, unknown> }).error.details = [
            { '@type': 'type.googleapis.com/google.rpc.ErrorInfo', reason: 'API_KEY_INVALID', domain: 'googleapis.com' },
          ]
          return e
        }
        return undefined
      },
      validate: (route, body) => {
        const b = body as Record<string, unknown>
        if (route.kind === 'chat') {
          if (!Array.isArray(b.contents) || b.contents.length === 0)
            return error(400, '* GenerateContentRequest.contents: contents is not specified')
          for (const c of b.contents as { role?: unknown; parts?: unknown }[]) {
            if (c.role !== 'user' && c.role !== 'model') return error(400, 'Please use a valid role: user, model.')
            if (!Array.isArray(c.parts) || c.parts.length === 0)
              return error(400, '* GenerateContentRequest.contents[0].parts: contents.parts must not be empty.')
          }
          const mime = (b.generationConfig as { responseMimeType?: unknown } | undefined)?.responseMimeType
          if (mime !== undefined && mime !== 'text/plain' && mime !== 'application/json')
            return error(400, `Unsupported response mime type: ${String(mime)}`)
          return undefined
        }
        const requests = b.requests
        if (!Array.isArray(requests) || requests.length === 0)
          return error(400, '* BatchEmbedContentsRequest.requests: requests is not specified')
        if (requests.length > 100) return error(400, '* BatchEmbedContentsRequest.requests: at most 100 requests can be in one batch')
        for (const [i, r] of (requests as { model?: unknown; content?: { parts?: { text?: unknown }[] } }[]).entries()) {
          if (r.model !== `models/${route.model}`)
            return error(400, `* BatchEmbedContentsRequest.requests[${i}].model: model must match the batch model models/${route.model}`)
          if (typeof r.content?.parts?.[0]?.text !== 'string')
            return error(400, `* BatchEmbedContentsRequest.requests[${i}].content: text is required`)
        }
        return undefined
      },
      error,
      chat: (route, _body, { text, finish }) => ({
        candidates: [
          {
            content: finish === 'blocked' ? undefined : { parts: [{ text }], role: 'model' },
            finishReason: finish === 'length' ? 'MAX_TOKENS' : finish === 'blocked' ? 'SAFETY' : 'STOP',
            index: 0,
          },
        ],
        usageMetadata: { promptTokenCount: 10, candidatesTokenCount: 5, totalTokenCount: 15 },
        modelVersion: route.model,
      }),
      embedInputs: (_route, body) => {
        const requests = (body as { requests: { content: { parts: { text: string }[] }; outputDimensionality?: number }[] }).requests
        return { texts: requests.map((r) => r.content.parts.map((p) => p.text).join(' ')), dimensions: requests[0]?.outputDimensionality }
      },
      embed: (_route, _body, vectors) => ({ embeddings: vectors.map((values) => ({ values })) }),
    },
    options,
  )
}
