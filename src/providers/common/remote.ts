import * as z from 'zod/mini'
import { EmbeddingError, LLMError, RemoteError, ValidationError } from '../../errors.ts'
import type { ChatMessage, LLMRequest } from '../../interfaces/llm.ts'
import { HttpClient, type HttpClientOptions } from '../../provider-utils/http-client.ts'
import { transportFrom, transportShape } from '../../provider-utils/transport.ts'

/**
 * What the fetch-only LLM, embedder and reranker providers (anthropic, gemini, bedrock, cohere, voyage,
 * jina, huggingface) share: their config fields, request checks, one HttpClient per endpoint (the shared
 * retry policy and RemoteError), and the checks every answer goes through. The openai and azure-openai
 * providers keep the openai package for the exchange (src/providers/openai/).
 */

const nonEmpty = (what: string) => z.string().check(z.minLength(1, { error: `expected ${what}` }))
export const positiveInt = (what: string) =>
  z
    .number()
    .check(
      z.refine<number>(Number.isSafeInteger, { message: `expected a whole number (${what})` }),
      z.positive({ error: `expected a positive number (${what})` }),
    )

/** Fields of every fetch-only provider config: a key, another endpoint (gateways, tests), headers, transport. */
export const remoteShape = {
  apiKey: z.optional(nonEmpty('a non-empty API key')),
  baseURL: z.optional(z.url({ protocol: /^https?$/, error: 'expected an http(s) URL' })),
  /** Extra HTTP headers sent with every request (gateways). */
  headers: z.optional(z.record(z.string(), z.string())),
  ...transportShape,
}

export const modelField = (fallback: string) => z._default(nonEmpty('a model name'), fallback)

/** An API key is required unless another endpoint (a gateway or self-hosted server) is named. */
export const apiKeyUnlessBaseURL = (service: string) =>
  z.refine<{ apiKey?: string | undefined; baseURL?: string | undefined }>((c) => c.apiKey !== undefined || c.baseURL !== undefined, {
    message: `an apiKey is required for ${service}; it may be omitted only together with baseURL`,
    path: ['apiKey'],
  })

export interface RemoteConfig {
  apiKey?: string | undefined
  baseURL?: string | undefined
  headers?: Record<string, string> | undefined
  timeoutMs?: number | undefined
  maxRetries?: number | undefined
  retryBaseDelayMs?: number | undefined
}

/** One HttpClient for a provider: its transport settings, its headers below the user's. */
export function remoteClient(
  config: RemoteConfig,
  options: Omit<HttpClientOptions, 'timeoutMs' | 'retry' | 'baseUrl'> & { baseUrl: string },
): HttpClient {
  return new HttpClient({
    ...options,
    ...transportFrom(config),
    headers: { ...options.headers, ...config.headers },
  })
}

const ROLES = new Set(['system', 'user', 'assistant'])

/** The checks every LLM runs before sending (the same ValidationError as the openai provider). */
export function checkLLMRequest(request: LLMRequest): void {
  if (request === null || typeof request !== 'object' || !Array.isArray(request.messages) || request.messages.length === 0) {
    throw new ValidationError('complete(request): request.messages must be a non-empty array of {role, content}')
  }
  request.messages.forEach((message, i) => {
    if (message === null || typeof message !== 'object' || !ROLES.has(message.role)) {
      throw new ValidationError(`complete(request): messages[${i}].role must be "system", "user" or "assistant"`)
    }
    if (typeof message.content !== 'string') throw new ValidationError(`complete(request): messages[${i}].content must be a string`)
  })
}

/** Appended to the system prompt of APIs without a JSON mode (Anthropic, Bedrock Converse). */
export const JSON_INSTRUCTION = 'Answer with one JSON object only: no prose before or after it, no Markdown code fences.'

/**
 * System messages joined (APIs that take the system prompt apart) and the conversation with consecutive
 * messages of one role merged (Anthropic and Bedrock want user/assistant turns, starting with the user).
 */
export function splitSystem(
  messages: readonly ChatMessage[],
  json: boolean,
): { system: string; turns: { role: 'user' | 'assistant'; content: string }[] } {
  const system = messages.filter((m) => m.role === 'system').map((m) => m.content)
  if (json) system.push(JSON_INSTRUCTION)
  const turns: { role: 'user' | 'assistant'; content: string }[] = []
  for (const m of messages) {
    if (m.role === 'system') continue
    const last = turns.at(-1)
    if (last && last.role === m.role) last.content += `\n\n${m.content}`
    else turns.push({ role: m.role, content: m.content })
  }
  if (turns[0]?.role !== 'user') turns.unshift({ role: 'user', content: '(start)' })
  return { system: system.join('\n\n'), turns }
}

/** Any error of the exchange that is not a RemoteError (or the caller's abort) becomes an LLMError. */
export async function llmCall<T>(service: string, signal: AbortSignal | undefined, send: () => Promise<T>): Promise<T> {
  try {
    return await send()
  } catch (err) {
    if (err instanceof RemoteError || signal?.aborted) throw err
    throw new LLMError(`${service}: the response could not be read (${err instanceof Error ? err.message : String(err)})`, { cause: err })
  }
}

/** Why an answer cannot be used, as an LLMError; `text` is returned when it can. */
export function answerText(
  service: string,
  text: string | undefined,
  outcome: { json: boolean; truncated: boolean; blocked?: string | undefined },
): string {
  if (outcome.blocked) throw new LLMError(`${service}: the answer was withheld (${outcome.blocked})`)
  if (text === undefined || text.trim() === '') {
    throw new LLMError(
      `${service}: the model returned an empty answer${outcome.truncated ? ' (it hit the token limit; raise maxTokens)' : ''}`,
    )
  }
  if (outcome.json && outcome.truncated) throw new LLMError(`${service}: the JSON answer was cut off by the token limit; raise maxTokens`)
  return text
}

export function describe(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'an array'
  if (typeof value === 'string') return `a string (${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)})`
  return typeof value === 'object' ? 'an object' : `${typeof value} ${String(value)}`
}

/** The checks of embed(texts) shared by every embedder: an array of non-blank strings. */
export function checkTexts(texts: unknown): asserts texts is string[] {
  if (!Array.isArray(texts)) throw new ValidationError('embed(texts): expected an array of strings')
  texts.forEach((text: unknown, index) => {
    if (typeof text !== 'string') throw new ValidationError(`embed(texts): texts[${index}] is ${describe(text)}, expected a string`)
    if (text.trim() === '')
      throw new ValidationError(`embed(texts): texts[${index}] is empty or whitespace only; there is nothing to embed`)
  })
}

/**
 * An embedder over an HTTP API: splits the input into batches (sent one after another, which keeps
 * within rate limits), checks every vector (numbers, finite, one length for the embedder's lifetime) and
 * returns them in input order. Subclasses send one batch and say where its vectors are.
 */
export abstract class BatchingEmbedder {
  protected abstract readonly service: string
  private detected: number | undefined
  private readonly configured: number | undefined
  private readonly batchSize: number

  constructor(batchSize: number, dimensions: number | undefined) {
    this.batchSize = batchSize
    this.configured = dimensions
    this.detected = dimensions
  }

  /** From config, else from the first response. */
  get dimensions(): number | undefined {
    return this.detected
  }

  /** Sends one batch; returns its vectors in the batch's order (unchecked). */
  protected abstract embedBatch(batch: string[]): Promise<unknown[]>

  async embed(texts: string[]): Promise<Float32Array[]> {
    checkTexts(texts)
    const out: Float32Array[] = []
    for (let start = 0; start < texts.length; start += this.batchSize) {
      const batch = texts.slice(start, start + this.batchSize)
      let raw: unknown[]
      try {
        raw = await this.embedBatch(batch)
      } catch (err) {
        if (err instanceof RemoteError || err instanceof EmbeddingError) throw err
        throw new EmbeddingError(`${this.service}: the response could not be read (${err instanceof Error ? err.message : String(err)})`, {
          cause: err,
        })
      }
      if (!Array.isArray(raw)) throw this.unusable(`expected a list of embeddings, got ${describe(raw)}`)
      if (raw.length !== batch.length) throw this.unusable(`${raw.length} embeddings for ${batch.length} inputs`)
      out.push(...raw.map((v, i) => this.vector(v, i)))
    }
    return out
  }

  private vector(value: unknown, position: number): Float32Array {
    if (!Array.isArray(value) || value.length === 0 || !value.every((x) => typeof x === 'number' && Number.isFinite(x))) {
      throw this.unusable(`embedding ${position} is ${describe(value)}, expected a non-empty list of finite numbers`)
    }
    const vector = Float32Array.from(value as number[])
    if (this.detected === undefined) this.detected = vector.length
    else if (vector.length !== this.detected) {
      const why =
        this.configured !== undefined
          ? `dimensions is ${this.configured} in the config; set it to the size the model returns`
          : `earlier vectors had ${this.detected}; every vector of one memory must come from the same model`
      throw new EmbeddingError(`${this.service} returned ${vector.length}-dimensional vectors but ${why}`)
    }
    return vector
  }

  protected unusable(what: string): EmbeddingError {
    return new EmbeddingError(`${this.service} sent an unusable embeddings response: ${what}`)
  }
}

/** `body[key]` when body is an object. */
export function field(body: unknown, key: string): unknown {
  return body !== null && typeof body === 'object' ? (body as Record<string, unknown>)[key] : undefined
}
