import { RemoteError } from '../errors.ts'
import { DEFAULT_RETRY, DEFAULT_TIMEOUT_MS, type HttpFailure, type RetryPolicy, withRetries } from './retry.ts'

/**
 * The one HTTP path of every fetch-based provider and adapter: a timeout per attempt (AbortSignal), the
 * shared retry policy (retry.ts), the service's own error message in every RemoteError, and a hook that
 * prepares each attempt (SigV4 signs every attempt anew: the signature covers the date).
 *
 * Why not ky (2.1.0 fits functionally: POST retries, jitter, Retry-After): it adds ~8.9 KB gzipped to
 * every bundle for ~1.5 KB of logic here, and the service's error body must be read into RemoteError
 * anyway. See docs/adapters/README.md.
 */

export type HttpMethod = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'

/** A request as it is about to be sent; what `prepare` receives and returns. */
export interface OutgoingRequest {
  method: HttpMethod
  url: string
  headers: Record<string, string>
  body: string | Uint8Array<ArrayBuffer> | undefined
}

export interface HttpClientOptions {
  /** Names the service in errors, e.g. "Upstash Vector". */
  service: string
  baseUrl: string
  /** Sent with every request: auth (`Authorization`, `api-key`, ...), API versions. */
  headers?: Record<string, string> | undefined
  /** Per attempt (default 30 s). */
  timeoutMs?: number | undefined
  retry?: RetryPolicy | undefined
  /**
   * The service's own message in an error answer (`body` is the parsed JSON when the answer was JSON).
   * Default: `serviceMessageOf`, which knows the usual envelopes.
   */
  errorMessage?: ((status: number, body: unknown, text: string) => string | undefined) | undefined
  /** Advice appended to a RemoteError for a status (default: 401/403 → check the credentials). */
  hint?: ((status: number) => string | undefined) | undefined
  /** Runs before every attempt, retries included: signs the request (SigV4), refreshes a token. */
  prepare?: ((request: OutgoingRequest) => OutgoingRequest | Promise<OutgoingRequest>) | undefined
  /**
   * The fetch to send with (default: the global one): a Cloudflare service binding's `fetch`, a test
   * double, a fetch with a proxy agent.
   */
  fetch?: ((input: string, init: RequestInit) => Promise<Response>) | undefined
}

export interface HttpRequest {
  method: HttpMethod
  /** Path below the base URL, starting with "/" (callers encode path segments), or an absolute http(s) URL. */
  path: string
  query?: Record<string, string | string[] | undefined> | undefined
  /** Sent as JSON. */
  body?: unknown
  /** Sent as is instead of JSON: NDJSON bulk bodies, form posts, bytes. */
  rawBody?: { contentType: string; data: string | Uint8Array<ArrayBuffer> } | undefined
  headers?: Record<string, string> | undefined
  /**
   * What a 2xx answer must carry: JSON (default, parsed), text, nothing the caller reads (204s), or a
   * `stream`: the body unread (a ReadableStream of bytes; the timeout covers the wait for the headers).
   */
  responseType?: 'json' | 'text' | 'none' | 'stream' | undefined
  /** Aborts the attempt in flight and the wait before a retry; the call rejects with the signal's reason. */
  signal?: AbortSignal | undefined
}

export interface HttpResponse<T> {
  status: number
  headers: Headers
  body: T
}

/** An attempt's failure travelling to the retry loop. */
class FailedAttempt extends Error {
  readonly failure: HttpFailure
  constructor(failure: HttpFailure) {
    super(failure.message)
    this.failure = failure
  }
}

const failureOf = (err: unknown): HttpFailure | undefined => (err instanceof FailedAttempt ? err.failure : undefined)

const firstString = (...values: unknown[]): string | undefined =>
  values.find((value): value is string => typeof value === 'string' && value.length > 0)

/**
 * The message in the usual error envelopes: `{error: "..."}` (Upstash), `{error: {message}}` (OpenAI,
 * Anthropic, Gemini, Pinecone), `{message}` (Pinecone, Elasticsearch-style gateways, AWS),
 * `{status: {error}}` (Qdrant), `{detail}` (FastAPI servers: Chroma, Hugging Face), `{error: [{message}]}`
 * (Weaviate), `{errors: [{message}]}`; else the raw text.
 */
export function serviceMessageOf(body: unknown, text: string): string {
  if (body && typeof body === 'object') {
    const b = body as Record<string, unknown>
    const nested = (value: unknown): unknown =>
      Array.isArray(value) ? (value[0] as { message?: unknown } | undefined)?.message : (value as { message?: unknown } | null)?.message
    const found = firstString(
      b.error,
      typeof b.error === 'object' && b.error !== null ? nested(b.error) : undefined,
      b.message,
      (b.status as { error?: unknown } | null)?.error,
      b.detail,
      nested(b.errors),
      (b.error as { reason?: unknown } | null)?.reason,
    )
    if (found) return found
  }
  return text.length > 500 ? `${text.slice(0, 500)}…` : text
}

function defaultHint(status: number): string | undefined {
  if (status === 401 || status === 403) return 'check the API key or credentials in the provider config'
  return undefined
}

function buildUrl(baseUrl: string, path: string, query: HttpRequest['query']): string {
  let url = /^https?:\/\//i.test(path) ? path : baseUrl.replace(/\/+$/, '') + path
  if (query) {
    const params = new URLSearchParams()
    for (const [key, value] of Object.entries(query)) {
      if (value === undefined) continue
      for (const item of Array.isArray(value) ? value : [value]) params.append(key, item)
    }
    const qs = params.toString()
    if (qs) url += `${url.includes('?') ? '&' : '?'}${qs}`
  }
  return url
}

/** The URL without its query: some services take keys in the query (`?key=`), which must not reach logs. */
function describeTarget(method: string, url: string): string {
  const at = url.search(/[?#]/)
  return `${method} ${at === -1 ? url : url.slice(0, at)}`
}

function describeNetworkError(err: unknown): string {
  if (err instanceof Error) {
    const cause = err.cause
    const detail = cause instanceof Error ? `: ${cause.message}` : ''
    return `${err.name}: ${err.message}${detail}`
  }
  return String(err)
}

export class HttpClient {
  readonly service: string
  private readonly options: HttpClientOptions
  private readonly timeoutMs: number
  private readonly retry: RetryPolicy

  constructor(options: HttpClientOptions) {
    this.options = options
    this.service = options.service
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS
    this.retry = options.retry ?? DEFAULT_RETRY
  }

  /** Sends the request and returns the body of a 2xx answer (parsed JSON by default); throws RemoteError otherwise. */
  async request<T = unknown>(req: HttpRequest): Promise<T> {
    return (await this.send<T>(req)).body
  }

  /** Like `request`, with the status and headers of the answer. */
  async send<T = unknown>(req: HttpRequest): Promise<HttpResponse<T>> {
    const headers: Record<string, string> = { ...this.options.headers, ...req.headers }
    let body: string | Uint8Array<ArrayBuffer> | undefined
    if (req.rawBody) {
      headers['Content-Type'] = req.rawBody.contentType
      body = req.rawBody.data
    } else if (req.body !== undefined) {
      headers['Content-Type'] = 'application/json'
      body = JSON.stringify(req.body)
    }
    const request: OutgoingRequest = { method: req.method, url: buildUrl(this.options.baseUrl, req.path, req.query), headers, body }
    return withRetries({
      service: this.service,
      policy: this.retry,
      signal: req.signal,
      attempt: () => this.attempt<T>(request, req),
      failureOf,
      hint: this.options.hint ?? defaultHint,
    })
  }

  private async attempt<T>(original: OutgoingRequest, req: HttpRequest): Promise<HttpResponse<T>> {
    // A fresh copy per attempt: `prepare` may rewrite it (a new signature each time).
    const prepared = this.options.prepare ? await this.options.prepare({ ...original, headers: { ...original.headers } }) : original
    const { method, url } = prepared
    const controller = new AbortController()
    const timer = setTimeout(() => controller.abort(), this.timeoutMs)
    const onAbort = (): void => controller.abort(req.signal?.reason)
    req.signal?.addEventListener('abort', onAbort, { once: true })
    let response: Response
    let text: string
    try {
      const init: RequestInit = { method, headers: prepared.headers, body: prepared.body ?? null, signal: controller.signal }
      response = await (this.options.fetch ? this.options.fetch(url, init) : fetch(url, init))
      if (response.ok && req.responseType === 'stream') {
        const stream = response.body ?? new ReadableStream<Uint8Array>({ start: (c) => c.close() })
        return { status: response.status, headers: response.headers, body: stream as T }
      }
      text = await response.text()
    } catch (err) {
      if (req.signal?.aborted) throw req.signal.reason
      const message = controller.signal.aborted
        ? `request timed out after ${this.timeoutMs} ms (${describeTarget(method, url)})`
        : `network error (${describeTarget(method, url)}): ${describeNetworkError(err)}`
      throw new FailedAttempt({ status: 0, message, cause: err })
    } finally {
      clearTimeout(timer)
      req.signal?.removeEventListener('abort', onAbort)
    }
    let parsed: unknown
    let isJson = false
    if (text.length > 0) {
      try {
        parsed = JSON.parse(text)
        isJson = true
      } catch {
        parsed = undefined
      }
    }
    if (response.ok) {
      const type = req.responseType ?? 'json'
      if (type === 'none') return { status: response.status, headers: response.headers, body: undefined as T }
      if (type === 'text') return { status: response.status, headers: response.headers, body: text as T }
      if (!isJson) {
        // A 2xx with an unusable body will not get better by asking again: not retried.
        throw new RemoteError(this.service, response.status, `expected a JSON body, got ${JSON.stringify(text.slice(0, 200))}`)
      }
      return { status: response.status, headers: response.headers, body: parsed as T }
    }
    const message =
      this.options.errorMessage?.(response.status, isJson ? parsed : undefined, text) ||
      serviceMessageOf(isJson ? parsed : undefined, text) ||
      response.statusText ||
      'error'
    throw new FailedAttempt({ status: response.status, headers: response.headers, message, ...(isJson ? { body: parsed } : {}) })
  }
}
