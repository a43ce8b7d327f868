import { HttpClient, RemoteError, transportFrom, type TransportConfig } from '../../src/internal.ts'

/**
 * The parts of Cloudflare's Vectorize index binding (V2, `Vectorize` in @cloudflare/workers-types) the
 * adapter uses, declared here so the core does not depend on workers-types. The REST client below
 * implements the same interface over https://api.cloudflare.com/client/v4/accounts/{id}/vectorize/v2.
 */
export type VectorizeMetadataValue = string | number | boolean | string[]
export type VectorizeMetadata = Record<string, VectorizeMetadataValue | Record<string, VectorizeMetadataValue>>
export type VectorizeFilterValue = string | number | boolean
export type VectorizeFilter = Record<
  string,
  | VectorizeFilterValue
  | Partial<Record<'$eq' | '$ne' | '$lt' | '$lte' | '$gt' | '$gte', VectorizeFilterValue>>
  | Partial<Record<'$in' | '$nin', VectorizeFilterValue[]>>
>

export interface VectorizeVector {
  id: string
  values: number[] | Float32Array | Float64Array
  namespace?: string
  metadata?: VectorizeMetadata
}

export interface VectorizeMatch {
  id: string
  score: number
  values?: number[] | Float32Array | Float64Array
  namespace?: string
  metadata?: VectorizeMetadata
}

export interface VectorizeQueryOptions {
  topK?: number
  namespace?: string
  returnValues?: boolean
  returnMetadata?: boolean | 'all' | 'indexed' | 'none'
  filter?: VectorizeFilter
}

/** V2 `describe()` answers VectorizeIndexInfo; the legacy (beta) binding answered `{ config: { dimensions, metric } }`. */
export interface VectorizeDescription {
  dimensions?: number
  vectorCount?: number
  config?: { dimensions?: number; metric?: string }
}

export interface VectorizeBinding {
  describe(): Promise<VectorizeDescription>
  query(vector: number[] | Float32Array, options?: VectorizeQueryOptions): Promise<{ matches: VectorizeMatch[]; count: number }>
  upsert(vectors: VectorizeVector[]): Promise<{ mutationId?: string }>
  getByIds(ids: string[]): Promise<VectorizeVector[]>
  deleteByIds(ids: string[]): Promise<{ mutationId?: string }>
}

export const SERVICE = 'Cloudflare Vectorize'

/** Cloudflare's API envelope: `{ success, errors: [{ code, message }], messages, result }`. */
interface Envelope<T> {
  success?: boolean
  result: T
}

function cloudflareMessage(_status: number, body: unknown): string | undefined {
  const errors = (body as { errors?: { code?: number; message?: string }[] } | null)?.errors
  if (Array.isArray(errors) && errors.length > 0)
    return errors.map((e) => (e.code ? `${e.message} (code ${e.code})` : e.message)).join('; ')
  return undefined
}

/** The REST API as a binding: what the adapter uses outside Workers. */
export class VectorizeRestClient implements VectorizeBinding {
  private readonly http: HttpClient
  private readonly index: string

  constructor(options: { accountId: string; apiToken: string; indexName: string; apiBase?: string | undefined } & TransportConfig) {
    const base = (options.apiBase ?? 'https://api.cloudflare.com/client/v4').replace(/\/+$/, '')
    this.index = `/vectorize/v2/indexes/${encodeURIComponent(options.indexName)}`
    this.http = new HttpClient({
      service: SERVICE,
      baseUrl: `${base}/accounts/${encodeURIComponent(options.accountId)}`,
      headers: { Authorization: `Bearer ${options.apiToken}` },
      errorMessage: cloudflareMessage,
      ...transportFrom(options),
    })
  }

  private async call<T>(method: 'GET' | 'POST', path: string, body?: unknown, rawBody?: { contentType: string; data: string }): Promise<T> {
    const answer = await this.http.request<Envelope<T>>({ method, path: `${this.index}${path}`, body, rawBody })
    if (answer.success === false) throw new RemoteError(SERVICE, 200, cloudflareMessage(200, answer) ?? 'request failed', { body: answer })
    return answer.result
  }

  async describe(): Promise<VectorizeDescription> {
    // GET /indexes/{name} carries the config (dimensions and metric); /info the counts.
    return this.call<VectorizeDescription>('GET', '')
  }

  query(vector: number[] | Float32Array, options: VectorizeQueryOptions = {}): Promise<{ matches: VectorizeMatch[]; count: number }> {
    return this.call('POST', '/query', { vector: Array.from(vector), ...options })
  }

  upsert(vectors: VectorizeVector[]): Promise<{ mutationId?: string }> {
    // The REST upsert takes NDJSON, one vector per line.
    const data = vectors.map((v) => JSON.stringify({ ...v, values: Array.from(v.values) })).join('\n')
    return this.call('POST', '/upsert', undefined, { contentType: 'application/x-ndjson', data })
  }

  async getByIds(ids: string[]): Promise<VectorizeVector[]> {
    return this.call<VectorizeVector[]>('POST', '/get_by_ids', { ids })
  }

  deleteByIds(ids: string[]): Promise<{ mutationId?: string }> {
    return this.call('POST', '/delete_by_ids', { ids })
  }
}
