import type { Embedder } from '../../interfaces/embedder.ts'
import type { HttpClient } from '../../provider-utils/http-client.ts'
import { parseConfig } from '../../util/zod-errors.ts'
import { BatchingEmbedder, remoteClient } from '../common/remote.ts'
import { huggingfaceEmbedderSchema, type HuggingfaceEmbedderConfig } from './config.ts'

/** The `huggingface` embedder: POST /embed of text-embeddings-inference (`{inputs, normalize, truncate}` → `[[...], ...]`). */
export class HuggingfaceEmbedder extends BatchingEmbedder implements Embedder {
  protected readonly service: string
  private readonly config
  private readonly http: HttpClient

  constructor(config: HuggingfaceEmbedderConfig) {
    const parsed = parseConfig(huggingfaceEmbedderSchema, config ?? {}, 'huggingface embedder')
    super(parsed.batchSize, parsed.dimensions)
    this.config = parsed
    this.http = remoteClient(parsed, {
      service: `huggingface embed (${parsed.baseURL})`,
      baseUrl: parsed.baseURL,
      headers: parsed.apiKey ? { Authorization: `Bearer ${parsed.apiKey}` } : {},
      // TEI answers {error, error_type}: the default envelope reader takes `error`.
      hint: (status) =>
        status === 413
          ? 'lower batchSize to the server’s --max-client-batch-size'
          : status === 401
            ? 'check the apiKey (a Hugging Face token)'
            : undefined,
    })
    this.service = this.http.service
  }

  protected async embedBatch(batch: string[]): Promise<unknown[]> {
    const response = await this.http.request({
      method: 'POST',
      path: '/embed',
      body: { inputs: batch, normalize: true, truncate: this.config.truncate },
    })
    if (!Array.isArray(response)) throw this.unusable('expected a list of vectors')
    return response
  }
}

export const createHuggingfaceEmbedder = (config: HuggingfaceEmbedderConfig | Record<string, unknown>): HuggingfaceEmbedder =>
  new HuggingfaceEmbedder(config as HuggingfaceEmbedderConfig)
