/**
 * A real HTTP server speaking the OpenAI REST protocol for `POST /v1/embeddings` and
 * `POST /v1/chat/completions`, on 127.0.0.1 at a random port, scriptable per test.
 *
 *   const srv = await startOpenAITestServer({ apiKey: 'sk-test', dimensions: 64 })
 *   const embedder = new OpenAIEmbedder({ apiKey: 'sk-test', baseURL: srv.baseURL })
 *   srv.chat.enqueue({ content: '{"facts": ["likes tea"]}' })          // next chat answer
 *   srv.chat.enqueue(openAIError(429, 'Rate limit reached', { headers: { 'retry-after': '1' } }))
 *   srv.embeddings.enqueue({ drop: true })                               // next embeddings request: connection reset
 *   srv.chat.handler = (body) => ({ content: answerFor(body) })          // when the queue is empty
 *   srv.requests / srv.chat.requests                                     // what arrived, parsed
 *   srv.reset(); await srv.close()
 *
 * Exported API (exact):
 *   startOpenAITestServer(options?: OpenAITestServerOptions): Promise<OpenAITestServer>
 *   interface OpenAITestServerOptions {
 *     apiKey?: string          // when set, requests need `Authorization: Bearer <apiKey>`, else 401 like OpenAI
 *     dimensions?: number      // size of default embeddings when a request has no `dimensions` (default 384)
 *     chat?: ChatHandler       // initial srv.chat.handler
 *   }
 *   interface OpenAITestServer {
 *     readonly baseURL: string                 // 'http://127.0.0.1:<port>/v1' (give it to the providers)
 *     readonly origin: string                  // 'http://127.0.0.1:<port>'
 *     readonly requests: RecordedRequest[]     // every request, in arrival order
 *     readonly embeddings: Endpoint<EmbeddingsReply, EmbeddingsRequest>
 *     readonly chat: Endpoint<ChatReply, ChatCompletionRequest>
 *     reset(): void                            // clears queues, request logs and handlers (back to the options)
 *     close(): Promise<void>                   // also cuts open connections and pending delayed replies
 *   }
 *   interface Endpoint<Reply, Body> {
 *     enqueue(...replies: Reply[]): void       // consumed one per valid request, first in first out
 *     readonly pending: number                 // scripted replies not consumed yet
 *     readonly requests: RecordedRequest[]     // this endpoint's requests only
 *     handler: ((body: Body, request: RecordedRequest) => Reply | Promise<Reply>) | undefined
 *   }
 *   interface RecordedRequest { method; path; endpoint: 'embeddings' | 'chat' | 'other'; headers (lowercased names);
 *                               body: unknown (parsed JSON, or the raw text when not JSON); at: number (performance.now()) }
 *
 * Replies (a reply's `delayMs` waits before answering; a client that gives up meanwhile is not answered):
 *   { status, headers?, body? }      raw HTTP reply; `body` as string is sent verbatim (malformed JSON), else
 *                                    as JSON. `openAIError(status, message, {type, code, param, headers})`
 *                                    builds OpenAI's error envelope.
 *   { drop: true }                   destroys the connection without an answer (a network error)
 *   { delayMs }                      the default answer, late (use for timeouts)
 *   chat:       { content, refusal?, finishReason? }   an assistant message in a full chat.completion
 *   embeddings: { vectors }                            these vectors in a full embeddings list
 *               { reverseOrder: true }                 the default vectors, data[] listed last index first
 *
 * Order per request: route (404 otherwise) → auth (401) → JSON parse (400) → OpenAI's validation of the
 * body (400, e.g. empty input, json_object without the word "json") → scripted reply → handler → default.
 * Defaults: embeddings come from the hash embedder (test/support/hash-embedder.ts), so texts sharing words
 * are similar; chat has no default answer and replies 400 `test_server_unscripted` (not retried by clients),
 * so a test that forgot to script the LLM fails at once with a clear message.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { DEFAULT_HASH_DIMENSIONS } from '../support/hash-embedder.ts'
import {
  chatResponse,
  defaultEmbeddings,
  embeddingsResponse,
  errorBody,
  notFound,
  unauthorized,
  unparsableJson,
  validateChatRequest,
  validateEmbeddingsRequest,
  type ChatCompletionRequest,
  type EmbeddingsRequest,
  type ErrorReply,
  type FinishReason,
} from './openai-protocol.ts'

export type { ChatCompletionRequest, EmbeddingsRequest } from './openai-protocol.ts'

export interface RawReply {
  status: number
  headers?: Record<string, string>
  /** A string is sent verbatim; anything else as JSON. */
  body?: unknown
  delayMs?: number
}
export interface DropReply {
  drop: true
  delayMs?: number
}
export interface DelayReply {
  delayMs: number
}
export interface ChatContentReply {
  content: string | null
  refusal?: string
  finishReason?: FinishReason
  delayMs?: number
}
export interface EmbeddingsVectorsReply {
  vectors: ArrayLike<number>[]
  delayMs?: number
}
export interface EmbeddingsReorderReply {
  reverseOrder: true
  delayMs?: number
}

export type ChatReply = RawReply | DropReply | DelayReply | ChatContentReply
export type EmbeddingsReply = RawReply | DropReply | DelayReply | EmbeddingsVectorsReply | EmbeddingsReorderReply
export type ChatHandler = (body: ChatCompletionRequest, request: RecordedRequest) => ChatReply | Promise<ChatReply>
export type EmbeddingsHandler = (body: EmbeddingsRequest, request: RecordedRequest) => EmbeddingsReply | Promise<EmbeddingsReply>

export interface RecordedRequest {
  method: string
  path: string
  endpoint: 'embeddings' | 'chat' | 'other'
  /** Lowercased header names; repeated headers joined with ", ". */
  headers: Record<string, string>
  /** Parsed JSON, or the raw text when it is not JSON. */
  body: unknown
  /** performance.now() when the request was fully received. */
  at: number
}

export interface Endpoint<Reply, Body> {
  enqueue(...replies: Reply[]): void
  readonly pending: number
  readonly requests: RecordedRequest[]
  handler: ((body: Body, request: RecordedRequest) => Reply | Promise<Reply>) | undefined
}

export interface OpenAITestServerOptions {
  apiKey?: string
  dimensions?: number
  chat?: ChatHandler
}

export interface OpenAITestServer {
  readonly baseURL: string
  readonly origin: string
  readonly requests: RecordedRequest[]
  readonly embeddings: Endpoint<EmbeddingsReply, EmbeddingsRequest>
  readonly chat: Endpoint<ChatReply, ChatCompletionRequest>
  reset(): void
  close(): Promise<void>
}

/** OpenAI's error envelope as a raw reply, e.g. `openAIError(429, 'Rate limit reached', { headers: { 'retry-after': '1' } })`. */
export function openAIError(
  status: number,
  message: string,
  details: { type?: string; param?: string | null; code?: string | null; headers?: Record<string, string>; delayMs?: number } = {},
): RawReply {
  const { headers, delayMs, ...rest } = details
  return { status, body: errorBody(status, message, rest), ...(headers ? { headers } : {}), ...(delayMs === undefined ? {} : { delayMs }) }
}

class ScriptedEndpoint<Reply, Body> implements Endpoint<Reply, Body> {
  readonly requests: RecordedRequest[] = []
  handler: ((body: Body, request: RecordedRequest) => Reply | Promise<Reply>) | undefined
  private readonly queue: Reply[] = []
  private readonly initialHandler: typeof this.handler

  constructor(handler?: (body: Body, request: RecordedRequest) => Reply | Promise<Reply>) {
    this.handler = handler
    this.initialHandler = handler
  }

  enqueue(...replies: Reply[]): void {
    this.queue.push(...replies)
  }

  get pending(): number {
    return this.queue.length
  }

  /** The scripted reply, else the handler's, else undefined (the endpoint's default applies). */
  async next(body: Body, request: RecordedRequest): Promise<Reply | undefined> {
    if (this.queue.length > 0) return this.queue.shift()
    return this.handler ? this.handler(body, request) : undefined
  }

  reset(): void {
    this.queue.length = 0
    this.requests.length = 0
    this.handler = this.initialHandler
  }
}

const JSON_HEADERS = { 'content-type': 'application/json' }

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
    req.on('error', reject)
  })
}

function headerRecord(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) out[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value
  }
  return out
}

function bearerKey(headers: Record<string, string>): string | undefined {
  const match = /^Bearer\s+(.+)$/i.exec(headers.authorization ?? '')
  return match?.[1]?.trim()
}

export async function startOpenAITestServer(options: OpenAITestServerOptions = {}): Promise<OpenAITestServer> {
  const dimensions = options.dimensions ?? DEFAULT_HASH_DIMENSIONS
  const requests: RecordedRequest[] = []
  const embeddings = new ScriptedEndpoint<EmbeddingsReply, EmbeddingsRequest>()
  const chat = new ScriptedEndpoint<ChatReply, ChatCompletionRequest>(options.chat)
  const timers = new Set<ReturnType<typeof setTimeout>>()
  let requestCounter = 0

  const wait = (ms: number, res: ServerResponse): Promise<boolean> =>
    new Promise((resolve) => {
      const timer = setTimeout(() => {
        timers.delete(timer)
        resolve(!res.destroyed)
      }, ms)
      timers.add(timer)
      res.once('close', () => {
        clearTimeout(timer)
        timers.delete(timer)
        resolve(false)
      })
    })

  const send = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void => {
    if (res.destroyed || res.writableEnded) return
    const text = typeof body === 'string' ? body : body === undefined ? '' : JSON.stringify(body)
    requestCounter++
    res.writeHead(status, {
      ...JSON_HEADERS,
      'x-request-id': `req_test${String(requestCounter).padStart(6, '0')}`,
      'openai-processing-ms': '1',
      ...headers,
    })
    res.end(text)
  }

  const sendError = (res: ServerResponse, error: ErrorReply): void => send(res, error.status, error.body)

  /** Applies what every reply kind shares (delay, raw, drop); returns false when the reply was handled. */
  const settle = async (res: ServerResponse, reply: RawReply | DropReply | DelayReply | { delayMs?: number }): Promise<boolean> => {
    if (reply.delayMs !== undefined && reply.delayMs > 0 && !(await wait(reply.delayMs, res))) return false
    if ('drop' in reply && reply.drop) {
      res.socket?.destroy()
      return false
    }
    if ('status' in reply && typeof reply.status === 'number') {
      send(res, reply.status, reply.body, reply.headers)
      return false
    }
    return true
  }

  const handleEmbeddings = async (res: ServerResponse, request: RecordedRequest): Promise<void> => {
    const validated = validateEmbeddingsRequest(request.body)
    if (!validated.ok) return sendError(res, validated.error)
    const body = validated.request
    const reply: EmbeddingsReply = (await embeddings.next(body, request)) ?? { delayMs: 0 }
    if (!(await settle(res, reply))) return
    if ('vectors' in reply) return send(res, 200, embeddingsResponse(body, reply.vectors))
    send(
      res,
      200,
      embeddingsResponse(body, defaultEmbeddings(body, dimensions), {
        reverseOrder: 'reverseOrder' in reply && reply.reverseOrder === true,
      }),
    )
  }

  const handleChat = async (res: ServerResponse, request: RecordedRequest): Promise<void> => {
    const validated = validateChatRequest(request.body)
    if (!validated.ok) return sendError(res, validated.error)
    const body = validated.request
    const reply = await chat.next(body, request)
    if (reply === undefined) {
      return send(
        res,
        400,
        errorBody(400, 'openai test server: no chat reply scripted; call srv.chat.enqueue({ content }) or set srv.chat.handler', {
          code: 'test_server_unscripted',
        }),
      )
    }
    if (!(await settle(res, reply))) return
    if (!('content' in reply)) {
      return send(
        res,
        400,
        errorBody(400, 'openai test server: a delayed chat reply needs content (e.g. { delayMs, content })', {
          code: 'test_server_unscripted',
        }),
      )
    }
    send(
      res,
      200,
      chatResponse(body, { content: reply.content, refusal: reply.refusal ?? null, finishReason: reply.finishReason ?? 'stop' }),
    )
  }

  const server: Server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1')
      const raw = await readBody(req)
      let body: unknown = raw
      let parsed = raw === ''
      try {
        if (raw !== '') {
          body = JSON.parse(raw)
          parsed = true
        }
      } catch {
        // Kept as text in the log; answered with OpenAI's 400 below.
      }
      const endpoint =
        req.method === 'POST' && url.pathname === '/v1/embeddings'
          ? 'embeddings'
          : req.method === 'POST' && url.pathname === '/v1/chat/completions'
            ? 'chat'
            : 'other'
      const request: RecordedRequest = {
        method: req.method ?? 'GET',
        path: url.pathname,
        endpoint,
        headers: headerRecord(req),
        body,
        at: performance.now(),
      }
      requests.push(request)
      if (endpoint === 'other') return sendError(res, notFound(request.method, request.path))
      ;(endpoint === 'chat' ? chat : embeddings).requests.push(request)
      if (options.apiKey !== undefined) {
        const key = bearerKey(request.headers)
        if (key !== options.apiKey) return sendError(res, unauthorized(key))
      }
      if (!parsed) return sendError(res, unparsableJson())
      if (endpoint === 'chat') await handleChat(res, request)
      else await handleEmbeddings(res, request)
    })().catch((err: unknown) => {
      // A bug in a test's handler: answer 500 with the reason so the test output shows it.
      send(res, 500, errorBody(500, `openai test server: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`))
    })
  })

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve())
  })
  const { port } = server.address() as AddressInfo
  const origin = `http://127.0.0.1:${port}`

  return {
    baseURL: `${origin}/v1`,
    origin,
    requests,
    embeddings,
    chat,
    reset() {
      requests.length = 0
      embeddings.reset()
      chat.reset()
    },
    close() {
      for (const timer of timers) clearTimeout(timer)
      timers.clear()
      return new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()))
        server.closeAllConnections()
      })
    },
  }
}
