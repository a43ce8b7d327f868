import type { Embedder } from '../../interfaces/embedder.ts'
import type { HttpClient } from '../../provider-utils/http-client.ts'
import { parseConfig } from '../../util/zod-errors.ts'
import { BatchingEmbedder, field, remoteClient } from '../common/remote.ts'
import { cohereEmbedderSchema, type CohereEmbedderConfig } from './config.ts'

export const COHERE_BASE_URL = 'https://api.cohere.com'

/** The `cohere` embedder: POST /v2/embed with `embedding_types: ["float"]`, up to 96 texts per request. */
export class CohereEmbedder extends BatchingEmbedder implements Embedder {
  protected readonly service: string
  private readonly config
  private readonly http: HttpClient

  constructor(config: CohereEmbedderConfig) {
    const parsed = parseConfig(cohereEmbedderSchema, config ?? {}, 'cohere embedder')
    super(parsed.batchSize, parsed.dimensions)
    this.config = parsed
    const baseUrl = parsed.baseURL ?? COHERE_BASE_URL
    this.http = remoteClient(parsed, {
      service: `cohere embed (${baseUrl})`,
      baseUrl,
      headers: parsed.apiKey ? { Authorization: `Bearer ${parsed.apiKey}` } : {},
    })
    this.service = this.http.service
  }

  protected async embedBatch(batch: string[]): Promise<unknown[]> {
    const { model, inputType, dimensions } = this.config
    const body = {
      model,
      texts: batch,
      input_type: inputType,
      embedding_types: ['float'],
      ...(dimensions === undefined ? {} : { output_dimension: dimensions }),
    }
    const response = await this.http.request({ method: 'POST', path: '/v2/embed', body })
    const floats = field(field(response, 'embeddings'), 'float')
    if (!Array.isArray(floats)) throw this.unusable('expected an object with "embeddings.float"')
    return floats
  }
}

export const createCohereEmbedder = (config: CohereEmbedderConfig | Record<string, unknown>): CohereEmbedder =>
  new CohereEmbedder(config as CohereEmbedderConfig)
