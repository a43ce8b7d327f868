import { LLMError, RemoteError } from '../../errors.ts'
import type { Embedder } from '../../interfaces/embedder.ts'
import type { LLM, LLMRequest } from '../../interfaces/llm.ts'
import type { HttpClient } from '../../provider-utils/http-client.ts'
import { type HttpFailure, withRetries } from '../../provider-utils/retry.ts'
import { transportFrom } from '../../provider-utils/transport.ts'
import { parseConfig } from '../../util/zod-errors.ts'
import { answerText, BatchingEmbedder, checkLLMRequest, describe, field, llmCall, remoteClient } from '../common/remote.ts'
import {
  type WorkersAIBinding,
  type WorkersAIEmbedderConfig,
  workersAIEmbedderSchema,
  type WorkersAILLMConfig,
  workersAILLMSchema,
} from './config.ts'

export const CLOUDFLARE_API_BASE = 'https://api.cloudflare.com/client/v4'

/** Output sizes of Workers AI's embedding models, checked against every answer. */
export const WORKERS_AI_EMBEDDING_DIMENSIONS: Readonly<Record<string, number>> = {
  '@cf/baai/bge-small-en-v1.5': 384,
  '@cf/baai/bge-base-en-v1.5': 768,
  '@cf/baai/bge-large-en-v1.5': 1024,
  '@cf/baai/bge-m3': 1024,
  '@cf/google/embeddinggemma-300m': 768,
  '@cf/qwen/qwen3-embedding-0.6b': 1024,
}

/**
 * A Workers AI error code in a binding's error message (`3040: Capacity temporarily exceeded`, `5007: No
 * such model`) read as the HTTP status the REST API answers for it, so the shared retry policy applies.
 */
function statusOfBindingError(message: string): number {
  const code = /\b(\d{4})\b/.exec(message)?.[1]
  if (code === '3040' || code === '3036' || code === '4006' || /capacity|rate limit|too many/i.test(message)) return 429
  if (code?.startsWith('5') || /no such model|invalid input|bad input/i.test(message)) return 400
  if (code === '10000' || /authentication/i.test(message)) return 401
  return 500
}

class TimedOut extends Error {}

/** The binding takes no signal: an attempt is abandoned (not cancelled) after `ms`, as the HTTP path's timeout. */
function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TimedOut(`timed out: no answer within ${ms} ms`)), ms)
  })
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer))
}

type Access = {
  binding?: WorkersAIBinding | undefined
  accountId?: string | undefined
  apiToken?: string | undefined
  baseURL?: string | undefined
  headers?: Record<string, string> | undefined
  timeoutMs?: number | undefined
  maxRetries?: number | undefined
  retryBaseDelayMs?: number | undefined
}

/** `run(model, input)`: through the binding (retried like HTTP by the error's code) or POST /accounts/{id}/ai/run/{model}. */
class WorkersAIRunner {
  readonly service: string
  private readonly binding: WorkersAIBinding | undefined
  private readonly http: HttpClient | undefined
  private readonly config: Access

  constructor(config: Access, what: string) {
    this.config = config
    this.binding = config.binding
    if (this.binding) {
      this.service = `workers-ai ${what} (AI binding)`
      this.http = undefined
    } else {
      const base = (config.baseURL ?? CLOUDFLARE_API_BASE).replace(/\/+$/, '')
      const baseUrl = `${base}/accounts/${encodeURIComponent(config.accountId!)}/ai/run`
      this.http = remoteClient(config, {
        service: `workers-ai ${what} (${base})`,
        baseUrl,
        headers: { Authorization: `Bearer ${config.apiToken}` },
        hint: (status) => (status === 401 || status === 403 ? 'check accountId and apiToken (Workers AI read rights)' : undefined),
      })
      this.service = this.http.service
    }
  }

  async run(model: string, input: Record<string, unknown>, signal?: AbortSignal): Promise<unknown> {
    if (this.http) {
      // Model names keep their slashes in the path: /ai/run/@cf/baai/bge-small-en-v1.5.
      const answer = await this.http.request({ method: 'POST', path: `/${model}`, body: input, signal })
      if (field(answer, 'success') === false) throw new RemoteError(this.service, 200, JSON.stringify(field(answer, 'errors')))
      return field(answer, 'result')
    }
    const binding = this.binding!
    const { retry, timeoutMs } = transportFrom(this.config)
    return withRetries({
      service: this.service,
      policy: retry,
      signal,
      attempt: () => withTimeout(binding.run(model, input), timeoutMs),
      failureOf: (err): HttpFailure | undefined => {
        if (err instanceof RemoteError) return undefined
        if (err instanceof TimedOut) return { status: 0, message: err.message, cause: err }
        const message = err instanceof Error ? err.message : String(err)
        return { status: statusOfBindingError(message), message, cause: err }
      },
    })
  }
}

/**
 * The `workers-ai` embedder: `{ text: [...] }` to an embedding model (default @cf/baai/bge-small-en-v1.5,
 * 384 dimensions), answered `{ shape: [n, d], data: [[...]] }`; up to 100 texts per request.
 */
export class WorkersAIEmbedder extends BatchingEmbedder implements Embedder {
  protected readonly service: string
  private readonly config
  private readonly runner: WorkersAIRunner

  constructor(config: WorkersAIEmbedderConfig) {
    const parsed = parseConfig(workersAIEmbedderSchema, config ?? {}, 'workers-ai embedder')
    super(parsed.batchSize, parsed.dimensions ?? WORKERS_AI_EMBEDDING_DIMENSIONS[parsed.model])
    this.config = parsed
    this.runner = new WorkersAIRunner(parsed, 'embeddings')
    this.service = this.runner.service
  }

  protected async embedBatch(batch: string[]): Promise<unknown[]> {
    const result = await this.runner.run(this.config.model, {
      text: batch,
      ...(this.config.pooling ? { pooling: this.config.pooling } : {}),
    })
    const data = field(result, 'data')
    if (!Array.isArray(data)) throw this.unusable(`expected { shape, data }, got ${describe(result)}`)
    return data
  }
}

/** JSON text of an answer in JSON mode: Workers AI may hand the object back already parsed. */
function jsonText(service: string, response: unknown): string {
  const text = typeof response === 'string' ? response.trim().replace(/^```(?:json)?\s*([\s\S]*?)\s*```$/, '$1') : JSON.stringify(response)
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch {
    throw new LLMError(
      `${service}: the model did not answer with JSON (it may have hit the token limit; raise maxTokens): ${text.slice(0, 80)}`,
    )
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new LLMError(`${service}: the model answered ${describe(parsed)}, expected a JSON object`)
  }
  return text
}

/**
 * The `workers-ai` llm: `{ messages, max_tokens, temperature, response_format }` to a text-generation model
 * (default @cf/meta/llama-3.3-70b-instruct-fp8-fast), answered `{ response, usage }`. In JSON mode the
 * answer must be a JSON object (else LLMError), as the Memory's inference expects.
 */
export class WorkersAILLM implements LLM {
  private readonly config
  private readonly runner: WorkersAIRunner

  constructor(config: WorkersAILLMConfig) {
    this.config = parseConfig(workersAILLMSchema, config ?? {}, 'workers-ai llm')
    this.runner = new WorkersAIRunner(this.config, 'text generation')
  }

  async complete(request: LLMRequest): Promise<string> {
    checkLLMRequest(request)
    const json = request.json === true
    const temperature = this.config.temperature ?? request.temperature
    const maxTokens = this.config.maxTokens ?? request.maxTokens
    const input = {
      messages: request.messages.map((m) => ({ role: m.role, content: m.content })),
      ...(temperature === undefined ? {} : { temperature }),
      ...(maxTokens === undefined ? {} : { max_tokens: maxTokens }),
      ...(json && this.config.jsonMode ? { response_format: { type: 'json_object' } } : {}),
    }
    const service = this.runner.service
    const result = await llmCall(service, request.signal, () => this.runner.run(this.config.model, input, request.signal))
    if (result === null || typeof result !== 'object') throw new LLMError(`${service}: expected { response }, got ${describe(result)}`)
    const response = field(result, 'response')
    if (json && response !== null && typeof response === 'object') return jsonText(service, response)
    if (response !== undefined && response !== null && typeof response !== 'string') {
      throw new LLMError(`${service}: the answer's response is ${describe(response)}, expected text`)
    }
    const text = answerText(service, response ?? undefined, { json, truncated: false })
    return json ? jsonText(service, text) : text
  }
}

export const createWorkersAIEmbedder = (config: WorkersAIEmbedderConfig | Record<string, unknown>): WorkersAIEmbedder =>
  new WorkersAIEmbedder(config as WorkersAIEmbedderConfig)
export const createWorkersAILLM = (config: WorkersAILLMConfig | Record<string, unknown>): WorkersAILLM =>
  new WorkersAILLM(config as WorkersAILLMConfig)
