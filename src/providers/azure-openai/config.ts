import * as z from 'zod/mini'
import { positiveInt } from '../common/remote.ts'

/**
 * Configs of the `azure-openai` llm and embedder: an Azure OpenAI (or Azure AI Foundry) deployment,
 * reached through the openai package's AzureOpenAI client. The key goes in the `api-key` header.
 */
const azure = {
  /** The resource endpoint, e.g. https://my-resource.openai.azure.com */
  endpoint: z.url({ protocol: /^https?$/, error: 'expected the resource endpoint, e.g. https://my-resource.openai.azure.com' }),
  apiKey: z.string().check(z.minLength(1, { error: 'expected a non-empty API key' })),
  /** The deployment name (Azure routes by deployment, not model). */
  deployment: z.string().check(z.minLength(1, { error: 'expected a deployment name' })),
  apiVersion: z._default(z.string().check(z.minLength(1)), '2024-10-21'),
  timeoutMs: z._default(positiveInt('milliseconds per attempt'), 30_000),
  maxRetries: z._default(z.number().check(z.int(), z.gte(0), z.lte(10)), 3),
  headers: z.optional(z.record(z.string(), z.string())),
}

export const azureOpenAILLMSchema = z.strictObject({
  ...azure,
  temperature: z.optional(z.number().check(z.gte(0), z.lte(2))),
  maxTokens: z.optional(positiveInt('tokens')),
  jsonMode: z._default(z.boolean(), true),
})

export const azureOpenAIEmbedderSchema = z.strictObject({
  ...azure,
  dimensions: z.optional(positiveInt('vector length')),
  batchSize: z._default(positiveInt('texts per request').check(z.lte(2048)), 128),
  encodingFormat: z._default(z.enum(['base64', 'float']), 'base64'),
})

export type AzureOpenAILLMConfig = z.input<typeof azureOpenAILLMSchema>
export type AzureOpenAIEmbedderConfig = z.input<typeof azureOpenAIEmbedderSchema>
