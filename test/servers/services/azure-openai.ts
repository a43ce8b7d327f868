/**
 * A fake of Azure OpenAI's data plane, after the public REST reference (learn.microsoft.com, Azure OpenAI
 * "REST API reference" and "quotas and limits"): the OpenAI protocol (test/servers/openai-protocol.ts)
 * below /openai/deployments/{deployment}/(chat/completions|embeddings)?api-version=..., with the key in
 * `api-key`. Missing api-version: 404 "Resource not found"; wrong key: 401 with Azure's message; an
 * unknown deployment: 404 DeploymentNotFound; 429 carries `retry-after` and `retry-after-ms`.
 */
import { chatResponse, embeddingsResponse, inputTexts, validateChatRequest, validateEmbeddingsRequest } from '../openai-protocol.ts'
import type { ChatCompletionRequest, EmbeddingsRequest } from '../openai-protocol.ts'
import { type ErrorReply, type ScriptedServer, startScriptedServer } from '../scripted-service.ts'

const error = (status: number, message: string | undefined, retryAfter?: string, code?: string): ErrorReply => ({
  status,
  body: { error: { code: code ?? String(status), message: message ?? 'error' } },
  headers:
    retryAfter === undefined
      ? {}
      : { 'retry-after': retryAfter, 'retry-after-ms': String(Number(retryAfter) * 1000), 'x-ratelimit-remaining-requests': '0' },
})

const PATH = /^\/openai\/deployments\/([^/]+)\/(chat\/completions|embeddings)$/

export function startAzureOpenAIServer(
  options: { apiKey?: string; deployments?: string[]; dimensions?: number } = {},
): Promise<ScriptedServer> {
  const apiKey = options.apiKey ?? 'azure-test-key'
  const deployments = new Set(options.deployments ?? ['gpt-4o-mini', 'text-embedding-3-small'])
  return startScriptedServer(
    {
      name: 'azure-openai',
      route: (method, url) => {
        const m = PATH.exec(url.pathname)
        if (method !== 'POST' || !m || !url.searchParams.get('api-version')) return undefined
        return { kind: m[2] === 'embeddings' ? 'embed' : 'chat', model: decodeURIComponent(m[1]!) }
      },
      authorize: (r) =>
        r.headers['api-key'] === apiKey
          ? undefined
          : error(
              401,
              'Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide a valid key for an active subscription and use a correct regional API endpoint for your resource.',
            ),
      validate: (route, body) => {
        if (!deployments.has(route.model!)) {
          return error(
            404,
            'The API deployment for this resource does not exist. If you created the deployment within the last 5 minutes, please wait a moment and try again.',
            undefined,
            'DeploymentNotFound',
          )
        }
        const checked = route.kind === 'chat' ? validateChatRequest(body) : validateEmbeddingsRequest(body)
        return checked.ok ? undefined : { status: checked.error.status, body: checked.error.body }
      },
      error,
      chat: (_route, body, { text, finish }) =>
        chatResponse(body as ChatCompletionRequest, {
          content: finish === 'blocked' ? null : text,
          refusal: null,
          finishReason: finish === 'length' ? 'length' : finish === 'blocked' ? 'content_filter' : 'stop',
        }),
      embedInputs: (_route, body) => {
        const b = body as EmbeddingsRequest
        return { texts: inputTexts(b), dimensions: b.dimensions }
      },
      embed: (_route, body, vectors) => embeddingsResponse(body as EmbeddingsRequest, vectors),
      headers: () => ({ 'apim-request-id': crypto.randomUUID(), 'x-ms-region': 'East US' }),
    },
    options,
  )
}
