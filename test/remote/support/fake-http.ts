import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'

/**
 * The plumbing shared by the fake Upstash, Qdrant and Pinecone servers: a real node:http server on
 * 127.0.0.1 and a random port, a request log, and fault injection (status codes with optional
 * Retry-After, delays, dropped connections) usable in-process or over HTTP from another runtime
 * (workerd tests) through the `/__fake/*` admin routes, which are never logged nor faulted.
 */

export interface FakeRequest {
  method: string
  path: string
  query: URLSearchParams
  headers: IncomingHttpHeaders
  bodyText: string
}

export interface FakeResponse {
  status: number
  headers?: Record<string, string>
  /** Objects are sent as JSON; strings as text/plain. */
  body?: unknown
}

export type Fault =
  | { kind: 'status'; status: number; body?: unknown; headers?: Record<string, string> }
  /** Close the connection without answering (a network error for the client). */
  | { kind: 'drop' }
  /** Answer normally, but only after the delay (client timeouts). */
  | { kind: 'delay'; ms: number }

export interface LoggedRequest {
  method: string
  path: string
  query: string
  headers: Record<string, string>
  body: string
  status: number
  at: number
}

export type FakeHandler = (req: FakeRequest) => FakeResponse | Promise<FakeResponse>

export class FakeHttpServer {
  readonly requests: LoggedRequest[] = []
  private readonly faults: Fault[] = []
  private readonly server: Server
  private readonly sockets = new Set<Socket>()
  private readonly handler: FakeHandler
  private readonly onReset: () => void
  url = ''

  constructor(handler: FakeHandler, onReset: () => void) {
    this.handler = handler
    this.onReset = onReset
    this.server = createServer((req, res) => void this.handle(req, res))
    this.server.on('connection', (socket) => {
      this.sockets.add(socket)
      socket.on('close', () => this.sockets.delete(socket))
    })
  }

  async listen(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve))
    const { port } = this.server.address() as AddressInfo
    this.url = `http://127.0.0.1:${port}`
    return this
  }

  /** The next `count` API requests get this fault instead of (or before) their normal answer. */
  injectFault(fault: Fault, count = 1): void {
    for (let i = 0; i < count; i++) this.faults.push(fault)
  }

  clearFaults(): void {
    this.faults.length = 0
  }

  /** Empties the data, the log and the fault queue. */
  reset(): void {
    this.onReset()
    this.requests.length = 0
    this.clearFaults()
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy()
    await new Promise<void>((resolve) => this.server.close(() => resolve()))
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = []
    for await (const chunk of req) chunks.push(chunk as Buffer)
    const bodyText = Buffer.concat(chunks).toString('utf8')
    const url = new URL(req.url ?? '/', 'http://fake')
    if (url.pathname.startsWith('/__fake/')) return this.admin(url, bodyText, res)
    const fakeReq: FakeRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: url.searchParams,
      headers: req.headers,
      bodyText,
    }
    const entry: LoggedRequest = {
      method: fakeReq.method,
      path: url.pathname,
      query: url.search,
      headers: Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : String(v)])),
      body: bodyText,
      status: 0,
      at: Date.now(),
    }
    this.requests.push(entry)
    const fault = this.faults.shift()
    if (fault?.kind === 'drop') {
      req.socket.destroy()
      return
    }
    if (fault?.kind === 'delay') await new Promise((resolve) => setTimeout(resolve, fault.ms))
    let response: FakeResponse
    if (fault?.kind === 'status') {
      response = { status: fault.status, body: fault.body ?? '', ...(fault.headers ? { headers: fault.headers } : {}) }
    } else {
      try {
        response = await this.handler(fakeReq)
      } catch (err) {
        response = { status: 500, body: `fake server bug: ${err instanceof Error ? err.stack : String(err)}` }
      }
    }
    entry.status = response.status
    send(res, response)
  }

  private admin(url: URL, bodyText: string, res: ServerResponse): void {
    const route = url.pathname.slice('/__fake/'.length)
    if (route === 'faults') {
      const { count = 1, ...fault } = JSON.parse(bodyText || '{}') as Fault & { count?: number }
      this.injectFault(fault as Fault, count)
      send(res, { status: 200, body: { queued: this.faults.length } })
    } else if (route === 'log') {
      send(res, { status: 200, body: this.requests })
    } else if (route === 'reset') {
      this.reset()
      send(res, { status: 200, body: { reset: true } })
    } else {
      send(res, { status: 404, body: { error: `unknown admin route ${route}` } })
    }
  }
}

function send(res: ServerResponse, response: FakeResponse): void {
  const headers: Record<string, string> = { ...response.headers }
  let payload = ''
  if (typeof response.body === 'string') {
    payload = response.body
    headers['content-type'] ??= 'text/plain; charset=utf-8'
  } else if (response.body !== undefined) {
    payload = JSON.stringify(response.body)
    headers['content-type'] ??= 'application/json'
  }
  res.writeHead(response.status, headers)
  res.end(payload)
}

export async function startFakeServer(handler: FakeHandler, onReset: () => void): Promise<FakeHttpServer> {
  return new FakeHttpServer(handler, onReset).listen()
}

export function parseJsonBody(text: string): { ok: true; value: unknown } | { ok: false; error: string } {
  if (text.trim() === '') return { ok: true, value: undefined }
  try {
    return { ok: true, value: JSON.parse(text) }
  } catch (err) {
    return { ok: false, error: err instanceof Error ? err.message : String(err) }
  }
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

export function dotProduct(a: number[], b: number[]): number {
  let sum = 0
  for (let i = 0; i < a.length; i++) sum += a[i]! * b[i]!
  return sum
}

export function squaredL2(a: number[], b: number[]): number {
  let sum = 0
  for (let i = 0; i < a.length; i++) sum += (a[i]! - b[i]!) ** 2
  return sum
}

export function normalized(a: number[]): number[] {
  const n = Math.sqrt(dotProduct(a, a))
  return n === 0 ? a.slice() : a.map((x) => x / n)
}

/** JSON deep copy, so stored data never aliases request bodies or responses. */
export function clone<T>(value: T): T {
  return value === undefined ? value : (JSON.parse(JSON.stringify(value)) as T)
}
