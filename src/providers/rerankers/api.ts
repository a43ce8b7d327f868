import { RerankError } from '../../errors.ts'
import type { Reranker } from '../../interfaces/reranker.ts'
import type { HttpClient } from '../../provider-utils/http-client.ts'
import { parseConfig } from '../../util/zod-errors.ts'
import { field, remoteClient } from '../common/remote.ts'
import {
  cohereRerankerSchema,
  jinaRerankerSchema,
  voyageRerankerSchema,
  type CohereRerankerConfig,
  type JinaRerankerConfig,
  type VoyageRerankerConfig,
} from './config.ts'

/** How one rerank API is spoken: where, the request body, and where the `{index, relevance_score}` list is. */
interface RerankApi {
  name: string
  baseUrl: string
  path: string
  body(model: string, query: string, documents: string[]): unknown
  results: 'results' | 'data'
}

const APIS = {
  cohere: {
    name: 'cohere',
    baseUrl: 'https://api.cohere.com',
    path: '/v2/rerank',
    body: (model: string, query: string, documents: string[]) => ({ model, query, documents, top_n: documents.length }),
    results: 'results',
  },
  jina: {
    name: 'jina',
    baseUrl: 'https://api.jina.ai/v1',
    path: '/rerank',
    body: (model: string, query: string, documents: string[]) => ({
      model,
      query,
      documents,
      top_n: documents.length,
      return_documents: false,
    }),
    results: 'results',
  },
  voyage: {
    name: 'voyage',
    baseUrl: 'https://api.voyageai.com/v1',
    path: '/rerank',
    body: (model: string, query: string, documents: string[]) => ({ query, documents, model, top_k: documents.length }),
    results: 'data',
  },
} satisfies Record<string, RerankApi>

/**
 * A rerank API (Cohere /v2/rerank, Jina /v1/rerank, Voyage /v1/rerank): asks for every document's score
 * (top_n = all) and puts the scores back in input order by `index`.
 */
export class ApiReranker implements Reranker {
  private readonly http: HttpClient
  private readonly api: RerankApi
  private readonly model: string

  constructor(api: RerankApi, config: { model: string; apiKey?: string | undefined; baseURL?: string | undefined }) {
    this.api = api
    this.model = config.model
    const baseUrl = config.baseURL ?? api.baseUrl
    this.http = remoteClient(config, {
      service: `${api.name} rerank (${baseUrl})`,
      baseUrl,
      headers: config.apiKey ? { Authorization: `Bearer ${config.apiKey}` } : {},
    })
  }

  async rerank(query: string, documents: string[], options: { signal?: AbortSignal } = {}): Promise<number[]> {
    if (documents.length === 0) return []
    const response = await this.http.request({
      method: 'POST',
      path: this.api.path,
      body: this.api.body(this.model, query, documents),
      signal: options.signal,
    })
    const results = field(response, this.api.results)
    if (!Array.isArray(results)) throw this.unusable(`expected an object with a "${this.api.results}" array`)
    const scores = new Array<number | undefined>(documents.length)
    for (const item of results) {
      const index = field(item, 'index')
      const score = field(item, 'relevance_score')
      if (typeof index !== 'number' || !Number.isInteger(index) || index < 0 || index >= documents.length || scores[index] !== undefined) {
        throw this.unusable(`index ${String(index)} is not a new position below ${documents.length}`)
      }
      if (typeof score !== 'number' || !Number.isFinite(score)) throw this.unusable(`the score of document ${index} is not a number`)
      scores[index] = score
    }
    // Array.from turns the holes of the sparse array into undefined (indexOf skips holes).
    const missing = Array.from(scores).indexOf(undefined)
    if (missing !== -1 || scores.length !== documents.length) throw this.unusable(`no score for document ${missing}`)
    return scores as number[]
  }

  private unusable(what: string): RerankError {
    return new RerankError(`${this.http.service} sent an unusable answer: ${what}`)
  }
}

export const createCohereReranker = (config: CohereRerankerConfig | Record<string, unknown>): ApiReranker =>
  new ApiReranker(APIS.cohere, parseConfig(cohereRerankerSchema, config ?? {}, 'cohere reranker'))
export const createJinaReranker = (config: JinaRerankerConfig | Record<string, unknown>): ApiReranker =>
  new ApiReranker(APIS.jina, parseConfig(jinaRerankerSchema, config ?? {}, 'jina reranker'))
export const createVoyageReranker = (config: VoyageRerankerConfig | Record<string, unknown>): ApiReranker =>
  new ApiReranker(APIS.voyage, parseConfig(voyageRerankerSchema, config ?? {}, 'voyage reranker'))
