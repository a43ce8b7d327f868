import type { Embedder } from '../../interfaces/embedder.ts'
import type { HttpClient } from '../../provider-utils/http-client.ts'
import { parseConfig } from '../../util/zod-errors.ts'
import { BatchingEmbedder, remoteClient } from '../common/remote.ts'
import { indexedEmbeddings } from '../common/indexed.ts'
import { voyageEmbedderSchema, type VoyageEmbedderConfig } from './config.ts'

export const VOYAGE_BASE_URL = 'https://api.voyageai.com/v1'

/** The `voyage` embedder: POST /embeddings (`{input, model, input_type, output_dimension}` → `{data: [{embedding, index}]}`). */
export class VoyageEmbedder extends BatchingEmbedder implements Embedder {
  protected readonly service: string
  private readonly config
  private readonly http: HttpClient

  constructor(config: VoyageEmbedderConfig) {
    const parsed = parseConfig(voyageEmbedderSchema, config ?? {}, 'voyage embedder')
    super(parsed.batchSize, parsed.dimensions)
    this.config = parsed
    const baseUrl = parsed.baseURL ?? VOYAGE_BASE_URL
    this.http = remoteClient(parsed, {
      service: `voyage embeddings (${baseUrl})`,
      baseUrl,
      headers: parsed.apiKey ? { Authorization: `Bearer ${parsed.apiKey}` } : {},
    })
    this.service = this.http.service
  }

  protected async embedBatch(batch: string[]): Promise<unknown[]> {
    const { model, inputType, dimensions } = this.config
    const body = {
      input: batch,
      model,
      ...(inputType === 'none' ? {} : { input_type: inputType }),
      ...(dimensions === undefined ? {} : { output_dimension: dimensions }),
    }
    return indexedEmbeddings(await this.http.request({ method: 'POST', path: '/embeddings', body }), batch.length, (what) =>
      this.unusable(what),
    )
  }
}

export const createVoyageEmbedder = (config: VoyageEmbedderConfig | Record<string, unknown>): VoyageEmbedder =>
  new VoyageEmbedder(config as VoyageEmbedderConfig)
