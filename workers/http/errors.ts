import type { ErrorCode } from '../../src/internal.ts'

/**
 * Every error the REST API returns is `{"error": {"code", "message"}}` with one of these statuses.
 * The core's error codes keep their names; the Worker adds its own for HTTP concerns.
 */
export type ApiErrorCode = ErrorCode | 'UNAUTHORIZED' | 'FORBIDDEN' | 'PAYLOAD_TOO_LARGE' | 'RATE_LIMITED' | 'INTERNAL'
export type ApiStatus = 400 | 401 | 403 | 404 | 413 | 429 | 500 | 502 | 503 | 504

export interface ErrorBody {
  error: { code: ApiErrorCode | string; message: string }
}

/** An error with its HTTP status decided; thrown anywhere in the Worker, rendered by app.onError. */
export class ApiError extends Error {
  readonly status: ApiStatus
  readonly code: ApiErrorCode
  readonly headers: Record<string, string>
  constructor(status: ApiStatus, code: ApiErrorCode, message: string, headers: Record<string, string> = {}) {
    super(message)
    this.name = 'ApiError'
    this.status = status
    this.code = code
    // RFC 6750 (and the MCP authorization spec, which MCP clients follow on /mcp): a 401 names its scheme.
    this.headers = status === 401 ? { 'WWW-Authenticate': 'Bearer realm="edgemem"', ...headers } : headers
  }

  get body(): ErrorBody {
    return { error: { code: this.code, message: this.message } }
  }
}

/**
 * The status of each core error code, in one place:
 * - VALIDATION, FILTER: the request is wrong → 400.
 * - NOT_FOUND → 404.
 * - CONFIG: the server's configuration (embedder, store, llm settings) is wrong → 500. A request that
 *   asks for something the configuration cannot do (infer: true without an LLM) is refused with 400
 *   by the route before it reaches the core.
 * - DIMENSION_MISMATCH: the configured embedder and the stored index disagree; no request can fix that,
 *   the operator must → 500.
 * - EMBEDDING, LLM, REMOTE, RERANK: an upstream service (embedding endpoint, LLM, remote vector store, reranker) failed → 502.
 * - STORAGE: KV or Durable Object storage failed → 500.
 */
export const STATUS_OF_CODE: Record<ErrorCode, ApiStatus> = {
  VALIDATION: 400,
  FILTER: 400,
  NOT_FOUND: 404,
  CONFIG: 500,
  DIMENSION_MISMATCH: 500,
  EMBEDDING: 502,
  LLM: 502,
  REMOTE: 502,
  STORAGE: 500,
  RERANK: 502,
}

/** A core error as it crosses the Durable Object RPC boundary (class identity does not survive it). */
export interface SerializedError {
  code: string
  message: string
  /** 503 or 504 when the upstream was rate-limited, down or too slow (upstreamStatus). */
  status?: number
  retryAfter?: string
}

const STATUS_OF_WORKER_CODE: Record<Exclude<ApiErrorCode, ErrorCode>, ApiStatus> = {
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  PAYLOAD_TOO_LARGE: 413,
  RATE_LIMITED: 429,
  INTERNAL: 500,
}

function isCoreCode(code: unknown): code is ErrorCode {
  return typeof code === 'string' && Object.hasOwn(STATUS_OF_CODE, code)
}

/** Turns anything thrown into an ApiError; unknown errors become a 500 without internals in the message. */
export function toApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err
  const code = typeof err === 'object' && err !== null ? (err as { code?: unknown }).code : undefined
  if (isCoreCode(code)) {
    const upstream = upstreamStatus(err)
    if (upstream) return new ApiError(upstream.status, code, (err as Error).message, upstream.headers)
    return new ApiError(STATUS_OF_CODE[code], code, (err as Error).message)
  }
  // Not an error the API knows: keep the details in the logs, not in the response.
  console.error('edgemem worker: unexpected error', err)
  return new ApiError(500, 'INTERNAL', 'internal error; the Worker logs have the details')
}

/**
 * An upstream that is rate-limited or unavailable (429/503, with the Retry-After it asked for, else 1 s)
 * answers 503 with Retry-After, so clients back off instead of retrying a 502 at once; one that did not
 * answer in time (no response, or past the call's deadline) answers 504. Found anywhere in the cause chain.
 */
function upstreamStatus(err: unknown): { status: 503 | 504; headers: Record<string, string> } | undefined {
  for (let e: unknown = err, depth = 0; typeof e === 'object' && e !== null && depth < 8; e = (e as { cause?: unknown }).cause, depth++) {
    const { name, code, status, retryAfterMs } = e as { name?: unknown; code?: unknown; status?: unknown; retryAfterMs?: unknown }
    if (name === 'TimeoutError') return { status: 504, headers: {} }
    if (code === 'REMOTE' && (status === 429 || status === 503)) {
      const seconds = typeof retryAfterMs === 'number' && retryAfterMs > 0 ? Math.ceil(retryAfterMs / 1000) : 1
      return { status: 503, headers: { 'Retry-After': String(seconds) } }
    }
    if (code === 'REMOTE' && status === 0) return { status: 504, headers: {} }
  }
  return undefined
}

/** What a Durable Object sends back instead of throwing: errors keep their code, message and upstream status. */
export function serializeError(err: unknown): SerializedError {
  const api = toApiError(err)
  return {
    code: api.code,
    message: api.message,
    ...(api.status === 503 || api.status === 504 ? { status: api.status } : {}),
    ...(api.headers['Retry-After'] ? { retryAfter: api.headers['Retry-After'] } : {}),
  }
}

export function deserializeError(error: SerializedError): ApiError {
  if (isCoreCode(error.code)) {
    if (error.status === 503 || error.status === 504) {
      return new ApiError(error.status, error.code, error.message, error.retryAfter ? { 'Retry-After': error.retryAfter } : {})
    }
    return new ApiError(STATUS_OF_CODE[error.code], error.code, error.message)
  }
  const code = Object.hasOwn(STATUS_OF_WORKER_CODE, error.code) ? (error.code as Exclude<ApiErrorCode, ErrorCode>) : 'INTERNAL'
  return new ApiError(STATUS_OF_WORKER_CODE[code], code, error.message)
}
