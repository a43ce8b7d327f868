import {
  ConfigError,
  DimensionMismatchError,
  type EdgememError,
  EmbeddingError,
  FilterError,
  LLMError,
  NotFoundError,
  type RemoteError,
  StorageError,
  ValidationError,
} from '../errors.ts'

/**
 * The Worker answers every error with `{"error": {"code", "message"}}` (workers/http/errors.ts). The
 * codes of the core come back as the core's own classes, so code written against a local Memory
 * catches the same errors from a RemoteMemory; the `RemoteError` of the exchange (status, Retry-After)
 * is their `cause`. The Worker's HTTP codes (UNAUTHORIZED, FORBIDDEN, PAYLOAD_TOO_LARGE, RATE_LIMITED,
 * INTERNAL) and answers that are not the Worker's stay a `RemoteError`.
 */
export function errorFromRemote(err: RemoteError): EdgememError {
  const envelope = (err.body as { error?: { code?: unknown; message?: unknown } } | undefined)?.error
  const code = typeof envelope?.code === 'string' ? envelope.code : undefined
  const message = typeof envelope?.message === 'string' ? envelope.message : err.serviceMessage
  const options = { cause: err }
  switch (code) {
    case 'VALIDATION':
      return new ValidationError(message, options)
    case 'FILTER':
      return new FilterError(message, options)
    case 'NOT_FOUND':
      return new NotFoundError(message, options)
    case 'CONFIG':
      return new ConfigError('', `the server's configuration: ${message}`, options)
    case 'EMBEDDING':
      return new EmbeddingError(message, options)
    case 'LLM':
      return new LLMError(message, options)
    case 'STORAGE':
      return new StorageError(message, options)
    case 'DIMENSION_MISMATCH': {
      const found = /^(.*): vector has (\d+) dimensions but (\d+) are expected/.exec(message)
      if (found) return new DimensionMismatchError(Number(found[3]), Number(found[2]), found[1]!, options)
      return err
    }
    default:
      return err
  }
}
