import * as z from 'zod/mini'
import { modelField, positiveInt, remoteShape } from '../common/remote.ts'

/**
 * Configs of the `bedrock` llm (Converse API) and embedder (InvokeModel with Titan or Cohere embedding
 * models). Requests are signed with SigV4 (src/provider-utils/aws-sigv4.ts); like every provider, the
 * credentials come from the config only, never the environment.
 */
const aws = {
  region: z.string().check(z.regex(/^[a-z]{2}(-gov)?-[a-z]+-\d$/, { error: 'expected an AWS region such as us-east-1' })),
  accessKeyId: z.string().check(z.minLength(1)),
  secretAccessKey: z.string().check(z.minLength(1)),
  sessionToken: z.optional(z.string()),
  /** Another endpoint than https://bedrock-runtime.<region>.amazonaws.com (VPC endpoints, tests). */
  baseURL: remoteShape.baseURL,
  headers: remoteShape.headers,
  timeoutMs: remoteShape.timeoutMs,
  maxRetries: remoteShape.maxRetries,
  retryBaseDelayMs: remoteShape.retryBaseDelayMs,
}

export const bedrockLLMSchema = z.strictObject({
  ...aws,
  /** A model id or inference profile, e.g. anthropic.claude-3-5-haiku-20241022-v1:0 or us.amazon.nova-lite-v1:0. */
  model: modelField('us.amazon.nova-lite-v1:0'),
  temperature: z.optional(z.number().check(z.gte(0), z.lte(1))),
  maxTokens: z._default(positiveInt('tokens'), 4096),
})

export const bedrockEmbedderSchema = z.strictObject({
  ...aws,
  /** amazon.titan-embed-text-v2:0 (default), amazon.titan-embed-text-v1, cohere.embed-english-v3, cohere.embed-multilingual-v3. */
  model: modelField('amazon.titan-embed-text-v2:0'),
  /** Titan v2 only: 256, 512 or 1024 (default 1024). */
  dimensions: z.optional(positiveInt('vector length')),
  /** Cohere models only: texts per request (at most 96). Titan embeds one text per request. */
  batchSize: z._default(positiveInt('texts per request').check(z.lte(96, { error: 'expected at most 96 (the Cohere limit)' })), 96),
})

export type BedrockLLMConfig = z.input<typeof bedrockLLMSchema>
export type BedrockEmbedderConfig = z.input<typeof bedrockEmbedderSchema>
