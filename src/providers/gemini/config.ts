import * as z from 'zod/mini'
import { apiKeyUnlessBaseURL, modelField, positiveInt, remoteShape } from '../common/remote.ts'

/** Configs of the `gemini` llm and embedder (Gemini API, generativelanguage.googleapis.com). */
export const geminiLLMSchema = z
  .strictObject({
    ...remoteShape,
    model: modelField('gemini-2.5-flash'),
    temperature: z.optional(z.number().check(z.gte(0), z.lte(2))),
    maxTokens: z.optional(positiveInt('tokens')),
    /** Ask for `responseMimeType: application/json` when a JSON answer is wanted. */
    jsonMode: z._default(z.boolean(), true),
  })
  .check(apiKeyUnlessBaseURL('the Gemini API'))

export const geminiEmbedderSchema = z
  .strictObject({
    ...remoteShape,
    model: modelField('gemini-embedding-001'),
    /** `outputDimensionality`: shorter vectors (gemini-embedding-001 returns 3072 by default). */
    dimensions: z.optional(positiveInt('vector length')),
    /** e.g. RETRIEVAL_DOCUMENT, SEMANTIC_SIMILARITY; left to the API when unset. */
    taskType: z.optional(z.string()),
    /** Texts per batchEmbedContents request; the API accepts at most 100. */
    batchSize: z._default(positiveInt('texts per request').check(z.lte(100, { error: 'expected at most 100 (the API limit)' })), 100),
  })
  .check(apiKeyUnlessBaseURL('the Gemini API'))

export type GeminiLLMConfig = z.input<typeof geminiLLMSchema>
export type GeminiEmbedderConfig = z.input<typeof geminiEmbedderSchema>
