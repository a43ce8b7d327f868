/**
 * A fake of Anthropic's Messages API (POST /v1/messages), after the public docs
 * (docs.anthropic.com/en/api/messages, /en/api/errors, /en/api/rate-limits):
 * - auth: `x-api-key` (401 authentication_error "invalid x-api-key"); `anthropic-version` required (400).
 * - body: model, max_tokens (required, positive), messages (non-empty, user/assistant, first must be user),
 *   system as a string or text blocks; 400 invalid_request_error otherwise.
 * - answer: `{id, type: "message", role: "assistant", model, content: [{type: "text", text}], stop_reason, usage}`.
 * - errors: `{type: "error", error: {type, message}, request_id}`; 429 rate_limit_error with `retry-after`
 *   and `anthropic-ratelimit-*` headers; 529 overloaded_error; 500 api_error.
 */
import { type ErrorReply, retryAfterHeader, type ScriptedServer, startScriptedServer } from '../scripted-service.ts'

const ERROR_TYPES: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  403: 'permission_error',
  404: 'not_found_error',
  413: 'request_too_large',
  429: 'rate_limit_error',
  500: 'api_error',
  529: 'overloaded_error',
}

let counter = 0
const error = (status: number, message: string | undefined, retryAfter?: string): ErrorReply => ({
  status,
  body: {
    type: 'error',
    error: { type: ERROR_TYPES[status] ?? 'api_error', message: message ?? 'error' },
    request_id: `req_fake${++counter}`,
  },
  headers: {
    ...retryAfterHeader(retryAfter),
    ...(status === 429
      ? { 'anthropic-ratelimit-requests-remaining': '0', 'anthropic-ratelimit-requests-reset': new Date(Date.now() + 1000).toISOString() }
      : {}),
  },
})

export function startAnthropicServer(options: { apiKey?: string } = {}): Promise<ScriptedServer> {
  const apiKey = options.apiKey ?? 'sk-ant-test'
  return startScriptedServer({
    name: 'anthropic',
    route: (method, url) => (method === 'POST' && url.pathname === '/v1/messages' ? { kind: 'chat' } : undefined),
    authorize: (r) => {
      if (r.headers['x-api-key'] !== apiKey) return error(401, 'invalid x-api-key')
      if (!r.headers['anthropic-version']) return error(400, 'anthropic-version: header is required')
      return undefined
    },
    validate: (_route, body) => {
      const b = body as Record<string, unknown>
      if (typeof b.model !== 'string') return error(400, 'model: Field required')
      if (typeof b.max_tokens !== 'number' || b.max_tokens < 1) return error(400, 'max_tokens: Field required')
      const messages = b.messages
      if (!Array.isArray(messages) || messages.length === 0) return error(400, 'messages: at least one message is required')
      if ((messages[0] as { role?: unknown }).role !== 'user') return error(400, 'messages: first message must use the "user" role')
      for (const [i, m] of messages.entries()) {
        const { role, content } = m as { role?: unknown; content?: unknown }
        if (role !== 'user' && role !== 'assistant') return error(400, `messages.${i}.role: Input should be 'user' or 'assistant'`)
        if (typeof content !== 'string' && !Array.isArray(content)) return error(400, `messages.${i}.content: Field required`)
      }
      if (b.system !== undefined && typeof b.system !== 'string' && !Array.isArray(b.system))
        return error(400, 'system: Input should be a valid string')
      if (b.temperature !== undefined && (typeof b.temperature !== 'number' || b.temperature < 0 || b.temperature > 1)) {
        return error(400, 'temperature: Input should be less than or equal to 1')
      }
      return undefined
    },
    error,
    chat: (_route, body, { text, finish }) => ({
      id: `msg_fake${++counter}`,
      type: 'message',
      role: 'assistant',
      model: (body as { model: string }).model,
      content: finish === 'blocked' ? [] : [{ type: 'text', text }],
      stop_reason: finish === 'length' ? 'max_tokens' : finish === 'blocked' ? 'refusal' : 'end_turn',
      stop_sequence: null,
      usage: { input_tokens: 10, output_tokens: Math.ceil(text.length / 4) },
    }),
    headers: () => ({ 'request-id': `req_fake${++counter}`, 'anthropic-ratelimit-requests-limit': '50' }),
  })
}
