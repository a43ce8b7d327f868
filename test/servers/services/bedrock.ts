/**
 * A fake of Amazon Bedrock Runtime, after the public API reference (Converse, InvokeModel, Common Errors)
 * and the model parameter pages (Titan Text Embeddings, Cohere Embed):
 * - POST /model/{modelId}/converse and /model/{modelId}/invoke, signed with SigV4: `Authorization:
 *   AWS4-HMAC-SHA256 Credential=<key>/<yyyymmdd>/<region>/bedrock/aws4_request, SignedHeaders=..., Signature=<hex>`
 *   and `x-amz-date`; an unknown key is 403 UnrecognizedClientException, a malformed signature 403
 *   InvalidSignatureException (`x-amzn-ErrorType` header, `{message}` body, as every Bedrock error).
 * - 429 ThrottlingException ("Too many requests, please wait before trying again."), 400 ValidationException,
 *   404 ResourceNotFoundException, 408 ModelTimeoutException, 500 InternalServerException, 503 ServiceUnavailableException.
 * - converse: `{messages: [{role, content: [{text}]}], system?: [{text}], inferenceConfig?}` → `{output: {message:
 *   {role: "assistant", content: [{text}]}}, stopReason, usage, metrics}`.
 * - invoke with amazon.titan-embed-*: `{inputText, dimensions?, normalize?}` → `{embedding, inputTextTokenCount}`;
 *   with cohere.embed-*: `{texts (≤ 96), input_type}` → `{id, embeddings, texts, response_type: "embeddings_floats"}`.
 */
import { type ErrorReply, retryAfterHeader, type ScriptedServer, startScriptedServer } from '../scripted-service.ts'

const TYPES: Record<number, string> = {
  400: 'ValidationException',
  403: 'AccessDeniedException',
  404: 'ResourceNotFoundException',
  408: 'ModelTimeoutException',
  429: 'ThrottlingException',
  500: 'InternalServerException',
  503: 'ServiceUnavailableException',
}

const error = (status: number, message: string | undefined, retryAfter?: string, type?: string): ErrorReply => ({
  status,
  body: { message: message ?? (status === 429 ? 'Too many requests, please wait before trying again.' : 'error') },
  headers: {
    'x-amzn-errortype': `${type ?? TYPES[status] ?? 'InternalServerException'}:http://internal.amazon.com/coral/com.amazon.bedrock/`,
    ...retryAfterHeader(retryAfter),
  },
})

const PATH = /^\/model\/([^/]+)\/(converse|invoke)$/
const AUTH =
  /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([a-z0-9-]+)\/bedrock\/aws4_request, ?SignedHeaders=([a-z0-9;-]+), ?Signature=[0-9a-f]{64}$/

export function startBedrockServer(options: { accessKeyId?: string; region?: string; dimensions?: number } = {}): Promise<ScriptedServer> {
  const accessKeyId = options.accessKeyId ?? 'AKIDEXAMPLE'
  const region = options.region ?? 'us-east-1'
  return startScriptedServer(
    {
      name: 'bedrock',
      route: (method, url) => {
        const m = PATH.exec(url.pathname)
        if (method !== 'POST' || !m) return undefined
        const model = decodeURIComponent(m[1]!)
        if (m[2] === 'converse') return { kind: 'chat', model }
        return /embed/.test(model) ? { kind: 'embed', model } : undefined
      },
      authorize: (r) => {
        const m = AUTH.exec(r.headers.authorization ?? '')
        if (!r.headers.authorization) return error(403, 'Missing Authentication Token', undefined, 'MissingAuthenticationTokenException')
        if (
          !m ||
          !r.headers['x-amz-date']?.startsWith(m[2]!) ||
          !m[4]!.split(';').includes('host') ||
          !m[4]!.split(';').includes('x-amz-date')
        ) {
          return error(
            403,
            'The request signature we calculated does not match the signature you provided.',
            undefined,
            'InvalidSignatureException',
          )
        }
        if (m[1] !== accessKeyId)
          return error(403, 'The security token included in the request is invalid.', undefined, 'UnrecognizedClientException')
        if (m[3] !== region) return error(403, `Credential should be scoped to a valid region. `, undefined, 'InvalidSignatureException')
        return undefined
      },
      validate: (route, body) => {
        const b = body as Record<string, unknown>
        if (route.kind === 'chat') {
          const messages = b.messages as { role?: unknown; content?: unknown }[] | undefined
          if (!Array.isArray(messages) || messages.length === 0)
            return error(400, 'The model returned the following errors: messages: at least one message is required')
          if (messages[0]!.role !== 'user')
            return error(
              400,
              'A conversation must start with a user message. Try again with a conversation that starts with a user message.',
            )
          for (let i = 1; i < messages.length; i++) {
            if (messages[i]!.role === messages[i - 1]!.role)
              return error(400, 'A conversation must alternate between user and assistant roles.')
          }
          if (!messages.every((m) => Array.isArray(m.content) && m.content.length > 0))
            return error(400, 'The content field in the Message object is empty.')
          return undefined
        }
        if (route.model!.startsWith('cohere.')) {
          if (!Array.isArray(b.texts) || b.texts.length === 0 || b.texts.length > 96)
            return error(400, 'Malformed input request: #/texts: expected 1 to 96 texts')
          if (typeof b.input_type !== 'string') return error(400, 'Malformed input request: #: required key [input_type] not found')
          return undefined
        }
        if (typeof b.inputText !== 'string') return error(400, 'Malformed input request: #: required key [inputText] not found')
        if (b.dimensions !== undefined && ![256, 512, 1024].includes(b.dimensions as number))
          return error(400, 'Malformed input request: #/dimensions: must be one of 256, 512, 1024')
        return undefined
      },
      error,
      chat: (_route, _body, { text, finish }) => ({
        output: { message: { role: 'assistant', content: finish === 'blocked' ? [] : [{ text }] } },
        stopReason: finish === 'length' ? 'max_tokens' : finish === 'blocked' ? 'content_filtered' : 'end_turn',
        usage: { inputTokens: 10, outputTokens: 5, totalTokens: 15 },
        metrics: { latencyMs: 1 },
      }),
      embedInputs: (route, body) =>
        route.model!.startsWith('cohere.')
          ? { texts: (body as { texts: string[] }).texts }
          : { texts: [(body as { inputText: string }).inputText], dimensions: (body as { dimensions?: number }).dimensions },
      embed: (route, body, vectors) =>
        route.model!.startsWith('cohere.')
          ? { id: 'fake', embeddings: vectors, texts: (body as { texts: string[] }).texts, response_type: 'embeddings_floats' }
          : { embedding: vectors[0], inputTextTokenCount: 5 },
      headers: () => ({ 'x-amzn-requestid': crypto.randomUUID() }),
    },
    options,
  )
}
