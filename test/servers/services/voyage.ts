/**
 * A fake of the Voyage AI API (docs.voyageai.com/reference/embeddings-api, /reference/reranker-api,
 * /docs/error-codes): `Authorization: Bearer <key>`; errors are `{detail}`; a wrong key: 401 "Provided API
 * key is invalid."; 429 when over the rate limit.
 * - POST /v1/embeddings `{input (≤ 1000), model, input_type?, output_dimension?}` →
 *   `{object: "list", data: [{object: "embedding", embedding, index}], model, usage: {total_tokens}}`.
 * - POST /v1/rerank `{query, documents (≤ 1000), model, top_k?}` → `{object: "list", data: [{index,
 *   relevance_score}], model, usage}`, most relevant first.
 */
import { type ErrorReply, retryAfterHeader, type ScriptedServer, startScriptedServer } from '../scripted-service.ts'

const error = (status: number, message: string | undefined, retryAfter?: string): ErrorReply => ({
  status,
  body: { detail: message ?? 'error' },
  headers: retryAfterHeader(retryAfter),
})

export function startVoyageServer(options: { apiKey?: string; dimensions?: number } = {}): Promise<ScriptedServer> {
  const apiKey = options.apiKey ?? 'pa-test-key'
  return startScriptedServer(
    {
      name: 'voyage',
      route: (method, url) =>
        method !== 'POST'
          ? undefined
          : url.pathname === '/v1/embeddings'
            ? { kind: 'embed' }
            : url.pathname === '/v1/rerank'
              ? { kind: 'rerank' }
              : undefined,
      authorize: (r) => (r.headers.authorization === `Bearer ${apiKey}` ? undefined : error(401, 'Provided API key is invalid.')),
      validate: (route, body) => {
        const b = body as Record<string, unknown>
        if (typeof b.model !== 'string') return error(400, "Request body is missing the 'model' field.")
        if (route.kind === 'embed') {
          if (!Array.isArray(b.input) || b.input.length === 0)
            return error(400, "The 'input' field must be a non-empty string or list of strings.")
          if (b.input.length > 1000) return error(400, `The batch size limit is 1000. Your batch size is ${b.input.length}.`)
          if (b.input_type !== undefined && b.input_type !== null && b.input_type !== 'query' && b.input_type !== 'document') {
            return error(400, "Value 'input_type' must be one of None, 'query', 'document'.")
          }
          return undefined
        }
        if (typeof b.query !== 'string') return error(400, "Request body is missing the 'query' field.")
        if (!Array.isArray(b.documents) || b.documents.length === 0 || b.documents.length > 1000)
          return error(400, "The 'documents' field must be a list of 1 to 1000 strings.")
        return undefined
      },
      error,
      embedInputs: (_route, body) => ({
        texts: (body as { input: string[] }).input,
        dimensions: (body as { output_dimension?: number }).output_dimension,
      }),
      embed: (_route, body, vectors) => ({
        object: 'list',
        data: vectors.map((embedding, index) => ({ object: 'embedding', embedding, index })),
        model: (body as { model: string }).model,
        usage: { total_tokens: 10 },
      }),
      rerankInputs: (body) => {
        const b = body as { query: string; documents: string[]; top_k?: number }
        return { query: b.query, documents: b.documents, topN: b.top_k }
      },
      rerank: (body, ranked) => ({
        object: 'list',
        data: ranked.map((r) => ({ index: r.index, relevance_score: r.score })),
        model: (body as { model: string }).model,
        usage: { total_tokens: 10 },
      }),
    },
    options,
  )
}
