import * as z from 'zod/mini'
import { apiKeyUnlessBaseURL, modelField, positiveInt, remoteShape } from '../common/remote.ts'

/** Config of the `jina` embedder (Jina AI embeddings API). */
export const jinaEmbedderSchema = z
  .strictObject({
    ...remoteShape,
    model: modelField('jina-embeddings-v3'),
    /** jina-embeddings-v3 tasks, e.g. retrieval.passage (default), retrieval.query, text-matching. */
    task: z._default(z.string(), 'retrieval.passage'),
    /** Matryoshka truncation (jina-embeddings-v3: 32 to 1024). */
    dimensions: z.optional(positiveInt('vector length')),
    /** Texts per request (Jina accepts up to 2048). */
    batchSize: z._default(positiveInt('texts per request').check(z.lte(2048, { error: 'expected at most 2048' })), 128),
  })
  .check(apiKeyUnlessBaseURL('api.jina.ai'))

export type JinaEmbedderConfig = z.input<typeof jinaEmbedderSchema>
