import type { Embedder } from '../../interfaces/embedder.ts'
import type { HttpClient } from '../../provider-utils/http-client.ts'
import { parseConfig } from '../../util/zod-errors.ts'
import { indexedEmbeddings } from '../common/indexed.ts'
import { BatchingEmbedder, remoteClient } from '../common/remote.ts'
import { jinaEmbedderSchema, type JinaEmbedderConfig } from './config.ts'

export const JINA_BASE_URL = 'https://api.jina.ai/v1'

/** The `jina` embedder: POST /embeddings (`{model, input, task, dimensions}` → `{data: [{embedding, index}]}`). */
export class JinaEmbedder extends BatchingEmbedder implements Embedder {
  protected readonly service: string
  private readonly config
  private readonly http: HttpClient

  constructor(config: JinaEmbedderConfig) {
    const parsed = parseConfig(jinaEmbedderSchema, config ?? {}, 'jina embedder')
    super(parsed.batchSize, parsed.dimensions)
    this.config = parsed
    const baseUrl = parsed.baseURL ?? JINA_BASE_URL
    this.http = remoteClient(parsed, {
      service: `jina embeddings (${baseUrl})`,
      baseUrl,
      headers: parsed.apiKey ? { Authorization: `Bearer ${parsed.apiKey}` } : {},
    })
    this.service = this.http.service
  }

  protected async embedBatch(batch: string[]): Promise<unknown[]> {
    const { model, task, dimensions } = this.config
    const body = { model, input: batch, task, ...(dimensions === undefined ? {} : { dimensions }) }
    return indexedEmbeddings(await this.http.request({ method: 'POST', path: '/embeddings', body }), batch.length, (what) =>
      this.unusable(what),
    )
  }
}

export const createJinaEmbedder = (config: JinaEmbedderConfig | Record<string, unknown>): JinaEmbedder =>
  new JinaEmbedder(config as JinaEmbedderConfig)
