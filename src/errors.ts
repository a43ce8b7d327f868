/**
 * Every error edgemem throws extends EdgememError and carries a stable string `code`, so callers can
 * branch on `err.code` without importing classes (useful across bundles and over the REST API).
 */
export type ErrorCode = 'CONFIG' | 'VALIDATION' | 'FILTER' | 'NOT_FOUND' | 'DIMENSION_MISMATCH' | 'EMBEDDING' | 'LLM' | 'STORAGE' | 'REMOTE'

export class EdgememError extends Error {
  // Literal names, not new.target.name: minifiers rename classes, and `name` is part of the API.
  override name = 'EdgememError'
  readonly code: ErrorCode
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.code = code
  }

  toJSON(): { name: string; code: ErrorCode; message: string } {
    return { name: this.name, code: this.code, message: this.message }
  }
}

/** Invalid configuration; `field` is the dotted path of the offending setting, e.g. `embedder.config.model`. */
export class ConfigError extends EdgememError {
  override name = 'ConfigError'
  readonly field: string
  constructor(field: string, message: string, options?: { cause?: unknown }) {
    super('CONFIG', field ? `${field}: ${message}` : message, options)
    this.field = field
  }
}

/** A call's arguments are wrong (missing scope, bad id, empty text, reserved metadata key, ...). */
export class ValidationError extends EdgememError {
  override name = 'ValidationError'
  constructor(message: string, options?: { cause?: unknown }) {
    super('VALIDATION', message, options)
  }
}

/** A filter cannot be parsed, uses an unknown operator, or cannot be expressed by the vector store. */
export class FilterError extends EdgememError {
  override name = 'FilterError'
  constructor(message: string, options?: { cause?: unknown }) {
    super('FILTER', message, options)
  }
}

export class NotFoundError extends EdgememError {
  override name = 'NotFoundError'
  constructor(message: string, options?: { cause?: unknown }) {
    super('NOT_FOUND', message, options)
  }
}

export class DimensionMismatchError extends EdgememError {
  override name = 'DimensionMismatchError'
  readonly expected: number
  readonly actual: number
  constructor(expected: number, actual: number, context: string) {
    super(
      'DIMENSION_MISMATCH',
      `${context}: vector has ${actual} dimensions but ${expected} are expected. ` +
        `The embedder and the vector store disagree: use an embedder with ${expected}-dimensional output, ` +
        `or a new collection/store created for ${actual} dimensions.`,
    )
    this.expected = expected
    this.actual = actual
  }
}

export class EmbeddingError extends EdgememError {
  override name = 'EmbeddingError'
  constructor(message: string, options?: { cause?: unknown }) {
    super('EMBEDDING', message, options)
  }
}

export class LLMError extends EdgememError {
  override name = 'LLMError'
  constructor(message: string, options?: { cause?: unknown }) {
    super('LLM', message, options)
  }
}

export class StorageError extends EdgememError {
  override name = 'StorageError'
  constructor(message: string, options?: { cause?: unknown }) {
    super('STORAGE', message, options)
  }
}

/** A remote service (vector store, embedding or LLM endpoint) answered with an error or did not answer. */
export class RemoteError extends EdgememError {
  override name = 'RemoteError'
  /** HTTP status, or 0 when no response arrived (network error, timeout). */
  readonly status: number
  /** The service's own error message, verbatim. */
  readonly serviceMessage: string
  readonly service: string
  /** Milliseconds the service asked us to wait (Retry-After), when it said so. */
  readonly retryAfterMs: number | undefined
  constructor(
    service: string,
    status: number,
    serviceMessage: string,
    options?: { cause?: unknown; retryAfterMs?: number; hint?: string },
  ) {
    const where = status === 0 ? 'no response' : `HTTP ${status}`
    super('REMOTE', `${service}: ${where}: ${serviceMessage}${options?.hint ? ` (${options.hint})` : ''}`, options)
    this.service = service
    this.status = status
    this.serviceMessage = serviceMessage
    this.retryAfterMs = options?.retryAfterMs
  }

  override toJSON(): { name: string; code: ErrorCode; message: string; status: number } {
    return { ...super.toJSON(), status: this.status }
  }
}

export function isEdgememError(err: unknown): err is EdgememError {
  return err instanceof EdgememError
}
