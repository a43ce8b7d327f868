import type { OpenAI } from 'openai/client'
import { ConfigError } from '../../errors.ts'
import { CircuitBreaker } from '../../provider-utils/circuit-breaker.ts'
import { DEFAULT_RETRY, type HttpFailure, type RetryPolicy, withRetries } from '../../provider-utils/retry.ts'
import { Lazy } from '../../util/once.ts'
import type { ConnectionConfig } from './config.ts'

/**
 * One OpenAI-compatible endpoint: creates the openai client on first use (the package is imported lazily so
 * apps that never use it do not bundle or load it) and runs calls with the retry policy every HTTP provider shares (src/provider-utils/retry.ts).
 * Failures of the HTTP exchange become RemoteError; anything else (a body that is not what was expected)
 * is rethrown for the provider to turn into its own error type.
 */

// 'openai/client' rather than 'openai': the package index also pulls in the Azure and Bedrock clients.
type OpenAIModule = typeof import('openai/client')
type OpenAIClass = OpenAIModule['OpenAI']

export const OPENAI_BASE_URL = 'https://api.openai.com/v1'

// The openai package refuses to start without a key; local servers need none, and the Authorization
// header carrying this placeholder is removed (see clientOptions), so it never leaves the process.
const KEYLESS_PLACEHOLDER = 'edgemem-no-api-key'

// A failed load may succeed later (e.g. a flaky network fetching a lazy chunk): Lazy forgets failures.
const openaiModule = new Lazy<OpenAIModule>(() =>
  import('openai/client').catch((err: unknown) => {
    throw new ConfigError('provider', 'the "openai" package could not be loaded; install it next to edgemem (npm install openai)', {
      cause: err,
    })
  }),
)

function hasHeader(headers: Record<string, string> | undefined, name: string): boolean {
  return headers !== undefined && Object.keys(headers).some((key) => key.toLowerCase() === name)
}

/**
 * Every option the openai package would otherwise read from the environment (OPENAI_BASE_URL,
 * OPENAI_API_KEY, OPENAI_ORG_ID, OPENAI_PROJECT_ID, OPENAI_ADMIN_KEY, OPENAI_WEBHOOK_SECRET, OPENAI_LOG)
 * is given explicitly: config comes from the Memory config only, and a key in the environment must never be
 * sent to a local server. Retries are ours (maxRetries 0), the per-attempt timeout is the package's.
 */
function clientOptions(config: ConnectionConfig): ConstructorParameters<OpenAIClass>[0] {
  const removeAuthorization = config.apiKey === undefined && !hasHeader(config.headers, 'authorization')
  return {
    apiKey: config.apiKey ?? KEYLESS_PLACEHOLDER,
    baseURL: config.baseURL ?? OPENAI_BASE_URL,
    organization: null,
    project: null,
    adminAPIKey: null,
    webhookSecret: null,
    logLevel: 'warn',
    timeout: config.timeoutMs,
    maxRetries: 0,
    defaultHeaders: { ...config.headers, ...(removeAuthorization ? { Authorization: null } : {}) },
    // The key is the app's own choice; docs/providers/openai.md explains the risk of shipping it to browsers.
    dangerouslyAllowBrowser: true,
  }
}

/** The parts of an openai package error that matter; undefined for errors that are not about HTTP. */
function httpFailure(
  err: unknown,
  { APIConnectionTimeoutError, APIConnectionError, APIError }: OpenAIClass,
  timeoutMs: number,
): HttpFailure | undefined {
  if (err instanceof APIConnectionTimeoutError) return { status: 0, headers: undefined, message: `request timed out after ${timeoutMs} ms` }
  if (err instanceof APIConnectionError) {
    const cause =
      err.cause instanceof Error ? `: ${err.cause.message}${err.cause.cause instanceof Error ? ` (${err.cause.cause.message})` : ''}` : ''
    return { status: 0, headers: undefined, message: `${err.message.replace(/\.$/, '')}${cause}` }
  }
  if (err instanceof APIError && typeof err.status === 'number') {
    return { status: err.status, headers: err.headers, message: serviceMessage(err) }
  }
  return undefined
}

/** The service's own words: OpenAI's `{error: {message}}`, else whatever body it sent. */
function serviceMessage(err: InstanceType<OpenAIClass['APIError']>): string {
  const body = err.error as unknown
  if (body && typeof body === 'object' && 'message' in body && typeof body.message === 'string') return body.message
  // APIError prefixes its message with the status ("500 ..."); RemoteError states the status itself.
  return err.message.replace(/^\d{3} /, '')
}

function hintFor(status: number): string | undefined {
  if (status === 401) return 'check the apiKey'
  if (status === 403) return 'the key is not allowed to use this model or endpoint'
  if (status === 404) return 'check the model name and baseURL'
  return undefined
}

/** Whatever the openai package threw that is not an HTTP failure: in practice a body it could not parse. */
export function unreadable(err: unknown): string {
  const detail = err instanceof Error ? err.message : String(err)
  return err instanceof SyntaxError ? `the response is not valid JSON (${detail})` : `the response could not be read (${detail})`
}

/**
 * An Azure OpenAI deployment (the `azure-openai` providers): the same exchange through the openai
 * package's AzureOpenAI client, which sends the key as `api-key`, adds `?api-version=` and routes to
 * /openai/deployments/{deployment}/... below the resource endpoint (the config's baseURL).
 */
export interface AzureTarget {
  apiVersion: string
  deployment: string
}

type AzureModule = typeof import('openai/azure')
const azureModule = new Lazy<AzureModule>(() =>
  import('openai/azure').catch((err: unknown) => {
    throw new ConfigError('provider', 'the "openai" package could not be loaded; install it next to edgemem (npm install openai)', {
      cause: err,
    })
  }),
)

export interface RequestOptions {
  signal?: AbortSignal | undefined
}

export class OpenAIConnection {
  /** Names the endpoint in error messages, e.g. `openai embeddings (http://localhost:11434/v1)`. */
  readonly service: string
  private readonly config: ConnectionConfig
  private readonly retry: RetryPolicy
  private readonly breaker: CircuitBreaker | undefined
  private readonly client = new Lazy(async (): Promise<{ client: OpenAI; OpenAI: OpenAIClass }> => {
    const mod = await openaiModule.get()
    if (this.azure) {
      const { AzureOpenAI } = await azureModule.get()
      const options = clientOptions(this.config) ?? {}
      // baseURL (the endpoint + /openai), apiKey and apiVersion are given, so the client reads no environment.
      const client = new AzureOpenAI({
        apiKey: this.config.apiKey ?? KEYLESS_PLACEHOLDER,
        baseURL: `${(this.config.baseURL ?? '').replace(/\/+$/, '')}/openai`,
        organization: null,
        project: null,
        logLevel: 'warn',
        timeout: options.timeout,
        maxRetries: 0,
        defaultHeaders: options.defaultHeaders,
        dangerouslyAllowBrowser: true,
        ...this.azure,
      })
      return { client, OpenAI: mod.OpenAI }
    }
    return { client: new mod.OpenAI(clientOptions(this.config)), OpenAI: mod.OpenAI }
  })
  private readonly azure: AzureTarget | undefined

  constructor(config: ConnectionConfig, what: string, azure?: AzureTarget) {
    this.config = config
    this.azure = azure
    // OpenAI's rate limits are per minute: start backing off at 0.5 s, as OpenAI's own SDKs do.
    this.retry = { ...DEFAULT_RETRY, maxRetries: config.maxRetries, baseDelayMs: 500 }
    this.service = `${azure ? 'azure-openai' : 'openai'} ${what} (${config.baseURL ?? OPENAI_BASE_URL})`
    const { circuitBreaker } = config
    this.breaker = circuitBreaker === false ? undefined : new CircuitBreaker(circuitBreaker)
  }

  /** Loads the openai package and builds the client now instead of on the first request. */
  async ready(): Promise<void> {
    await this.client.get()
  }

  /**
   * Runs `send` until it succeeds, fails for good, or `signal` aborts (which rejects with the signal's
   * reason). `send` must pass the given options on to the openai call so aborts reach the request.
   */
  async call<T>(send: (client: OpenAI, options: RequestOptions) => Promise<T>, signal?: AbortSignal): Promise<T> {
    const { client, OpenAI } = await this.client.get()
    const call = () =>
      withRetries({
        service: this.service,
        policy: this.retry,
        signal,
        attempt: () => send(client, { signal }),
        failureOf: (err) => httpFailure(err, OpenAI, this.config.timeoutMs),
        hint: hintFor,
      })
    return this.breaker ? this.breaker.run(this.service, call) : call()
  }
}
