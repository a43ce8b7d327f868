/**
 * A fake of the Jina AI API (jina.ai/embeddings, jina.ai/reranker API docs): `Authorization: Bearer <key>`;
 * errors are `{detail}` (401 for a wrong key, 422 for an invalid body, 429 over the rate limit).
 * - POST /v1/embeddings `{model, input, task?, dimensions?}` → OpenAI-style `{model, object: "list",
 *   usage, data: [{object: "embedding", index, embedding}]}`.
 * - POST /v1/rerank `{model, query, documents, top_n?}` → `{model, usage, results: [{index, relevance_score}]}`.
 */
import { type ErrorReply, retryAfterHeader, type ScriptedServer, startScriptedServer } from '../scripted-service.ts'

const error = (status: number, message: string | undefined, retryAfter?: string): ErrorReply => ({
  status,
  body: { detail: message ?? 'error' },
  headers: retryAfterHeader(retryAfter),
})

export function startJinaServer(options: { apiKey?: string; dimensions?: number } = {}): Promise<ScriptedServer> {
  const apiKey = options.apiKey ?? 'jina_test_key'
  return startScriptedServer(
    {
      name: 'jina',
      route: (method, url) =>
        method !== 'POST'
          ? undefined
          : url.pathname === '/v1/embeddings'
            ? { kind: 'embed' }
            : url.pathname === '/v1/rerank'
              ? { kind: 'rerank' }
              : undefined,
      authorize: (r) =>
        r.headers.authorization === `Bearer ${apiKey}`
          ? undefined
          : error(401, 'Unauthorized: the API key is invalid. Get a key at https://jina.ai'),
      validate: (route, body) => {
        const b = body as Record<string, unknown>
        if (typeof b.model !== 'string') return error(422, "[{'loc': ('body', 'model'), 'msg': 'field required'}]")
        if (route.kind === 'embed') {
          if (!Array.isArray(b.input) || b.input.length === 0)
            return error(422, "[{'loc': ('body', 'input'), 'msg': 'ensure this value has at least 1 items'}]")
          if (b.input.length > 2048) return error(422, "[{'loc': ('body', 'input'), 'msg': 'ensure this value has at most 2048 items'}]")
          return undefined
        }
        if (typeof b.query !== 'string' || !Array.isArray(b.documents) || b.documents.length === 0)
          return error(422, "[{'loc': ('body', 'documents'), 'msg': 'field required'}]")
        return undefined
      },
      error,
      embedInputs: (_route, body) => ({
        texts: (body as { input: string[] }).input,
        dimensions: (body as { dimensions?: number }).dimensions,
      }),
      embed: (_route, body, vectors) => ({
        model: (body as { model: string }).model,
        object: 'list',
        usage: { total_tokens: 10, prompt_tokens: 10 },
        data: vectors.map((embedding, index) => ({ object: 'embedding', index, embedding })),
      }),
      rerankInputs: (body) => {
        const b = body as { query: string; documents: string[]; top_n?: number }
        return { query: b.query, documents: b.documents, topN: b.top_n }
      },
      rerank: (body, ranked) => ({
        model: (body as { model: string }).model,
        usage: { total_tokens: 10 },
        results: ranked.map((r) => ({ index: r.index, relevance_score: r.score })),
      }),
    },
    options,
  )
}
