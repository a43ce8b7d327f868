import * as z from 'zod/mini'
import { positiveInt, remoteShape } from '../common/remote.ts'

/**
 * Config of the `huggingface` embedder: a text-embeddings-inference (TEI) server, self-hosted or behind a
 * Hugging Face Inference Endpoint (same protocol, with a token).
 */
export const huggingfaceEmbedderSchema = z.strictObject({
  ...remoteShape,
  /** The server or Inference Endpoint URL, e.g. https://xyz.us-east-1.aws.endpoints.huggingface.cloud. */
  baseURL: z.url({ protocol: /^https?$/, error: 'expected the http(s) URL of a TEI server or Inference Endpoint' }),
  /** A Hugging Face token (Inference Endpoints); not needed for a local TEI server. */
  apiKey: remoteShape.apiKey,
  /** Known output size; otherwise taken from the first response. */
  dimensions: z.optional(positiveInt('vector length')),
  /** Inputs per request; TEI rejects more than its --max-client-batch-size (default 32) with 413. */
  batchSize: z._default(positiveInt('texts per request'), 32),
  /** Ask TEI to cut inputs longer than the model takes instead of failing (default true). */
  truncate: z._default(z.boolean(), true),
})

export type HuggingfaceEmbedderConfig = z.input<typeof huggingfaceEmbedderSchema>
