/**
 * The OpenAI REST wire format as the test server speaks it: request validation with OpenAI's own error
 * messages, and response envelopes shaped exactly like api.openai.com's (object, index, usage, choices,
 * finish_reason, `{"error": {message, type, param, code}}`). Pure functions; the HTTP side is openai.ts.
 */
import { hashEmbed } from '../support/hash-embedder.ts'

export interface OpenAIErrorBody {
  error: { message: string; type: string; param: string | null; code: string | null }
}

/** An error reply as OpenAI sends it; `status` decides the HTTP status. */
export interface ErrorReply {
  status: number
  body: OpenAIErrorBody
}

const DEFAULT_ERROR_TYPE: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'invalid_request_error',
  403: 'permission_error',
  404: 'invalid_request_error',
  409: 'invalid_request_error',
  422: 'invalid_request_error',
  429: 'requests',
  500: 'server_error',
  502: 'server_error',
  503: 'server_error',
}

export function errorBody(
  status: number,
  message: string,
  details: { type?: string; param?: string | null; code?: string | null } = {},
): OpenAIErrorBody {
  return {
    error: {
      message,
      type: details.type ?? DEFAULT_ERROR_TYPE[status] ?? (status >= 500 ? 'server_error' : 'invalid_request_error'),
      param: details.param ?? null,
      code: details.code ?? null,
    },
  }
}

const invalid = (message: string, param: string | null = null, code: string | null = null): { ok: false; error: ErrorReply } => ({
  ok: false,
  error: { status: 400, body: errorBody(400, message, { param, code }) },
})

export function unauthorized(sentKey: string | undefined): ErrorReply {
  if (sentKey === undefined) {
    return {
      status: 401,
      body: errorBody(
        401,
        "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY), or as the password field (with blank username) if you're accessing the API from your browser and are prompted for a username and password. You can obtain an API key from https://platform.openai.com/account/api-keys.",
      ),
    }
  }
  const shown = sentKey.length > 8 ? `${sentKey.slice(0, 3)}*****${sentKey.slice(-4)}` : sentKey
  return {
    status: 401,
    body: errorBody(
      401,
      `Incorrect API key provided: ${shown}. You can find your API key at https://platform.openai.com/account/api-keys.`,
      {
        code: 'invalid_api_key',
      },
    ),
  }
}

export function notFound(method: string, path: string): ErrorReply {
  return { status: 404, body: errorBody(404, `Invalid URL (${method} ${path})`) }
}

export function unparsableJson(): ErrorReply {
  return invalid(
    "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON. If you have trouble figuring out how to fix this, please contact us through our help center at help.openai.com.)",
  ).error
}

// ---- embeddings ---------------------------------------------------------------------------------------

export interface EmbeddingsRequest {
  model: string
  input: string | string[]
  encoding_format?: 'float' | 'base64'
  dimensions?: number
  user?: string
}

export interface EmbeddingsResponse {
  object: 'list'
  data: { object: 'embedding'; index: number; embedding: number[] | string }[]
  model: string
  usage: { prompt_tokens: number; total_tokens: number }
}

const isObject = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value)
const INPUT_INVALID = "'$.input' is invalid. Please check the API reference: https://platform.openai.com/docs/api-reference."

export type Validated<T> = { ok: true; request: T } | { ok: false; error: ErrorReply }

/** The request body when OpenAI would accept it, else the 400 it would send. */
export function validateEmbeddingsRequest(body: unknown): Validated<EmbeddingsRequest> {
  if (!isObject(body)) return invalid(INPUT_INVALID)
  if (typeof body.model !== 'string' || body.model === '') return invalid('you must provide a model parameter')
  const input = body.input
  const texts = typeof input === 'string' ? [input] : Array.isArray(input) ? input : undefined
  if (!texts || texts.length === 0 || texts.length > 2048 || !texts.every((t) => typeof t === 'string' && t !== ''))
    return invalid(INPUT_INVALID, 'input')
  const format = body.encoding_format
  if (format !== undefined && format !== 'float' && format !== 'base64') {
    return invalid(
      `Invalid value for 'encoding_format': '${String(format)}'. Supported values are: 'float' and 'base64'.`,
      'encoding_format',
    )
  }
  if (body.dimensions !== undefined) {
    if (body.model === 'text-embedding-ada-002') return invalid('This model does not support specifying dimensions.', 'dimensions')
    if (typeof body.dimensions !== 'number' || !Number.isInteger(body.dimensions) || body.dimensions < 1) {
      return invalid(`Invalid value for 'dimensions' = ${String(body.dimensions)}. Must be greater or equal to 1.`, 'dimensions')
    }
  }
  return { ok: true, request: body as unknown as EmbeddingsRequest }
}

/** Little-endian float32 bytes in base64, as OpenAI sends for encoding_format "base64". */
export function encodeBase64Floats(vector: ArrayLike<number>): string {
  const bytes = new Uint8Array(vector.length * 4)
  const view = new DataView(bytes.buffer)
  for (let i = 0; i < vector.length; i++) view.setFloat32(i * 4, vector[i]!, true)
  let binary = ''
  for (const byte of bytes) binary += String.fromCharCode(byte)
  return btoa(binary)
}

/** Rough token count (about four characters per token for English), enough for usage fields. */
export const estimateTokens = (text: string): number => Math.max(1, Math.ceil(text.length / 4))

export function inputTexts(request: EmbeddingsRequest): string[] {
  return typeof request.input === 'string' ? [request.input] : request.input
}

export function embeddingsResponse(
  request: EmbeddingsRequest,
  vectors: ArrayLike<number>[],
  options: { reverseOrder?: boolean } = {},
): EmbeddingsResponse {
  const texts = inputTexts(request)
  const tokens = texts.reduce((sum, text) => sum + estimateTokens(text), 0)
  const data = vectors.map((vector, index) => ({
    object: 'embedding' as const,
    index,
    embedding: request.encoding_format === 'base64' ? encodeBase64Floats(vector) : Array.from(vector),
  }))
  if (options.reverseOrder) data.reverse()
  return { object: 'list', data, model: request.model, usage: { prompt_tokens: tokens, total_tokens: tokens } }
}

/** The server's default: the hash embedder at the requested (or the server's) size. */
export function defaultEmbeddings(request: EmbeddingsRequest, dimensions: number): Float32Array[] {
  return inputTexts(request).map((text) => hashEmbed(text, request.dimensions ?? dimensions))
}

// ---- chat completions ---------------------------------------------------------------------------------

export interface ChatCompletionRequest {
  model: string
  messages: { role: string; content: string | null; name?: string }[]
  temperature?: number
  max_tokens?: number
  max_completion_tokens?: number
  response_format?: { type: 'text' | 'json_object' | 'json_schema' }
  [key: string]: unknown
}

export type FinishReason = 'stop' | 'length' | 'content_filter' | 'tool_calls'

export interface ChatCompletionResponse {
  id: string
  object: 'chat.completion'
  created: number
  model: string
  choices: {
    index: number
    message: { role: 'assistant'; content: string | null; refusal: string | null; annotations: unknown[] }
    logprobs: null
    finish_reason: FinishReason
  }[]
  usage: { prompt_tokens: number; completion_tokens: number; total_tokens: number }
  system_fingerprint: string
}

const ROLES = new Set(['system', 'developer', 'user', 'assistant', 'tool'])

export function validateChatRequest(body: unknown): Validated<ChatCompletionRequest> {
  if (!isObject(body)) return invalid('Invalid body: expected a JSON object.')
  if (typeof body.model !== 'string' || body.model === '') return invalid('you must provide a model parameter')
  const messages = body.messages
  if (!Array.isArray(messages)) return invalid("Missing required parameter: 'messages'.", 'messages', 'missing_required_parameter')
  if (messages.length === 0)
    return invalid(
      "Invalid 'messages': empty array. Expected an array with minimum length 1, but got an empty array instead.",
      'messages',
      'empty_array',
    )
  for (const [i, message] of messages.entries()) {
    if (!isObject(message) || typeof message.role !== 'string' || !ROLES.has(message.role)) {
      return invalid(
        `Invalid value for 'messages[${i}].role'. Supported values are: 'system', 'assistant', 'user', 'tool', 'function', and 'developer'.`,
        `messages[${i}].role`,
      )
    }
    if (typeof message.content !== 'string' && !(message.role === 'assistant' && message.content === null)) {
      return invalid(
        `Invalid type for 'messages[${i}].content': expected one of a string or array of objects, but got ${message.content === null ? 'null' : typeof message.content} instead.`,
        `messages[${i}].content`,
      )
    }
  }
  const temperature = body.temperature
  if (temperature !== undefined && (typeof temperature !== 'number' || temperature < 0 || temperature > 2)) {
    return invalid(
      `Invalid 'temperature': decimal above maximum value. Expected a value <= 2, but got ${String(temperature)} instead.`,
      'temperature',
      'decimal_above_max_value',
    )
  }
  const format = body.response_format
  if (format !== undefined) {
    if (!isObject(format) || !['text', 'json_object', 'json_schema'].includes(String(format.type))) {
      return invalid(
        "Invalid value for 'response_format.type': Supported values are: 'text', 'json_object', and 'json_schema'.",
        'response_format.type',
      )
    }
    const mentionsJson = messages.some((m) => typeof m.content === 'string' && /json/i.test(m.content))
    if (format.type === 'json_object' && !mentionsJson) {
      return invalid("'messages' must contain the word 'json' in some form, to use 'response_format' of type 'json_object'.", 'messages')
    }
  }
  return { ok: true, request: body as ChatCompletionRequest }
}

let completionCounter = 0

export function chatResponse(
  request: ChatCompletionRequest,
  answer: { content: string | null; refusal?: string | null; finishReason?: FinishReason },
): ChatCompletionResponse {
  const promptTokens = request.messages.reduce((sum, m) => sum + estimateTokens(m.content ?? ''), 0)
  const completionTokens = answer.content ? estimateTokens(answer.content) : 0
  completionCounter++
  return {
    id: `chatcmpl-test${String(completionCounter).padStart(8, '0')}`,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model: request.model,
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content: answer.content, refusal: answer.refusal ?? null, annotations: [] },
        logprobs: null,
        finish_reason: answer.finishReason ?? 'stop',
      },
    ],
    usage: { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens },
    system_fingerprint: 'fp_edgemem_test',
  }
}
