/**
 * Shared utilities of every HTTP provider and adapter (like the Vercel AI SDK's provider-utils): the one
 * HTTP client and retry policy, transport settings for configs, SigV4 signing for AWS services.
 * Reached from adapters/ through src/internal.ts. The API providers are written against: knip does not
 * report its exports as unused (knip.jsonc).
 */
export { awsCredentialsFrom, type AwsCredentials, type AwsSigningScope, signAwsRequest, sigV4 } from './aws-sigv4.ts'
export { CircuitBreaker, type CircuitBreakerOptions } from './circuit-breaker.ts'
export {
  HttpClient,
  type HttpClientOptions,
  type HttpMethod,
  type HttpRequest,
  type HttpResponse,
  type OutgoingRequest,
  serviceMessageOf,
} from './http-client.ts'
export {
  backoffMs,
  DEFAULT_RETRY,
  DEFAULT_TIMEOUT_MS,
  decideRetry,
  type HttpFailure,
  isRetryableStatus,
  parseRetryAfter,
  type RetryDecision,
  type RetryPolicy,
  retryAfterMs,
  withRetries,
} from './retry.ts'
export { type TransportConfig, transportFrom, transportShape } from './transport.ts'
