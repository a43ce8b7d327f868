import * as z from 'zod/mini'
import { transportShape } from '../../provider-utils/transport.ts'
import { positiveInt } from '../common/remote.ts'

/**
 * Configs of the `workers-ai` embedder and llm: Cloudflare Workers AI through the `AI` binding of a
 * Worker (`binding: env.AI`), or through Cloudflare's REST API elsewhere (`accountId` + `apiToken`).
 */

/** The part of the `Ai` binding (@cloudflare/workers-types) the providers use. */
export interface WorkersAIBinding {
  run(model: string, inputs: Record<string, unknown>, options?: Record<string, unknown>): Promise<unknown>
}

const isBinding = (value: unknown): value is WorkersAIBinding =>
  typeof value === 'object' && value !== null && typeof (value as { run?: unknown }).run === 'function'

const accessShape = {
  /** The Workers AI binding (`env.AI`; wrangler.toml `[ai] binding = "AI"`). */
  binding: z.optional(z.custom<WorkersAIBinding>(isBinding, 'expected the Workers AI binding (env.AI)')),
  /** Outside Workers: the account id and an API token with Workers AI read rights. */
  accountId: z.optional(z.string().check(z.regex(/^[A-Za-z0-9]{1,64}$/, 'expected the Cloudflare account id'))),
  apiToken: z.optional(z.string().check(z.minLength(1))),
  /** REST base (default https://api.cloudflare.com/client/v4): an AI Gateway URL, or a fake in tests. */
  baseURL: z.optional(z.url({ protocol: /^https?$/, error: 'expected an http(s) URL' })),
  headers: z.optional(z.record(z.string(), z.string())),
  ...transportShape,
}

const bindingOrToken = z.refine<{ binding?: unknown; accountId?: string | undefined; apiToken?: string | undefined }>(
  (c) => c.binding !== undefined || (c.accountId !== undefined && c.apiToken !== undefined),
  { message: 'give `binding: env.AI` in a Worker, or `accountId` and `apiToken` for the REST API' },
)

const model = (fallback: string) =>
  z._default(
    z.string().check(z.regex(/^@(cf|hf)\/[\w.-]+\/[\w.:-]+$/, 'expected a Workers AI model name, e.g. @cf/baai/bge-small-en-v1.5')),
    fallback,
  )

export const WORKERS_AI_EMBEDDING_MODEL = '@cf/baai/bge-small-en-v1.5'
export const WORKERS_AI_LLM_MODEL = '@cf/meta/llama-3.3-70b-instruct-fp8-fast'

export const workersAIEmbedderSchema = z
  .strictObject({
    ...accessShape,
    model: model(WORKERS_AI_EMBEDDING_MODEL),
    /** Expected vector size; known for the catalogue's bge models, else learnt from the first answer. */
    dimensions: z.optional(positiveInt('vector length')),
    /** Texts per request; the bge models take at most 100. */
    batchSize: z._default(positiveInt('texts per request').check(z.lte(100, { error: 'expected at most 100 (the model limit)' })), 100),
    /** bge pooling ("mean" default, "cls" more accurate on long inputs); vectors of the two do not mix. */
    pooling: z.optional(z.enum(['mean', 'cls'])),
  })
  .check(bindingOrToken)

export const workersAILLMSchema = z
  .strictObject({
    ...accessShape,
    model: model(WORKERS_AI_LLM_MODEL),
    temperature: z.optional(z.number().check(z.gte(0), z.lte(5))),
    maxTokens: z.optional(positiveInt('tokens')),
    /** Ask for `response_format: { type: "json_object" }` when a JSON answer is wanted (models with JSON mode). */
    jsonMode: z._default(z.boolean(), true),
  })
  .check(bindingOrToken)

export type WorkersAIEmbedderConfig = z.input<typeof workersAIEmbedderSchema>
export type WorkersAILLMConfig = z.input<typeof workersAILLMSchema>
