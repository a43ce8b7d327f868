import { resolveMemoryConfig, type MemoryConfig, type ResolvedConfig } from '../config.ts'
import { ConfigError, RerankError, ValidationError, isEdgememError } from '../errors.ts'
import { and } from '../filters/ast.ts'
import type { Reranker } from '../interfaces/reranker.ts'
import type { StoredRecord } from '../interfaces/vector-store.ts'
import type {
  MemoryApi,
  AddOptions,
  AddResult,
  EntitySummary,
  GetAllOptions,
  GetAllResult,
  GraphOptions,
  GraphResult,
  HistoryEntry,
  Message,
  MemoryItem,
  MemoryOperation,
  OperationEvent,
  ScopeOptions,
  SearchOptions,
  SearchResult,
  UpdateData,
} from '../types.ts'
import { sha256Hex } from '../util/hash.ts'
import { deletePrefix, storageCall } from '../util/kv.ts'
import { KeyedMutex } from '../util/mutex.ts'
import { hasLoneSurrogate } from '../util/unicode.ts'
import { embedTexts } from './embedding.ts'
import { newHistoryEntry } from './history.ts'
import { DEFAULT_GET_ALL_TOP_K, DEFAULT_SEARCH_TOP_K, MAX_TOP_K } from './limits.ts'
import { contentMessages, normalizeMessages } from './messages.ts'
import { entitiesOf } from './entities.ts'
import { toRelation } from './graph.ts'
import { expiryFromDate, metadataOf, scopeOf, toMemoryItem, validateMetadata } from './payload.ts'
import { revisePayload } from './plan.ts'
import { parseUserFilters, resolveScope, scopeFilter, visibleAt, writeLockKey } from './scope.ts'
import { MemoryServices } from './services.ts'
import { portableEngine } from './portable-engine.ts'
import type { ExportOptions } from '../portable/export.ts'
import type { ImportOptions, ImportResult } from '../portable/import.ts'
import type { PortableRecord } from '../portable/records.ts'

function checkOptions<T extends object>(options: unknown, operation: string): T {
  if (options === undefined) return {} as T
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new ValidationError(`${operation}: options must be an object`)
  }
  return options as T
}

function checkTopK(value: unknown, fallback: number, operation: string): number {
  if (value === undefined) return fallback
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > MAX_TOP_K) {
    throw new ValidationError(`${operation}: topK must be an integer from 1 to ${MAX_TOP_K}, got ${JSON.stringify(value)}`)
  }
  return value
}

/** Entities and relations `graph` returns when no limit is given. */
const DEFAULT_GRAPH_LIMIT = 100

/** Candidates per result a reranked search fetches. */
const RERANK_POOL = 3

/** The same hits, ordered by the reranker's scores (which replace the search's); never adds any. */
async function rerankHits<H extends { payload: StoredRecord['payload']; score: number }>(
  reranker: Reranker,
  query: string,
  hits: H[],
): Promise<H[]> {
  if (hits.length === 0) return hits
  const scores = await reranker.rerank(
    query,
    hits.map((h) => String(h.payload.memory)),
  )
  if (!Array.isArray(scores) || scores.length !== hits.length || !scores.every((x) => typeof x === 'number' && !Number.isNaN(x))) {
    throw new RerankError(`the reranker returned ${Array.isArray(scores) ? scores.length : 'no'} scores for ${hits.length} candidates`)
  }
  return hits.map((hit, i) => ({ ...hit, score: scores[i]! })).sort((a, b) => b.score - a.score)
}

function checkMemoryId(id: unknown, operation: string): string {
  if (typeof id !== 'string' || id.length === 0 || id.length > 256) {
    throw new ValidationError(`${operation}: id must be a non-empty string of at most 256 characters`)
  }
  if (hasLoneSurrogate(id)) throw new ValidationError(`${operation}: id must be well-formed Unicode text: it holds a lone UTF-16 surrogate`)
  return id
}

/**
 * Long-term memory for an AI agent or assistant: add conversations, search what was learned, update
 * and delete with full history. See docs/api.md for the contract. This class checks every call and
 * serialises writes per scope; the work is done by its MemoryServices (services.ts), started on first use.
 */
export class Memory implements MemoryApi {
  private readonly settings: ResolvedConfig
  private services: Promise<MemoryServices> | undefined
  private readonly writes = new KeyedMutex()
  private closed = false

  /** Validates the config synchronously (ConfigError); never does I/O. */
  constructor(config?: MemoryConfig) {
    this.settings = resolveMemoryConfig(config)
    const hook = this.settings.onOperation
    if (hook) observers.set(this, { hook, collection: this.settings.collection })
  }

  /** Creates the providers on first use, once; a failed start can be retried by the next call. */
  private open(): Promise<MemoryServices> {
    if (this.closed) return Promise.reject(new ValidationError('this Memory was closed; create a new one'))
    this.services ??= MemoryServices.start(this.settings, this.writes).catch((err: unknown) => {
      this.services = undefined
      throw err
    })
    return this.services
  }

  /** Loads models and indexes now instead of on the first call. */
  async ready(): Promise<void> {
    const s = await this.open()
    await s.embedder.ready?.()
    await s.store.init({ dimensions: s.embedder.dimensions })
  }

  async add(messages: string | Message[], options: AddOptions): Promise<AddResult> {
    const opts = checkOptions<AddOptions>(options, 'add')
    const list = normalizeMessages(messages)
    const scope = resolveScope(opts, undefined, 'add')
    const metadata = validateMetadata(opts.metadata)
    expiryFromDate(opts.expirationDate)
    if (opts.infer !== undefined && typeof opts.infer !== 'boolean') throw new ValidationError('add: infer must be a boolean')
    const procedural = opts.memoryType !== undefined
    if (procedural) {
      if (opts.memoryType !== 'procedural' && opts.memoryType !== 'procedural_memory') {
        throw new ValidationError(`add: memoryType must be "procedural", got ${JSON.stringify(opts.memoryType)}`)
      }
      if (scope.agent_id === undefined) throw new ValidationError('add: memoryType "procedural" needs agentId (the agent whose run it is)')
      if (opts.infer === false)
        throw new ValidationError('add: memoryType "procedural" summarises with the llm; it cannot be combined with infer: false')
    }
    const s = await this.open()
    if (procedural) {
      if (!s.llm) throw new ConfigError('llm', 'add with memoryType "procedural" needs an llm to summarise the run')
      const request = { scope, metadata, expirationDate: opts.expirationDate }
      return this.writes.run(writeLockKey(scope), () => s.addProcedural(list, request))
    }
    const infer = opts.infer ?? s.llm !== undefined
    if (infer && !s.llm) {
      throw new ConfigError('llm', 'add with infer: true needs an llm; configure one (e.g. { provider: "openai" }) or pass infer: false')
    }
    const request = { scope, metadata, expirationDate: opts.expirationDate }
    const conversation = contentMessages(list)
    return this.writes.run(writeLockKey(scope), () => (infer ? s.addInferred(conversation, request) : s.addVerbatim(conversation, request)))
  }

  async search(query: string, options: SearchOptions): Promise<SearchResult> {
    const opts = checkOptions<SearchOptions>(options, 'search')
    if (typeof query !== 'string' || query.trim().length === 0) throw new ValidationError('search: query must be a non-empty string')
    const filters = parseUserFilters(opts.filters, 'search')
    const scope = resolveScope(opts, filters, 'search')
    const topK = checkTopK(opts.topK, DEFAULT_SEARCH_TOP_K, 'search')
    if (opts.threshold !== undefined && (typeof opts.threshold !== 'number' || !Number.isFinite(opts.threshold))) {
      throw new ValidationError('search: threshold must be a finite number')
    }
    if (opts.rerank !== undefined && typeof opts.rerank !== 'boolean') throw new ValidationError('search: rerank must be a boolean')
    const s = await this.open()
    if (opts.rerank && !s.reranker) {
      throw new ValidationError('search: rerank: true needs a reranker in the Memory config (reranker: { provider, config })')
    }
    const [vector] = await embedTexts(s.embedder, [query])
    const filter = and(scopeFilter(scope), visibleAt(Date.now()), filters)
    const boost = s.graph?.entityBoost ?? 0
    // Reranking and graph memory's entity signal both re-order a wider candidate pool (same scope and filters).
    const pool = opts.rerank ? Math.min(MAX_TOP_K, topK * RERANK_POOL) : boost > 0 ? Math.min(MAX_TOP_K, topK * 3) : topK
    const [hits, graph] = await Promise.all([
      s.search({ vector: vector!, topK: pool, filter, scope, text: query }),
      s.graph ? s.graph.search(query, vector!, scope, topK) : undefined,
    ])
    const boosted =
      graph && boost > 0 && graph.memoryWeights.size > 0
        ? hits.map((h) => ({ ...h, score: h.score + boost * (graph.memoryWeights.get(h.id) ?? 0) })).sort((a, b) => b.score - a.score)
        : hits
    const kept = opts.threshold === undefined ? boosted : boosted.filter((h) => h.score >= opts.threshold!)
    const ranked = opts.rerank ? await rerankHits(s.reranker!, query, kept) : kept
    const results = ranked.slice(0, topK).map((h) => toMemoryItem(h.id, h.payload, h.score))
    if (!graph) return { results }
    return { results, relations: await s.visibleRelations(graph.relations, filter) }
  }

  async get(id: string): Promise<MemoryItem | null> {
    checkMemoryId(id, 'get')
    const s = await this.open()
    const [record] = await s.store.get([id])
    return record ? toMemoryItem(record.id, record.payload) : null
  }

  /** Memories of the scope, newest first. */
  async getAll(options: GetAllOptions): Promise<GetAllResult> {
    const opts = checkOptions<GetAllOptions>(options, 'getAll')
    const filters = parseUserFilters(opts.filters, 'getAll')
    const scope = resolveScope(opts, filters, 'getAll')
    const topK = checkTopK(opts.topK, DEFAULT_GET_ALL_TOP_K, 'getAll')
    const s = await this.open()
    const records = await s.listAll(and(scopeFilter(scope), visibleAt(Date.now()), filters), scope)
    const created = (r: StoredRecord): number => (typeof r.payload.created_at === 'number' ? r.payload.created_at : 0)
    records.sort((a, b) => created(b) - created(a) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    const results = records.slice(0, topK).map((r) => toMemoryItem(r.id, r.payload))
    if (!s.graph) return { results }
    const relations = (await s.graph.store.listRelations({ scope: { ...scope } })).map((r) => toRelation(r))
    return { results, relations: await s.visibleRelations(relations, and(scopeFilter(scope), visibleAt(Date.now()), filters)) }
  }

  /** Changes the text (re-embedded) and/or merges metadata (a null value removes the key). */
  async update(id: string, data: UpdateData): Promise<MemoryItem> {
    checkMemoryId(id, 'update')
    const change = typeof data === 'string' ? { text: data } : checkOptions<{ text?: unknown; metadata?: unknown }>(data, 'update')
    if (change.text === undefined && change.metadata === undefined)
      throw new ValidationError('update: give the new text, metadata, or both')
    if (change.text !== undefined && (typeof change.text !== 'string' || change.text.trim().length === 0)) {
      throw new ValidationError('update: text must be a non-empty string')
    }
    const metadataChange = change.metadata === undefined ? undefined : validateMetadata(change.metadata, 'update: metadata')
    const s = await this.open()
    return s.withRecord(id, 'update', async (current) => {
      const now = Date.now()
      const oldText = String(current.payload.memory)
      const text = (change.text as string | undefined) ?? oldText
      const metadata = metadataOf(current.payload)
      for (const [key, value] of Object.entries(metadataChange ?? {})) {
        if (value === null) delete metadata[key]
        else metadata[key] = value
      }
      const vector = text === oldText ? current.vector! : (await embedTexts(s.embedder, [text]))[0]!
      const payload = revisePayload(current.payload, { text, hash: sha256Hex(text), metadata, now })
      const history = s.history ? [newHistoryEntry(id, 'UPDATE', oldText, text, now)] : []
      await s.commit({ upserts: [{ id, vector, payload }], deletes: [], history, previous: [current] })
      return toMemoryItem(id, payload)
    })
  }

  async delete(id: string): Promise<void> {
    checkMemoryId(id, 'delete')
    const s = await this.open()
    await s.withRecord(id, 'delete', async (current) => {
      const history = s.history ? [newHistoryEntry(id, 'DELETE', String(current.payload.memory), null, Date.now())] : []
      const graph = s.graph ? { scope: scopeOf(current.payload), entities: [], relations: [], invalidate: [], forget: [id] } : undefined
      await s.commit({ upserts: [], deletes: [id], history, previous: [current] }, graph)
    })
  }

  /** Deletes every memory of the scope (expired ones included). */
  async deleteAll(options: ScopeOptions): Promise<{ deleted: number }> {
    const opts = checkOptions<ScopeOptions>(options, 'deleteAll')
    const scope = resolveScope(opts, undefined, 'deleteAll')
    const s = await this.open()
    return this.writes.run(writeLockKey(scope), () => s.deleteAll(scope))
  }

  /**
   * The users, agents and runs that have memories, with how many each has (a memory with a user and a
   * run counts for both), by type then id. Reads every record of the collection: meant for listings.
   */
  async entities(): Promise<EntitySummary[]> {
    const s = await this.open()
    return entitiesOf(await s.listAll(visibleAt(Date.now()), {}))
  }

  /**
   * Graph memory's entities and relations of a scope, for viewing (docs/graph.md): scoped and filtered
   * like getAll (a record shows only while at least one of its memories is stored and not expired;
   * an entity also shows as an end of a shown relation), in creation order, each list cut to `limit`.
   * ConfigError without a graphStore.
   */
  async graph(options: GraphOptions): Promise<GraphResult> {
    const opts = checkOptions<GraphOptions>(options, 'graph')
    const scope = resolveScope(opts, undefined, 'graph')
    const limit = checkTopK(opts.limit, DEFAULT_GRAPH_LIMIT, 'graph')
    if (opts.includeInvalidated !== undefined && typeof opts.includeInvalidated !== 'boolean') {
      throw new ValidationError('graph: includeInvalidated must be a boolean')
    }
    const s = await this.open()
    if (!s.graph) throw new ConfigError('graphStore', 'graph needs graph memory: configure a graphStore (e.g. { provider: "local" })')
    const query = { scope: { ...scope }, includeInvalidated: opts.includeInvalidated === true }
    const [entities, stored] = await Promise.all([s.graph.store.listEntities(query), s.graph.store.listRelations(query)])
    const filter = and(scopeFilter(scope), visibleAt(Date.now()))
    const visible = await s.visibleIds([...entities.flatMap((e) => e.memoryIds), ...stored.flatMap((r) => r.memoryIds)], filter)
    const seen = (memoryIds: string[]) => memoryIds.some((id) => visible.has(id))
    const shownRelations = stored.filter((r) => seen(r.memoryIds))
    const ends = new Set(shownRelations.flatMap((r) => [r.sourceId, r.targetId]))
    const relations = shownRelations.map((r) => toRelation(r))
    const shown = entities
      .filter((e) => seen(e.memoryIds) || ends.has(e.id))
      .map((e) => ({
        name: e.name,
        ...(e.type !== undefined ? { type: e.type } : {}),
        memoryIds: [...e.memoryIds],
        createdAt: e.createdAt,
      }))
    return {
      entities: shown.slice(0, limit),
      relations: relations.slice(0, limit),
      totalEntities: shown.length,
      totalRelations: relations.length,
    }
  }

  /** Every change of the memory, oldest first; [] for an unknown id or with history disabled. */
  async history(id: string): Promise<HistoryEntry[]> {
    checkMemoryId(id, 'history')
    const s = await this.open()
    return s.history ? s.history.list(id) : []
  }

  /**
   * The memories of a scope (or, without ids, of the whole collection) as portable records
   * (docs/format.md): a header, each memory followed by its history, then graph relations. Streamed page
   * by page; expired memories included. `encodeJsonLines` turns it into a JSON Lines file.
   */
  async *export(options?: ExportOptions): AsyncGenerator<PortableRecord> {
    const opts = checkOptions<ExportOptions>(options, 'export')
    if (opts.vectors !== undefined && typeof opts.vectors !== 'boolean') throw new ValidationError('export: vectors must be a boolean')
    const scoped = opts.userId !== undefined || opts.agentId !== undefined || opts.runId !== undefined
    const scope = scoped ? resolveScope(opts, undefined, 'export') : undefined
    const { exportRecords } = portableEngine('export')
    yield* exportRecords(await this.open(), scope, opts.vectors ?? false)
  }

  /**
   * Imports portable records (from `export` or `decodeJsonLines`, or an importer of another format):
   * validated one by one (FormatError naming the 1-based line), written in batches that land whole or
   * not at all, idempotent (ids, hashes and history kept). See ImportOptions for re-embedding and conflicts.
   */
  async import(records: AsyncIterable<unknown> | Iterable<unknown>, options?: ImportOptions): Promise<ImportResult> {
    if (records === null || typeof records !== 'object' || (!(Symbol.asyncIterator in records) && !(Symbol.iterator in records))) {
      throw new ValidationError('import: records must be an iterable or async iterable of records')
    }
    const { importRecords } = portableEngine('import')
    const s = await this.open()
    return importRecords(s, this.writes, records, options)
  }

  /** Deletes everything this Memory's collection holds: memories, history, index snapshots. */
  async reset(): Promise<void> {
    const s = await this.open()
    await this.writes.runAll(async () => {
      await s.store.reset()
      await s.graph?.store.reset()
      await storageCall('resetting the collection', () => deletePrefix(s.storage, `${this.settings.collection}/`))
      await s.store.init({ dimensions: s.embedder.dimensions })
    })
  }

  /** Releases models, indexes and connections. The Memory cannot be used afterwards. */
  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    const pending = this.services
    this.services = undefined
    if (!pending) return
    const s = await pending.catch(() => undefined)
    await s?.close()
  }
}

/** The onOperation hook of each Memory that has one. */
const observers = new WeakMap<Memory, { hook: (event: OperationEvent) => void; collection: string }>()

/**
 * Every public operation reports to the `onOperation` hook, measured here in one place rather than in
 * each method: the method runs unchanged, and the event carries its duration and outcome.
 */
const OBSERVED: readonly MemoryOperation[] = ['add', 'search', 'get', 'getAll', 'update', 'delete', 'deleteAll', 'history', 'reset']
for (const operation of OBSERVED) {
  const method = Memory.prototype[operation] as (this: Memory, ...args: unknown[]) => Promise<unknown>
  Object.defineProperty(Memory.prototype, operation, {
    configurable: true,
    writable: true,
    value: async function observed(this: Memory, ...args: unknown[]): Promise<unknown> {
      const observer = observers.get(this)
      if (!observer) return method.apply(this, args)
      const { hook, collection } = observer
      const started = performance.now()
      const report = (event: Pick<OperationEvent, 'outcome' | 'errorCode'>) => {
        try {
          hook({ operation, collection, durationMs: performance.now() - started, ...event })
        } catch {
          // An observer's failure must not change the call's result.
        }
      }
      try {
        const result = await method.apply(this, args)
        report({ outcome: 'ok' })
        return result
      } catch (err) {
        report({ outcome: 'error', errorCode: isEdgememError(err) ? err.code : 'UNKNOWN' })
        throw err
      }
    },
  })
}
