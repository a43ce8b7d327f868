import { ErrorSchema } from './schemas.ts'

/** OpenAPI response entries shared by the routes. */

const errorContent = { 'application/json': { schema: ErrorSchema } }

const ERROR_DESCRIPTIONS = {
  400: 'invalid request (VALIDATION, FILTER)',
  401: 'missing or invalid API key (UNAUTHORIZED)',
  403: 'the key may not use this route (FORBIDDEN)',
  404: 'no such memory or route (NOT_FOUND)',
  413: 'body larger than MAX_BODY_BYTES (PAYLOAD_TOO_LARGE)',
  429: 'rate limit reached (RATE_LIMITED); see Retry-After',
  500: 'server configuration or storage failure (CONFIG, DIMENSION_MISMATCH, STORAGE, INTERNAL)',
  502: 'the embedding endpoint, LLM or remote vector store failed (EMBEDDING, LLM, REMOTE)',
} as const

type ErrorStatus = keyof typeof ERROR_DESCRIPTIONS

export function errorResponses<S extends ErrorStatus>(...statuses: S[]): Record<S, { description: string; content: typeof errorContent }> {
  const out = {} as Record<S, { description: string; content: typeof errorContent }>
  for (const status of statuses) out[status] = { description: ERROR_DESCRIPTIONS[status], content: errorContent }
  return out
}

/** The error statuses every authenticated route can answer with. */
export const AUTHENTICATED_ERRORS = [400, 401, 403, 413, 429, 500] as const

export function jsonResponse<T>(schema: T, description: string) {
  return { description, content: { 'application/json': { schema } } }
}

/** Both ways of sending the key, as OpenAPI security requirements. */
export const SECURITY: Record<string, string[]>[] = [{ bearerAuth: [] }, { apiKeyHeader: [] }]
