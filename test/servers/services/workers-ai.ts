/**
 * A fake of Cloudflare Workers AI's REST API (developers.cloudflare.com/workers-ai: get-started/rest-api,
 * models/bge-small-en-v1.5, features/json-mode), and, over it, of the Worker `AI` binding:
 * - POST /client/v4/accounts/{account_id}/ai/run/{model} (the model name keeps its slashes), Bearer token.
 * - every answer is Cloudflare's envelope `{ result, success, errors: [{ code, message }], messages }`;
 *   a bad token: 401 with code 10000 "Authentication error"; 429: code 3040 "Capacity temporarily exceeded".
 * - embedding models (`@cf/baai/bge-*`, names with "embed"): `{ text: string | string[] }` (at most 100
 *   texts), `pooling` "mean" | "cls"; answer `{ shape: [n, d], data: [[...]], pooling }`, d as the model
 *   card says (bge-small 384, bge-base 768, bge-large and bge-m3 1024).
 * - text generation: `{ messages: [{ role, content }], max_tokens?, temperature?, response_format? }`;
 *   answer `{ response, usage }`. Workers AI reports no stop reason: a scripted 'length' answer is sent cut
 *   as it is; a 'blocked' one has no `response` (the provider must refuse both in JSON mode / always).
 */
import { hashEmbed } from '../../support/hash-embedder.ts'
import { type ErrorReply, retryAfterHeader, type ScriptedServer, startScriptedServer } from '../scripted-service.ts'

export const WORKERS_AI_ACCOUNT = '0123456789abcdef0123456789abcdef'
export const WORKERS_AI_TOKEN = 'cf-ai-test-token'
const DIMENSIONS: Record<string, number> = {
  '@cf/baai/bge-small-en-v1.5': 384,
  '@cf/baai/bge-base-en-v1.5': 768,
  '@cf/baai/bge-large-en-v1.5': 1024,
  '@cf/baai/bge-m3': 1024,
}
const CODES: Record<number, number> = { 400: 5006, 401: 10000, 403: 10000, 404: 5007, 429: 3040, 500: 3043, 502: 3043, 503: 3043 }
const MESSAGES: Record<number, string> = {
  401: 'Authentication error',
  404: 'No such model',
  429: 'Capacity temporarily exceeded, please try again.',
  500: 'Internal server error',
}

const error = (status: number, message: string | undefined, retryAfter?: string): ErrorReply => ({
  status,
  body: {
    success: false,
    errors: [{ code: CODES[status] ?? 5000, message: message ?? MESSAGES[status] ?? 'error' }],
    messages: [],
    result: null,
  },
  headers: retryAfterHeader(retryAfter),
})
const envelope = (result: unknown) => ({ result, success: true, errors: [], messages: [] })

const PATH = /^\/client\/v4\/accounts\/([^/]+)\/ai\/run\/(@(?:cf|hf)\/.+)$/
const isEmbedding = (model: string) => /\/bge-|embed/i.test(model)

export function startWorkersAIServer(options: { dimensions?: number } = {}): Promise<ScriptedServer> {
  return startScriptedServer(
    {
      name: 'workers-ai',
      route: (method, url) => {
        const m = PATH.exec(url.pathname)
        if (method !== 'POST' || !m || m[1] !== WORKERS_AI_ACCOUNT) return undefined
        return { kind: isEmbedding(m[2]!) ? 'embed' : 'chat', model: m[2]! }
      },
      authorize: (r) => (r.headers.authorization === `Bearer ${WORKERS_AI_TOKEN}` ? undefined : error(401, 'Authentication error')),
      validate: (route, body) => {
        const b = (body ?? {}) as Record<string, unknown>
        if (route.kind === 'embed') {
          const texts = Array.isArray(b.text) ? b.text : [b.text]
          if (texts.length === 0 || !texts.every((t) => typeof t === 'string'))
            return error(400, "Type mismatch of '/text', 'string' not in 'array'")
          if (texts.length > 100) return error(400, 'Too many inputs: at most 100 texts per request')
          if (b.pooling !== undefined && b.pooling !== 'mean' && b.pooling !== 'cls')
            return error(400, "'/pooling' must be one of mean, cls")
          return undefined
        }
        if (!Array.isArray(b.messages) || b.messages.length === 0) return error(400, "Required properties at '/' are 'messages'")
        for (const m of b.messages as { role?: unknown; content?: unknown }[]) {
          if (typeof m.role !== 'string' || typeof m.content !== 'string')
            return error(400, "'/messages' items need a role and a string content")
        }
        const format = (b.response_format as { type?: unknown } | undefined)?.type
        if (format !== undefined && format !== 'json_object' && format !== 'json_schema')
          return error(400, `unsupported response_format ${String(format)}`)
        return undefined
      },
      error,
      chat: (_route, _body, { text, finish }) =>
        envelope(
          finish === 'blocked'
            ? { usage: { prompt_tokens: 10, completion_tokens: 0, total_tokens: 10 } }
            : { response: text, usage: { prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 } },
        ),
      embedInputs: (route, body) => {
        const text = (body as { text: string | string[] }).text
        return { texts: Array.isArray(text) ? text : [text], dimensions: DIMENSIONS[route.model!] ?? options.dimensions }
      },
      embed: (_route, body, vectors) =>
        envelope({
          shape: [vectors.length, vectors[0]?.length ?? 0],
          data: vectors,
          pooling: (body as { pooling?: string }).pooling ?? 'mean',
        }),
    },
    options,
  )
}

/**
 * The Worker `AI` binding (`Ai` of @cloudflare/workers-types: `run(model, inputs, options?)`) over the
 * fake REST service: the binding answers the envelope's `result` and throws a plain Error
 * `"<code>: <message>"` (InferenceUpstreamError in workerd) when Workers AI refuses.
 */
export class FakeAiBinding {
  readonly url: string
  readonly calls: { model: string; inputs: Record<string, unknown> }[] = []
  private readonly embedLocally: boolean
  /** `embedLocally`: embedding models answer here with the hash embedder, leaving the scripted queue to the LLM. */
  constructor(url: string, options: { embedLocally?: boolean } = {}) {
    this.url = url
    this.embedLocally = options.embedLocally ?? false
  }

  async run(model: string, inputs: Record<string, unknown>): Promise<unknown> {
    this.calls.push({ model, inputs })
    if (this.embedLocally && isEmbedding(model)) {
      const texts = Array.isArray(inputs.text) ? (inputs.text as string[]) : [inputs.text as string]
      const data = texts.map((t) => Array.from(hashEmbed(t, DIMENSIONS[model] ?? 384)))
      return { shape: [data.length, data[0]?.length ?? 0], data, pooling: 'mean' }
    }
    const response = await fetch(`${this.url}/client/v4/accounts/${WORKERS_AI_ACCOUNT}/ai/run/${model}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${WORKERS_AI_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify(inputs),
    })
    const body = (await response.json()) as { success?: boolean; result?: unknown; errors?: { code: number; message: string }[] }
    if (!response.ok || body.success === false) {
      const first = body.errors?.[0]
      const err = new Error(first ? `${first.code}: ${first.message}` : `HTTP ${response.status}`)
      err.name = 'InferenceUpstreamError'
      throw err
    }
    return body.result
  }
}
