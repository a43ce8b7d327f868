/**
 * A fake of Cohere's v2 API (docs.cohere.com/reference/embed, /reference/rerank, /reference/errors):
 * - `Authorization: Bearer <key>`; a wrong key: 401 `{id, message: "invalid api token"}` (every error is `{id, message}`).
 * - POST /v2/embed `{model, texts (1-96), input_type (required for v3+ models), embedding_types}` →
 *   `{id, embeddings: {float: [[...]]}, texts, meta, response_type: "embeddings_by_type"}`.
 * - POST /v2/rerank `{model, query, documents, top_n?}` → `{id, results: [{index, relevance_score}], meta}`,
 *   most relevant first.
 * - 429 "You are using a Trial key, which is limited to ... API calls / minute." (with retry-after when scripted).
 */
import { type ErrorReply, retryAfterHeader, type ScriptedServer, startScriptedServer } from '../scripted-service.ts'

const error = (status: number, message: string | undefined, retryAfter?: string): ErrorReply => ({
  status,
  body: { id: crypto.randomUUID(), message: message ?? 'error' },
  headers: retryAfterHeader(retryAfter),
})

export function startCohereServer(options: { apiKey?: string; dimensions?: number } = {}): Promise<ScriptedServer> {
  const apiKey = options.apiKey ?? 'cohere-test-key'
  return startScriptedServer(
    {
      name: 'cohere',
      route: (method, url) =>
        method !== 'POST'
          ? undefined
          : url.pathname === '/v2/embed'
            ? { kind: 'embed' }
            : url.pathname === '/v2/rerank'
              ? { kind: 'rerank' }
              : undefined,
      authorize: (r) => (r.headers.authorization === `Bearer ${apiKey}` ? undefined : error(401, 'invalid api token')),
      validate: (route, body) => {
        const b = body as Record<string, unknown>
        if (typeof b.model !== 'string') return error(400, 'model is required')
        if (route.kind === 'embed') {
          if (!Array.isArray(b.texts) || b.texts.length === 0) return error(400, 'invalid request: texts must not be empty')
          if (b.texts.length > 96)
            return error(400, `invalid request: total number of texts must be at most 96 - received ${b.texts.length}`)
          if (typeof b.input_type !== 'string')
            return error(400, 'invalid request: valid input_type must be provided with the provided model')
          return undefined
        }
        if (typeof b.query !== 'string' || b.query === '') return error(400, 'invalid request: query must not be empty')
        if (!Array.isArray(b.documents) || b.documents.length === 0) return error(400, 'invalid request: documents must not be empty')
        return undefined
      },
      error,
      embedInputs: (_route, body) => ({
        texts: (body as { texts: string[] }).texts,
        dimensions: (body as { output_dimension?: number }).output_dimension,
      }),
      embed: (_route, body, vectors) => ({
        id: crypto.randomUUID(),
        embeddings: { float: vectors },
        texts: (body as { texts: string[] }).texts,
        meta: { api_version: { version: '2' }, billed_units: { input_tokens: 5 } },
        response_type: 'embeddings_by_type',
      }),
      rerankInputs: (body) => {
        const b = body as { query: string; documents: string[]; top_n?: number }
        return { query: b.query, documents: b.documents, topN: b.top_n }
      },
      rerank: (_body, ranked) => ({
        id: crypto.randomUUID(),
        results: ranked.map((r) => ({ index: r.index, relevance_score: r.score })),
        meta: { api_version: { version: '2' }, billed_units: { search_units: 1 } },
      }),
    },
    options,
  )
}
