import { RemoteError } from '../../src/errors.ts'
import { sleep } from '../../src/util/sleep.ts'
import type { RetryPolicy } from './retry-policy.ts'

/**
 * The one HTTP path every remote adapter uses: JSON over fetch, a timeout per attempt (AbortSignal),
 * retries with exponential backoff and full jitter on 408/429/5xx, network errors and timeouts,
 * honouring Retry-After, never retrying other 4xx (auth and validation errors do not heal by waiting).
 *
 * Why not ky (2.1.0 fits functionally: POST retries, jitter, Retry-After): it adds ~8.9 KB gzipped to
 * every adapter bundle for ~1.3 KB of logic here, and we need the service's error body parsed into
 * RemoteError anyway. See docs/adapters/README.md.
 */

export { DEFAULT_RETRY, DEFAULT_TIMEOUT_MS, type RetryPolicy } from './retry-policy.ts'

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE'

export interface HttpClientOptions {
  /** Name used in errors, e.g. "Upstash Vector". */
  service: string
  baseUrl: string
  headers: Record<string, string>
  timeoutMs: number
  retry: RetryPolicy
  /** Extracts the service's own message from an error response body (JSON already parsed when it was JSON). */
  errorMessage: (status: number, body: unknown, text: string) => string
}

export interface HttpRequest {
  method: HttpMethod
  /** Path below the base URL, starting with "/"; callers encode path segments. */
  path: string
  query?: Record<string, string | string[] | undefined>
  body?: unknown
}

const RETRYABLE_STATUS = (status: number): boolean => status === 408 || status === 429 || (status >= 500 && status !== 501)

/** Retry-After is either delta-seconds or an HTTP-date. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (value === null || value.trim() === '') return undefined
  const trimmed = value.trim()
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000)
  const at = Date.parse(trimmed)
  return Number.isNaN(at) ? undefined : Math.max(0, at - now)
}

export function backoffDelay(attempt: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt)
  return Math.floor(random() * ceiling)
}

function buildUrl(baseUrl: string, path: string, query: HttpRequest['query']): string {
  let url = baseUrl.replace(/\/+$/, '') + path
  if (query) {
    const params = new URLSearchParams()
    for (const [key, value] of Object.entries(query)) {
      if (value === undefined) continue
      for (const item of Array.isArray(value) ? value : [value]) params.append(key, item)
    }
    const qs = params.toString()
    if (qs) url += `?${qs}`
  }
  return url
}

function describeNetworkError(err: unknown): string {
  if (err instanceof Error) {
    const cause = (err as { cause?: unknown }).cause
    const detail = cause instanceof Error ? `: ${cause.message}` : ''
    return `${err.name}: ${err.message}${detail}`
  }
  return String(err)
}

export class HttpClient {
  private readonly options: HttpClientOptions

  constructor(options: HttpClientOptions) {
    this.options = options
  }

  get service(): string {
    return this.options.service
  }

  /** Sends the request and returns the parsed JSON body of a 2xx answer; throws RemoteError otherwise. */
  async request<T = unknown>(req: HttpRequest): Promise<T> {
    const { retry } = this.options
    const url = buildUrl(this.options.baseUrl, req.path, req.query)
    const headers: Record<string, string> = { ...this.options.headers }
    if (req.body !== undefined) headers['Content-Type'] = 'application/json'
    const body = req.body === undefined ? undefined : JSON.stringify(req.body)
    for (let attempt = 0; ; attempt++) {
      let error: RemoteError
      try {
        return (await this.attempt(url, req.method, headers, body)) as T
      } catch (err) {
        if (!(err instanceof RemoteError)) throw err
        error = err
      }
      const retryable = error.status === 0 || RETRYABLE_STATUS(error.status)
      if (!retryable || attempt >= retry.maxRetries) throw error
      let delay = backoffDelay(attempt, retry)
      if (error.retryAfterMs !== undefined) {
        if (error.retryAfterMs > retry.maxRetryAfterMs) throw error
        // The service said when: wait that long, plus a little jitter so clients do not return in lockstep.
        delay = error.retryAfterMs + backoffDelay(0, retry)
      }
      await sleep(delay)
    }
  }

  private async attempt(url: string, method: HttpMethod, headers: Record<string, string>, body: string | undefined): Promise<unknown> {
    const controller = new AbortController()
    const timer = setTimeout(() => controller.abort(), this.options.timeoutMs)
    let response: Response
    let text: string
    try {
      response = await fetch(url, { method, headers, body, signal: controller.signal })
      text = await response.text()
    } catch (err) {
      const message = controller.signal.aborted
        ? `request timed out after ${this.options.timeoutMs} ms (${method} ${url})`
        : `network error (${method} ${url}): ${describeNetworkError(err)}`
      throw new RemoteError(this.options.service, 0, message, { cause: err })
    } finally {
      clearTimeout(timer)
    }
    let parsed: unknown = undefined
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
      if (!isJson) {
        throw new RemoteError(this.options.service, response.status, `expected a JSON body, got ${JSON.stringify(text.slice(0, 200))}`)
      }
      return parsed
    }
    const message = this.options.errorMessage(response.status, isJson ? parsed : undefined, text) || response.statusText || 'error'
    throw new RemoteError(this.options.service, response.status, message, {
      retryAfterMs: parseRetryAfter(response.headers.get('retry-after')),
      hint: hintFor(response.status),
    })
  }
}

function hintFor(status: number): string | undefined {
  if (status === 401 || status === 403) return 'check the API key or token in the vector store config'
  if (status === 429) return 'rate limited; retries were exhausted'
  return undefined
}
