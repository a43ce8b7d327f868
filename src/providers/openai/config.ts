import * as z from 'zod/mini'
import { ConfigError } from '../../errors.ts'
import { parseConfig as parseWithSchema } from '../../util/zod-errors.ts'

/**
 * Config schemas of the `openai` embedder and llm. Kept free of the openai package so the registry can
 * validate configs synchronously without loading it.
 */

// A refinement, not z.int(): an int failure is reported as a type error, which reads "expected int" for 1.5.
const wholeNumber = (what: string) => z.refine<number>(Number.isSafeInteger, { message: `expected a whole number (${what})` })
const positiveInt = (what: string) => z.number().check(wholeNumber(what), z.positive({ error: `expected a positive number (${what})` }))

const connection = {
  /** Not needed for local servers (Ollama, vLLM, LM Studio) reached through `baseURL`. */
  apiKey: z.optional(z.string().check(z.minLength(1, { error: 'expected a non-empty API key' }))),
  baseURL: z.optional(z.url({ protocol: /^https?$/, error: 'expected an http(s) URL such as https://api.openai.com/v1' })),
  timeoutMs: z._default(positiveInt('milliseconds per attempt'), 30_000),
  maxRetries: z._default(
    z.number().check(wholeNumber('retries'), z.gte(0, { error: 'expected 0 or more' }), z.lte(10, { error: 'expected at most 10' })),
    3,
  ),
  /** Extra HTTP headers sent with every request (gateways, org/project routing). */
  headers: z.optional(z.record(z.string(), z.string())),
  /**
   * Fail fast while the endpoint is down (provider-utils/circuit-breaker.ts): after `failures` (5)
   * consecutive calls found no response or a 5xx, calls fail at once for `cooldownMs` (30000). false: off.
   */
  circuitBreaker: z._default(
    z.union([
      z.literal(false),
      z.strictObject({ failures: z.optional(positiveInt('consecutive failures')), cooldownMs: z.optional(positiveInt('milliseconds')) }),
    ]),
    {},
  ),
}

// Sending the user's OpenAI key (or nothing) to api.openai.com by accident is worse than failing early.
const apiKeyUnlessBaseURL = z.refine<{ apiKey?: string | undefined; baseURL?: string | undefined }>(
  (config) => config.apiKey !== undefined || config.baseURL !== undefined,
  {
    message: 'an apiKey is required for api.openai.com; it may be omitted only together with baseURL (a local server that needs no key)',
    path: ['apiKey'],
  },
)

export const openaiEmbedderSchema = z
  .strictObject({
    ...connection,
    model: z._default(z.string().check(z.minLength(1, { error: 'expected a model name' })), 'text-embedding-3-small'),
    /** Asks the model for shorter vectors (text-embedding-3 models); also checked against every response. */
    dimensions: z.optional(positiveInt('vector length')),
    /** Texts per request; OpenAI accepts at most 2048. */
    batchSize: z._default(
      positiveInt('texts per request').check(z.lte(2048, { error: 'expected at most 2048 (the OpenAI limit per request)' })),
      128,
    ),
    /** `base64` (the openai package's default, a third of the bytes) or `float` for servers that only speak that. */
    encodingFormat: z._default(z.enum(['base64', 'float']), 'base64'),
  })
  .check(apiKeyUnlessBaseURL)

export const openaiLLMSchema = z
  .strictObject({
    ...connection,
    model: z._default(z.string().check(z.minLength(1, { error: 'expected a model name' })), 'gpt-4.1-mini'),
    /** When set, wins over the temperature the Memory pipeline asks for (you know what your model accepts). */
    temperature: z.optional(z.number().check(z.gte(0, { error: 'expected 0 to 2' }), z.lte(2, { error: 'expected 0 to 2' }))),
    /** When set, wins over the limit the Memory pipeline asks for. */
    maxTokens: z.optional(positiveInt('tokens')),
    /** Send `response_format: {type: 'json_object'}` when a JSON answer is asked for. */
    jsonMode: z._default(z.boolean(), true),
  })
  .check(apiKeyUnlessBaseURL)

/** What a user writes (defaults optional). */
export type OpenAIEmbedderConfig = z.input<typeof openaiEmbedderSchema>
export type OpenAILLMConfig = z.input<typeof openaiLLMSchema>
/** After validation: defaults filled in. */
export type ResolvedOpenAIEmbedderConfig = z.output<typeof openaiEmbedderSchema>
export type ResolvedOpenAILLMConfig = z.output<typeof openaiLLMSchema>
export type ConnectionConfig = Pick<
  ResolvedOpenAIEmbedderConfig,
  'apiKey' | 'baseURL' | 'timeoutMs' | 'maxRetries' | 'headers' | 'circuitBreaker'
>

/**
 * Validates again when a provider is constructed directly (not through a Memory config), so both paths
 * reject the same mistakes with a ConfigError naming the field.
 */
export function parseConfig<S extends typeof openaiEmbedderSchema | typeof openaiLLMSchema>(
  schema: S,
  config: unknown,
  prefix: string,
): z.output<S> {
  if (config === null || typeof config !== 'object') throw new ConfigError(prefix, 'expected a config object')
  return parseWithSchema(schema, config, prefix) as z.output<S>
}
