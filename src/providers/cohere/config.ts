import * as z from 'zod/mini'
import { apiKeyUnlessBaseURL, modelField, positiveInt, remoteShape } from '../common/remote.ts'

/** Config of the `cohere` embedder (Cohere v2 Embed API). */
export const cohereEmbedderSchema = z
  .strictObject({
    ...remoteShape,
    model: modelField('embed-v4.0'),
    /** search_document (default; memories are documents), search_query, classification, clustering. */
    inputType: z._default(z.enum(['search_document', 'search_query', 'classification', 'clustering']), 'search_document'),
    /** `output_dimension` (embed-v4.0: 256, 512, 1024 or 1536). */
    dimensions: z.optional(positiveInt('vector length')),
    /** Texts per request; Cohere accepts at most 96. */
    batchSize: z._default(positiveInt('texts per request').check(z.lte(96, { error: 'expected at most 96 (the Cohere limit)' })), 96),
  })
  .check(apiKeyUnlessBaseURL('api.cohere.com'))

export type CohereEmbedderConfig = z.input<typeof cohereEmbedderSchema>
