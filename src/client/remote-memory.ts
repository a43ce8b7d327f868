import * as z from 'zod/mini'
import { FormatError, RemoteError, ValidationError } from '../errors.ts'
import type { ExportOptions } from '../portable/export.ts'
import type { ImportOptions, ImportResult } from '../portable/import.ts'
import { parseJsonLines } from '../portable/lines.ts'
import type { PortableRecord } from '../portable/records.ts'
import { streamChunks } from '../util/stream.ts'
import { HttpClient, type HttpMethod, type HttpRequest } from '../provider-utils/http-client.ts'
import { type TransportConfig, transportFrom, transportShape } from '../provider-utils/transport.ts'
import type {
  AddOptions,
  AddResult,
  GetAllOptions,
  GraphOptions,
  GraphResult,
  HistoryEntry,
  MemoryApi,
  MemoryItem,
  Message,
  ScopeOptions,
  SearchOptions,
  SearchResult,
  UpdateData,
} from '../types.ts'
import { parseConfig } from '../util/zod-errors.ts'
import { errorFromRemote } from './errors.ts'
import type { WireEvent, WireGraph, WireHistoryEntry, WireItem, WireRelation } from '../memory/wire.ts'
import { eventFromWire, graphFromWire, historyEntryFromWire, itemFromWire, relationFromWire } from './wire.ts'

export interface RemoteMemoryOptions extends TransportConfig {
  /** The Worker's base URL, e.g. `https://edgemem.acme.workers.dev` (a path prefix is kept). */
  url: string
  /** A tenant API key (`em_…`; POST /admin/keys makes one). Sent as `Authorization: Bearer <key>`. */
  apiKey: string
  /** Sent with every request (e.g. a gateway's own auth header). */
  headers?: Record<string, string> | undefined
  /**
   * The fetch to use (default: the global one). In a Worker, a service binding's fetch
   * (`(url, init) => env.MEMORY.fetch(url, init)`) calls the edgemem Worker without leaving Cloudflare.
   */
  fetch?: ((input: string, init: RequestInit) => Promise<Response>) | undefined
}

const optionsSchema = z.strictObject({
  url: z.string().check(z.regex(/^https?:\/\/[^/\s]+/i, 'an http(s) URL')),
  apiKey: z.string().check(z.minLength(1)),
  headers: z.optional(z.record(z.string(), z.string())),
  fetch: z.optional(z.custom<NonNullable<RemoteMemoryOptions['fetch']>>((value) => typeof value === 'function', 'a fetch function')),
  ...transportShape,
})

/** Names the service in the RemoteErrors of the exchange. */
const SERVICE = 'edgemem Worker'

function scopeQuery(options: ScopeOptions): Record<string, string | undefined> {
  return { user_id: options.userId, agent_id: options.agentId, run_id: options.runId }
}

function defined<T extends Record<string, unknown>>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>
}

function checkId(id: unknown, method: string): string {
  if (typeof id !== 'string' || id.length === 0) throw new ValidationError(`${method}: id must be a non-empty string`)
  return id
}

function checkOptionsObject<T>(options: T, method: string): T {
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new ValidationError(`${method}: options must be an object (with userId, agentId or runId)`)
  }
  return options
}

/**
 * A Memory on an edgemem Worker: the same methods and result shapes as `Memory`, over the Worker's REST
 * API (docs/worker.md), with fetch only, so it runs in browsers, Deno, Bun, Node and Workers. Errors
 * come back as the core's classes (ValidationError, NotFoundError, ...); 429 and 5xx answers are
 * retried by the shared retry policy, honouring Retry-After (docs/provider-utils.md).
 *
 * The Worker decides everything a Memory's config decides locally: embedder, LLM, storage, and whether
 * `add` infers by default (when it has an LLM). Every call is validated there, in one place.
 */
export class RemoteMemory implements MemoryApi {
  private readonly http: HttpClient
  private closed = false

  /** Validates the options synchronously (ConfigError naming the field); no I/O. */
  constructor(options: RemoteMemoryOptions) {
    const config = parseConfig(optionsSchema, options, '')
    this.http = new HttpClient({
      service: SERVICE,
      baseUrl: config.url,
      headers: { ...config.headers, Authorization: `Bearer ${config.apiKey}` },
      ...transportFrom(config),
      fetch: config.fetch,
      hint: (status) => (status === 401 ? 'check the apiKey: the Worker does not know it, or it was revoked' : undefined),
    })
  }

  private async call<T>(method: HttpMethod, path: string, request: Omit<HttpRequest, 'method' | 'path'> = {}): Promise<T> {
    if (this.closed) throw new ValidationError('this RemoteMemory was closed; create a new one')
    try {
      return await this.http.request<T>({ method, path, ...request })
    } catch (err) {
      throw err instanceof RemoteError ? errorFromRemote(err) : err
    }
  }

  /** Checks that the Worker answers (GET /health). */
  async ready(): Promise<void> {
    await this.call('GET', '/health')
  }

  /** `relations` as the Worker answers them: present when it has graph memory on (GRAPH_STORE). */
  async add(messages: string | Message[], options: AddOptions): Promise<AddResult> {
    const opts = checkOptionsObject(options, 'add')
    const body = defined({
      messages,
      ...scopeQuery(opts),
      metadata: opts.metadata,
      infer: opts.infer,
      expiration_date: opts.expirationDate,
    })
    const { results, relations } = await this.call<{
      results: WireEvent[]
      relations?: { added: WireRelation[]; invalidated: WireRelation[] }
    }>('POST', '/memories', { body })
    const events = results.map(eventFromWire)
    if (!relations) return { results: events }
    return {
      results: events,
      relations: { added: relations.added.map(relationFromWire), invalidated: relations.invalidated.map(relationFromWire) },
    }
  }

  async search(query: string, options: SearchOptions): Promise<SearchResult> {
    const opts = checkOptionsObject(options, 'search')
    const body = defined({ query, ...scopeQuery(opts), filters: opts.filters, top_k: opts.topK, threshold: opts.threshold })
    const { results, relations } = await this.call<{ results: WireItem[]; relations?: WireRelation[] }>('POST', '/search', { body })
    const items = results.map(itemFromWire)
    return relations ? { results: items, relations: relations.map(relationFromWire) } : { results: items }
  }

  /** Graph memory's entities and relations of a scope (GET /graph; a 400 VALIDATION when the Worker has no graph memory). */
  async graph(options: GraphOptions): Promise<GraphResult> {
    const opts = checkOptionsObject(options, 'graph')
    const query = {
      ...scopeQuery(opts),
      limit: opts.limit === undefined ? undefined : String(opts.limit),
      include_invalidated: opts.includeInvalidated === undefined ? undefined : String(opts.includeInvalidated),
    }
    return graphFromWire(await this.call<WireGraph>('GET', '/graph', { query }))
  }

  /** The memory, or null for an unknown id (also an id of another tenant). */
  async get(id: string): Promise<MemoryItem | null> {
    checkId(id, 'get')
    try {
      return itemFromWire(await this.call<WireItem>('GET', `/memories/${encodeURIComponent(id)}`))
    } catch (err) {
      if ((err as { code?: unknown }).code === 'NOT_FOUND') return null
      throw err
    }
  }

  /** Memories of the scope, newest first. */
  async getAll(options: GetAllOptions): Promise<{ results: MemoryItem[] }> {
    const opts = checkOptionsObject(options, 'getAll')
    const query = {
      ...scopeQuery(opts),
      top_k: opts.topK === undefined ? undefined : String(opts.topK),
      filters: opts.filters === undefined ? undefined : JSON.stringify(opts.filters),
    }
    const { results } = await this.call<{ results: WireItem[] }>('GET', '/memories', { query })
    return { results: results.map(itemFromWire) }
  }

  async update(id: string, data: UpdateData): Promise<MemoryItem> {
    checkId(id, 'update')
    const body = typeof data === 'string' ? { text: data } : checkOptionsObject(data, 'update')
    return itemFromWire(await this.call<WireItem>('PUT', `/memories/${encodeURIComponent(id)}`, { body }))
  }

  async delete(id: string): Promise<void> {
    checkId(id, 'delete')
    await this.call('DELETE', `/memories/${encodeURIComponent(id)}`)
  }

  async deleteAll(options: ScopeOptions): Promise<{ deleted: number }> {
    const opts = checkOptionsObject(options, 'deleteAll')
    const { deleted } = await this.call<{ deleted: number }>('DELETE', '/memories', { query: scopeQuery(opts) })
    return { deleted }
  }

  /** Every change of the memory, oldest first; [] for an unknown id. */
  async history(id: string): Promise<HistoryEntry[]> {
    checkId(id, 'history')
    try {
      const entries = await this.call<WireHistoryEntry[]>('GET', `/memories/${encodeURIComponent(id)}/history`)
      return entries.map(historyEntryFromWire)
    } catch (err) {
      if ((err as { code?: unknown }).code === 'NOT_FOUND') return []
      throw err
    }
  }

  /**
   * POST /reset: deletes every memory of every tenant. The Worker allows it with the admin key only; a
   * tenant key gets a RemoteError with status 403 (delete a scope with `deleteAll` instead).
   */
  async reset(): Promise<void> {
    await this.call('POST', '/reset')
  }

  /**
   * GET /export: the tenant's portable records (docs/format.md) of a scope, or all of them, streamed
   * from the Worker as it writes them. Ids are the Worker's (`<shard>.<id>` in its durable-object mode).
   */
  async *export(options: ExportOptions = {}): AsyncGenerator<PortableRecord> {
    const opts = checkOptionsObject(options, 'export')
    const query = { ...scopeQuery(opts), vectors: opts.vectors ? 'true' : undefined }
    const body = await this.call<ReadableStream<Uint8Array>>('GET', '/export', { query, responseType: 'stream' })
    // The Worker validated every record it wrote; the client parses without loading the record schemas.
    for await (const { value } of parseJsonLines(streamChunks(body))) yield value as PortableRecord
  }

  /**
   * POST /import: the records (the header first) sent as JSON Lines in requests of at most
   * `maxBodyBytes` (the Worker's MAX_BODY_BYTES, default 256 KiB), each repeating the header; the Worker
   * validates every line of a request before writing any (a ValidationError naming the line, counted
   * from the start of `records`) and writes in batches that land whole. Results are summed; requests
   * before a refused one stay imported. Idempotent, like Memory.import.
   */
  async import(
    records: AsyncIterable<unknown> | Iterable<unknown>,
    options: Pick<ImportOptions, 'reembed' | 'onConflict' | 'onProgress'> & { maxBodyBytes?: number } = {},
  ): Promise<ImportResult> {
    const opts = checkOptionsObject(options, 'import')
    const budget = opts.maxBodyBytes ?? 256 * 1024
    const query = { on_conflict: opts.onConflict, reembed: opts.reembed }
    const total: ImportResult = { imported: 0, skipped: 0, overwritten: 0, reembedded: 0, history: 0, entities: 0, relations: 0 }
    const encoder = new TextEncoder()
    let header: { text: string; bytes: number } | undefined
    /** The lines of the request being filled, with their line numbers in `records`. */
    let chunk: { text: string; line: number }[] = []
    let bytes = 0
    let line = 0
    const send = async () => {
      if (chunk.length === 0) return
      const sent = chunk
      chunk = []
      bytes = 0
      const data = [header!.text, ...sent.map((l) => l.text)].join('')
      let result: ImportResult
      try {
        result = await this.call<ImportResult>('POST', '/import', { query, rawBody: { contentType: 'application/x-ndjson', data } })
      } catch (err) {
        // The Worker numbers the request's lines (its header is line 1): say which record it means.
        const match = err instanceof ValidationError ? /^line (\d+): ([\s\S]*)$/.exec(err.message) : null
        if (!match) throw err
        const at = Number(match[1])
        throw new FormatError(match[2]!, { line: at === 1 ? 1 : sent[at - 2]?.line }, { cause: err })
      }
      for (const key of Object.keys(total) as (keyof ImportResult)[]) total[key] += result[key]
      opts.onProgress?.({ ...total, records: line })
    }
    for await (const record of records) {
      line++
      const type = typeof record === 'object' && record !== null ? (record as { type?: unknown }).type : undefined
      const text = `${JSON.stringify(record)}\n`
      const size = encoder.encode(text).byteLength
      if (line === 1) {
        if (type !== 'edgemem-export')
          throw new FormatError('the first record must be the header ({"type":"edgemem-export",...})', { line })
        header = { text, bytes: size }
        continue
      }
      // A memory starts a new request when the current one is full: its history goes with it.
      if (type === 'memory' && bytes > 0 && header!.bytes + bytes + size > budget) await send()
      chunk.push({ text, line })
      bytes += size
    }
    if (header === undefined) throw new FormatError('the import is empty: it needs at least the header', { line: 1 })
    await send()
    return total
  }

  /** No connection to release; later calls are refused, as a closed Memory refuses them. */
  async close(): Promise<void> {
    this.closed = true
  }
}
