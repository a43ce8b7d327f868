/**
 * The scaffold of the fake LLM, embedding and rerank services (test/servers/services/*.ts): a real HTTP
 * server on 127.0.0.1 at a random port that speaks one service's protocol (routes, auth, validation,
 * answer and error envelopes: the service module's job) and answers from a script.
 *
 *   const srv = await startAnthropicServer()
 *   const script = scriptControl(srv.url)            // also usable from inside workerd (plain fetch)
 *   await script.enqueue({ text: '{"facts": []}' }, { error: 429, retryAfter: '1' }, { drop: true })
 *   await script.requests()                          // what arrived, parsed
 *
 * Replies, consumed one per routed and authorised request, first in first out:
 *   { text, finish? }            a chat answer ('stop' | 'length' | 'blocked': the service's stop reason)
 *   { vectors }                  these vectors as the embeddings answer
 *   { scores }                   rerank scores, one per document (the service sorts and cuts to top_n)
 *   { error: status, message?, retryAfter? }   the service's own error envelope and headers for this status
 *   { raw: { status, body, headers? } }        verbatim (a string body is sent as is: malformed JSON)
 *   { drop: true }               destroy the connection (a network error)
 *   any of them with delayMs     answer late (timeouts); a client that gave up is not answered
 * With the queue empty: embeddings come from the hash embedder (texts sharing words are similar), rerank
 * scores are word overlaps, and chat answers 400 "unscripted" (not retried), so a forgotten script fails at once.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { hashEmbed, tokenize } from '../support/hash-embedder.ts'

export type ScriptedReply =
  | { text: string; finish?: 'stop' | 'length' | 'blocked'; delayMs?: number }
  | { vectors: number[][]; delayMs?: number }
  | { scores: number[]; delayMs?: number }
  | { error: number; message?: string; retryAfter?: string; delayMs?: number }
  | { raw: { status: number; body: unknown; headers?: Record<string, string> }; delayMs?: number }
  | { drop: true; delayMs?: number }
  | { delayMs: number }

export interface Recorded {
  method: string
  path: string
  query: Record<string, string>
  /** Lowercased names. */
  headers: Record<string, string>
  body: unknown
}

export interface Route {
  kind: 'chat' | 'embed' | 'rerank'
  model?: string
}

export interface ErrorReply {
  status: number
  body: unknown
  headers?: Record<string, string>
}

/** One service's protocol; see test/servers/services/. */
export interface ServiceSpec {
  name: string
  route(method: string, url: URL): Route | undefined
  /** The service's answer to a request without valid credentials, else undefined. */
  authorize(request: Recorded): ErrorReply | undefined
  /** The service's 400 (or other) answer to a malformed body, else undefined. */
  validate?(route: Route, body: unknown, request: Recorded): ErrorReply | undefined
  /** The error envelope and headers the service sends for `status`. */
  error(status: number, message: string | undefined, retryAfter?: string): ErrorReply
  chat?(route: Route, body: unknown, answer: { text: string; finish: 'stop' | 'length' | 'blocked' }): unknown
  /** The texts of an embeddings request, and the vector size it asks for (else the server's default). */
  embedInputs?(route: Route, body: unknown): { texts: string[]; dimensions?: number | undefined }
  embed?(route: Route, body: unknown, vectors: number[][]): unknown
  rerankInputs?(body: unknown): { query: string; documents: string[]; topN?: number | undefined }
  rerank?(body: unknown, ranked: { index: number; score: number }[]): unknown
  /** Headers on every answer (request ids, rate-limit counters). */
  headers?(): Record<string, string>
}

export interface ScriptedServer {
  readonly url: string
  readonly requests: Recorded[]
  enqueue(...replies: ScriptedReply[]): void
  reset(): void
  close(): Promise<void>
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')))
    req.on('error', reject)
  })
}

/** Word-overlap relevance in [0, 1): deterministic rerank scores when none are scripted. */
export function overlapScore(query: string, document: string): number {
  const q = new Set(tokenize(query))
  const d = new Set(tokenize(document))
  let shared = 0
  for (const t of q) if (d.has(t)) shared++
  return q.size === 0 ? 0 : shared / (q.size + 1)
}

export async function startScriptedServer(spec: ServiceSpec, options: { dimensions?: number } = {}): Promise<ScriptedServer> {
  const dimensions = options.dimensions ?? 64
  const queue: ScriptedReply[] = []
  const requests: Recorded[] = []

  const send = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void => {
    if (res.destroyed || res.writableEnded) return
    res.writeHead(status, { 'content-type': 'application/json', ...spec.headers?.(), ...headers })
    res.end(typeof body === 'string' ? body : JSON.stringify(body))
  }
  const sendError = (res: ServerResponse, e: ErrorReply): void => send(res, e.status, e.body, e.headers)
  const wait = (ms: number, res: ServerResponse): Promise<boolean> =>
    new Promise((resolve) => {
      const timer = setTimeout(() => resolve(!res.destroyed), ms)
      res.once('close', () => {
        clearTimeout(timer)
        resolve(false)
      })
    })

  const admin = async (req: IncomingMessage, res: ServerResponse, path: string, raw: string): Promise<void> => {
    if (path === '/__fake/enqueue') {
      queue.push(...(JSON.parse(raw) as { replies: ScriptedReply[] }).replies)
      return send(res, 200, { pending: queue.length })
    }
    if (path === '/__fake/requests') return send(res, 200, requests)
    if (path === '/__fake/reset') {
      queue.length = 0
      requests.length = 0
      return send(res, 200, {})
    }
    send(res, 404, { error: `unknown admin path ${req.method} ${path}` })
  }

  const answer = async (res: ServerResponse, route: Route, request: Recorded): Promise<void> => {
    const reply = queue.shift()
    if (reply?.delayMs && !(await wait(reply.delayMs, res))) return
    if (reply && 'drop' in reply) {
      res.socket?.destroy()
      return
    }
    if (reply && 'raw' in reply) return send(res, reply.raw.status, reply.raw.body, reply.raw.headers)
    if (reply && 'error' in reply) return sendError(res, spec.error(reply.error, reply.message, reply.retryAfter))
    const body = request.body
    if (route.kind === 'chat') {
      if (!reply || !('text' in reply)) return sendError(res, spec.error(400, `${spec.name} test server: no chat reply scripted`))
      return send(res, 200, spec.chat!(route, body, { text: reply.text, finish: reply.finish ?? 'stop' }))
    }
    if (route.kind === 'embed') {
      const inputs = spec.embedInputs!(route, body)
      const vectors =
        reply && 'vectors' in reply ? reply.vectors : inputs.texts.map((t) => Array.from(hashEmbed(t, inputs.dimensions ?? dimensions)))
      return send(res, 200, spec.embed!(route, body, vectors))
    }
    const { query, documents, topN } = spec.rerankInputs!(body)
    const scores = reply && 'scores' in reply ? reply.scores : documents.map((d) => overlapScore(query, d))
    const ranked = scores
      .map((score, index) => ({ index, score }))
      .sort((a, b) => b.score - a.score || a.index - b.index)
      .slice(0, topN ?? documents.length)
    return send(res, 200, spec.rerank!(body, ranked))
  }

  const server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1')
      const raw = await readBody(req)
      if (url.pathname.startsWith('/__fake/')) return admin(req, res, url.pathname, raw)
      let body: unknown = raw
      let parsed = raw === ''
      try {
        if (raw !== '') {
          body = JSON.parse(raw)
          parsed = true
        }
      } catch {
        // kept as text; answered 400 below
      }
      const headers: Record<string, string> = {}
      for (const [name, value] of Object.entries(req.headers))
        if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value
      const request: Recorded = {
        method: req.method ?? 'GET',
        path: url.pathname,
        query: Object.fromEntries(url.searchParams),
        headers,
        body,
      }
      requests.push(request)
      const route = spec.route(request.method, url)
      if (!route) return sendError(res, spec.error(404, `${request.method} ${url.pathname} not found`))
      const denied = spec.authorize(request)
      if (denied) return sendError(res, denied)
      if (!parsed) return sendError(res, spec.error(400, 'the request body is not valid JSON'))
      const invalid = spec.validate?.(route, body, request)
      if (invalid) return sendError(res, invalid)
      await answer(res, route, request)
    })().catch((err: unknown) =>
      send(res, 500, { error: `${spec.name} test server bug: ${err instanceof Error ? err.stack : String(err)}` }),
    )
  })
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => resolve())
  })
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    enqueue: (...replies) => queue.push(...replies),
    reset: () => {
      queue.length = 0
      requests.length = 0
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()))
        server.closeAllConnections()
      }),
  }
}

/** Scripts a fake over HTTP: the same calls work from Node and from inside workerd. */
export interface ScriptControl {
  enqueue(...replies: ScriptedReply[]): Promise<void>
  requests(): Promise<Recorded[]>
  reset(): Promise<void>
}

export function scriptControl(url: string): ScriptControl {
  const post = async (path: string, body?: unknown): Promise<Response> => {
    const response = await fetch(`${url}${path}`, { method: 'POST', body: body === undefined ? undefined : JSON.stringify(body) })
    if (!response.ok) throw new Error(`fake ${path}: ${response.status}`)
    return response
  }
  return {
    enqueue: async (...replies) => void (await post('/__fake/enqueue', { replies })),
    requests: async () => (await (await post('/__fake/requests')).json()) as Recorded[],
    reset: async () => void (await post('/__fake/reset')),
  }
}

/** `{ error: { type, message } }`-style helpers shared by the service modules. */
export const retryAfterHeader = (retryAfter: string | undefined): Record<string, string> =>
  retryAfter === undefined ? {} : { 'retry-after': retryAfter }
