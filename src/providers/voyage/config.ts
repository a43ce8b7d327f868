import * as z from 'zod/mini'
import { apiKeyUnlessBaseURL, modelField, positiveInt, remoteShape } from '../common/remote.ts'

/** Config of the `voyage` embedder (Voyage AI embeddings API). */
export const voyageEmbedderSchema = z
  .strictObject({
    ...remoteShape,
    model: modelField('voyage-3.5'),
    /** `document` (default; memories are documents), `query`, or none. */
    inputType: z._default(z.enum(['document', 'query', 'none']), 'document'),
    /** `output_dimension` (voyage-3.5: 256, 512, 1024 or 2048). */
    dimensions: z.optional(positiveInt('vector length')),
    /** Texts per request; Voyage accepts at most 1000. */
    batchSize: z._default(positiveInt('texts per request').check(z.lte(1000, { error: 'expected at most 1000 (the Voyage limit)' })), 128),
  })
  .check(apiKeyUnlessBaseURL('api.voyageai.com'))

export type VoyageEmbedderConfig = z.input<typeof voyageEmbedderSchema>
