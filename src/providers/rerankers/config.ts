import * as z from 'zod/mini'
import { apiKeyUnlessBaseURL, modelField, remoteShape } from '../common/remote.ts'

/** Configs of the rerankers: cohere, jina and voyage (their rerank APIs) and llm (an LLM scores candidates). */
export const cohereRerankerSchema = z
  .strictObject({ ...remoteShape, model: modelField('rerank-v3.5') })
  .check(apiKeyUnlessBaseURL('api.cohere.com'))
export const jinaRerankerSchema = z
  .strictObject({ ...remoteShape, model: modelField('jina-reranker-v2-base-multilingual') })
  .check(apiKeyUnlessBaseURL('api.jina.ai'))
export const voyageRerankerSchema = z
  .strictObject({ ...remoteShape, model: modelField('rerank-2.5') })
  .check(apiKeyUnlessBaseURL('api.voyageai.com'))

/**
 * The `llm` reranker: the Memory's own LLM (the `llm` entry of its config) rates every candidate, unless
 * `llm` names another one here (`{ provider, config }`, created with the reranker on first use).
 */
export const llmRerankerSchema = z.strictObject({
  llm: z.optional(z.strictObject({ provider: z.string().check(z.minLength(1)), config: z.optional(z.record(z.string(), z.unknown())) })),
  /** Extra guidance for the ratings, e.g. "prefer recent facts". */
  instructions: z.optional(z.string()),
})

export type CohereRerankerConfig = z.input<typeof cohereRerankerSchema>
export type JinaRerankerConfig = z.input<typeof jinaRerankerSchema>
export type VoyageRerankerConfig = z.input<typeof voyageRerankerSchema>
export type LLMRerankerConfig = z.input<typeof llmRerankerSchema>
