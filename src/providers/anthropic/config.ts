import * as z from 'zod/mini'
import { apiKeyUnlessBaseURL, modelField, positiveInt, remoteShape } from '../common/remote.ts'

/** Config of the `anthropic` llm (Anthropic Messages API). Free of the implementation: loads with the entry. */
export const anthropicLLMSchema = z
  .strictObject({
    ...remoteShape,
    model: modelField('claude-haiku-4-5'),
    /** The Messages API requires max_tokens; used when the Memory pipeline asks for no limit. */
    maxTokens: z._default(positiveInt('tokens'), 4096),
    /** When set, wins over the temperature the Memory pipeline asks for. */
    temperature: z.optional(z.number().check(z.gte(0), z.lte(1))),
    /** The `anthropic-version` header. */
    apiVersion: z._default(z.string(), '2023-06-01'),
  })
  .check(apiKeyUnlessBaseURL('api.anthropic.com'))

export type AnthropicLLMConfig = z.input<typeof anthropicLLMSchema>
