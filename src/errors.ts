/**
 * Every error edgemem throws extends EdgememError and carries a stable string `code`, so callers can
 * branch on `err.code` without importing classes (useful across bundles and over the REST API).
 */
export type ErrorCode =
  | 'CONFIG'
  | 'VALIDATION'
  | 'FILTER'
  | 'NOT_FOUND'
  | 'DIMENSION_MISMATCH'
  | 'EMBEDDING'
  | 'LLM'
  | 'STORAGE'
  | 'REMOTE'
  | 'RERANK'

const ERROR_CODES: ReadonlySet<string> = new Set<ErrorCode>([
  'CONFIG',
  'VALIDATION',
  'FILTER',
  'NOT_FOUND',
  'DIMENSION_MISMATCH',
  'EMBEDDING',
  'LLM',
  'STORAGE',
  'REMOTE',
  'RERANK',
])

/**
 * Marks edgemem errors in a way that holds across copies of edgemem: an app whose bundles each carry
 * their own copy (a Worker and a library built separately, two versions in node_modules) has two
 * EdgememError classes, so `instanceof` fails across them, while `Symbol.for` is one symbol per realm.
 */
const MARKER: unique symbol = Symbol.for('edgemem.error')

export class EdgememError extends Error {
  // Literal names, not new.target.name: minifiers rename classes, and `name` is part of the API.
  override name = 'EdgememError'
  readonly code: ErrorCode
  /**
   * Set when the failed operation's undo failed too (a write that could not be rolled back): the undo's
   * error. The original failure stays the error thrown, since it is what the caller must act on.
   */
  rollbackError?: unknown
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.code = code
  }

  /** On the prototype, not each instance: invisible to Object.keys, spreads and equality checks. */
  get [MARKER](): true {
    return true
  }

  toJSON(): { name: string; code: ErrorCode; message: string } {
    return { name: this.name, code: this.code, message: this.message }
  }
}

/**
 * Invalid configuration; `field` is the dotted path of the offending setting, e.g. `embedder.config.model`,
 * and `detail` what is wrong with it (the message is both: `<field>: <detail>`).
 */
export class ConfigError extends EdgememError {
  override name = 'ConfigError'
  readonly field: string
  readonly detail: string
  constructor(field: string, detail: string, options?: { cause?: unknown }) {
    super('CONFIG', field ? `${field}: ${detail}` : detail, options)
    this.field = field
    this.detail = detail
  }
}

/** A call's arguments are wrong (missing scope, bad id, empty text, reserved metadata key, ...). */
export class ValidationError extends EdgememError {
  override name = 'ValidationError'
  constructor(message: string, options?: { cause?: unknown }) {
    super('VALIDATION', message, options)
  }
}

/**
 * A record of an edgemem export (docs/format.md) or of a file being imported is malformed: `line` is its
 * 1-based line in the JSON Lines stream (its position among the records given to `Memory.import`), and
 * `field` the path of the bad field when one is to blame. Code VALIDATION: the input is wrong.
 */
export class FormatError extends ValidationError {
  override name = 'FormatError'
  readonly line: number | undefined
  readonly field: string | undefined
  constructor(message: string, where: { line?: number; field?: string } = {}, options?: { cause?: unknown }) {
    const at = where.line === undefined ? '' : `line ${where.line}: `
    super(`${at}${where.field ? `${where.field}: ` : ''}${message}`, options)
    this.line = where.line
    this.field = where.field
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
  constructor(expected: number, actual: number, context: string, options?: { cause?: unknown }) {
    super(
      'DIMENSION_MISMATCH',
      `${context}: vector has ${actual} dimensions but ${expected} are expected. ` +
        `The embedder and the vector store disagree: use an embedder with ${expected}-dimensional output, ` +
        `or a new collection/store created for ${actual} dimensions.`,
      options,
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

/** A reranker's answer that cannot be used (scores missing, not numbers, for other documents). */
export class RerankError extends EdgememError {
  override name = 'RerankError'
  constructor(message: string, options?: { cause?: unknown }) {
    super('RERANK', message, options)
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
  /** The service's error answer, parsed, when it was JSON (e.g. the Worker's `{error: {code, message}}`). */
  readonly body: unknown
  constructor(
    service: string,
    status: number,
    serviceMessage: string,
    options?: { cause?: unknown; retryAfterMs?: number; hint?: string; body?: unknown },
  ) {
    const where = status === 0 ? 'no response' : `HTTP ${status}`
    super('REMOTE', `${service}: ${where}: ${serviceMessage}${options?.hint ? ` (${options.hint})` : ''}`, options)
    this.service = service
    this.status = status
    this.serviceMessage = serviceMessage
    this.retryAfterMs = options?.retryAfterMs
    this.body = options?.body
  }

  override toJSON(): { name: string; code: ErrorCode; message: string; status: number } {
    return { ...super.toJSON(), status: this.status }
  }
}

/**
 * Whether `err` is an edgemem error, from this copy of edgemem or any other (see MARKER); with `code`,
 * also whether it has that code. Prefer it to `instanceof` in code that may meet several copies.
 */
export function isEdgememError(err: unknown, code?: ErrorCode): err is EdgememError {
  if (typeof err !== 'object' || err === null || (err as Record<symbol, unknown>)[MARKER] !== true) return false
  const actual = (err as { code?: unknown }).code
  return typeof actual === 'string' && ERROR_CODES.has(actual) && (code === undefined || actual === code)
}
