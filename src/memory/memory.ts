import { resolveMemoryConfig, type MemoryConfig, type ProviderChoice, type ResolvedConfig } from '../config.ts'
import { ConfigError, EdgememError, LLMError, NotFoundError, ValidationError } from '../errors.ts'
import { and, type FilterNode } from '../filters/ast.ts'
import { compileFilter } from '../filters/evaluate.ts'
import type { Embedder } from '../interfaces/embedder.ts'
import type { KeyValueStore } from '../interfaces/key-value-store.ts'
import type { LLM } from '../interfaces/llm.ts'
import type { Payload, ScoredRecord, StoredRecord, VectorRecord, VectorStore } from '../interfaces/vector-store.ts'
import type { ProviderInstances, ProviderKind } from '../registry.ts'
import type {
  AddOptions,
  GetAllOptions,
  HistoryEntry,
  JsonObject,
  Message,
  MemoryEvent,
  MemoryItem,
  ScopeOptions,
  SearchOptions,
  UpdateData,
} from '../types.ts'
import { sha256Hex } from '../util/hash.ts'
import { uuidv4 } from '../util/id.ts'
import { deletePrefix, storageCall } from '../util/kv.ts'
import { KeyedMutex } from '../util/mutex.ts'
import { embedTexts } from './embedding.ts'
import { HistoryStore } from './history.ts'
import { DEFAULT_GET_ALL_TOP_K, DEFAULT_SEARCH_TOP_K, MAX_TOP_K } from './limits.ts'
import { buildPrompt, buildRetry, type Candidate } from './infer/prompt.ts'
import { AnswerProblem, parseOperations, type Operation } from './infer/parse.ts'
import { contentMessages, normalizeMessages } from './messages.ts'
import { buildPayload, expiryFromDate, metadataOf, scopeOf, threadOf, toMemoryItem, validateMetadata, type Scope } from './payload.ts'
import { parseUserFilters, resolveScope, scopeFilter, scopeHint, visibleAt, writeLockKey } from './scope.ts'

interface Services {
  storage: KeyValueStore
  embedder: Embedder
  store: VectorStore
  llm: LLM | undefined
  history: HistoryStore | undefined
}

/** A batch of writes applied together; on failure the earlier ones are undone. */
interface Changes {
  upserts: VectorRecord[]
  deletes: string[]
  history: HistoryEntry[]
  /** State before the change of every record updated or deleted (with vectors), for rollback. */
  previous: StoredRecord[]
}

const LIST_PAGE = 500
/** How many messages of a conversation seed the search for memories to reconcile with. */
const RECONCILE_MESSAGES = 20
const RECONCILE_PER_MESSAGE = 5
const RECONCILE_CANDIDATES = 20

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

function checkMemoryId(id: unknown, operation: string): string {
  if (typeof id !== 'string' || id.length === 0 || id.length > 256) {
    throw new ValidationError(`${operation}: id must be a non-empty string of at most 256 characters`)
  }
  return id
}

async function create<K extends ProviderKind>(
  choice: ProviderChoice<K>,
  context: { collection: string; storage: KeyValueStore | undefined },
): Promise<ProviderInstances[K]> {
  return choice.kind === 'instance' ? choice.instance : choice.provider.create(context)
}

/**
 * Long-term memory for an AI agent or assistant: add conversations, search what was learned, update
 * and delete with full history. See docs/api.md for the contract.
 */
export class Memory {
  private readonly settings: ResolvedConfig
  private services: Promise<Services> | undefined
  private readonly writes = new KeyedMutex()
  private closed = false

  /** Validates the config synchronously (ConfigError); never does I/O. */
  constructor(config?: MemoryConfig) {
    this.settings = resolveMemoryConfig(config)
  }

  /** Creates the providers on first use, once; a failed start can be retried by the next call. */
  private open(): Promise<Services> {
    if (this.closed) return Promise.reject(new ValidationError('this Memory was closed; create a new one'))
    this.services ??= (async (): Promise<Services> => {
      const { collection } = this.settings
      const storage = await create(this.settings.storage, { collection, storage: undefined })
      const context = { collection, storage }
      const embedder = await create(this.settings.embedder, context)
      const llm = this.settings.llm ? await create(this.settings.llm, context) : undefined
      const store = await create(this.settings.vectorStore, context)
      await store.init({ dimensions: embedder.dimensions })
      const history = this.settings.historyEnabled ? new HistoryStore(storage, collection) : undefined
      return { storage, embedder, store, llm, history }
    })().catch((err: unknown) => {
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

  async add(messages: string | Message[], options: AddOptions): Promise<{ results: MemoryEvent[] }> {
    const opts = checkOptions<AddOptions>(options, 'add')
    const list = normalizeMessages(messages)
    const scope = resolveScope(opts, undefined, 'add')
    const metadata = validateMetadata(opts.metadata)
    expiryFromDate(opts.expirationDate)
    if (opts.infer !== undefined && typeof opts.infer !== 'boolean') throw new ValidationError('add: infer must be a boolean')
    const s = await this.open()
    const infer = opts.infer ?? s.llm !== undefined
    if (infer && !s.llm) {
      throw new ConfigError('llm', 'add with infer: true needs an llm; configure one (e.g. { provider: "openai" }) or pass infer: false')
    }
    return this.writes.run(writeLockKey(scope), () =>
      infer
        ? this.addInferred(s, list, scope, metadata, opts.expirationDate)
        : this.addVerbatim(s, list, scope, metadata, opts.expirationDate),
    )
  }

  /** infer: false — each non-system message becomes one memory, text as given. */
  private async addVerbatim(
    s: Services,
    list: Message[],
    scope: Scope,
    metadata: JsonObject,
    expirationDate: string | undefined,
  ): Promise<{ results: MemoryEvent[] }> {
    const now = Date.now()
    const thread = uuidv4()
    const fresh = new Map<string, { message: Message; turn: number }>()
    contentMessages(list).forEach((message, turn) => {
      const hash = sha256Hex(message.content)
      if (!fresh.has(hash)) fresh.set(hash, { message, turn })
    })
    const existing = await this.findByHashes(s, scope, [...fresh.keys()], now)
    for (const hash of existing.keys()) fresh.delete(hash)
    const items = [...fresh.entries()]
    const vectors = await embedTexts(
      s.embedder,
      items.map(([, m]) => m.message.content),
    )
    const changes: Changes = { upserts: [], deletes: [], history: [], previous: [] }
    const results: MemoryEvent[] = []
    items.forEach(([hash, { message, turn }], i) => {
      const id = uuidv4()
      const meta: JsonObject = { ...metadata }
      if (meta.role === undefined) meta.role = message.role
      if (message.name !== undefined && meta.name === undefined) meta.name = message.name
      const payload = buildPayload({
        text: message.content,
        hash,
        scope,
        metadata: meta,
        createdAt: now,
        updatedAt: now,
        expirationDate,
        thread: { id: thread, turn },
      })
      changes.upserts.push({ id, vector: vectors[i]!, payload })
      s.history && changes.history.push(s.history.entry(id, 'ADD', null, message.content, now))
      results.push({ id, memory: message.content, event: 'ADD' })
    })
    await this.commit(s, changes)
    return { results }
  }

  /**
   * Visible memories of the scope whose text hash is one of `hashes` (content-hash dedup): from the
   * store's index when it has the findByHashes capability, else through list with a hash filter.
   */
  private async findByHashes(s: Services, scope: Scope, hashes: string[], now: number): Promise<Map<string, StoredRecord>> {
    const found = new Map<string, StoredRecord>()
    if (hashes.length === 0) return found
    const visible = and(scopeFilter(scope), visibleAt(now))
    const filter = and(visible, { op: 'in', field: 'hash', values: hashes })
    const records = s.store.findByHashes
      ? this.verify(await s.store.findByHashes({ hashes, filter: visible, scope: scopeHint(scope) }), filter)
      : await this.listAll(s, filter, scope)
    for (const record of records) found.set(String(record.payload.hash), record)
    return found
  }

  /** infer: true — one LLM call extracts facts and reconciles them with similar stored memories. */
  private async addInferred(
    s: Services,
    list: Message[],
    scope: Scope,
    metadata: JsonObject,
    expirationDate: string | undefined,
  ): Promise<{ results: MemoryEvent[] }> {
    const conversation = contentMessages(list)
    if (conversation.length === 0) return { results: [] }
    const now = Date.now()
    const candidates = await this.reconcileCandidates(s, conversation, scope, now)
    const refs = new Map<string, ScoredRecord>()
    const shown: Candidate[] = candidates.map((record, i) => {
      const ref = String(i + 1)
      refs.set(ref, record)
      return { ref, text: String(record.payload.memory) }
    })
    const operations = await this.infer(s.llm!, conversation, shown, new Set(refs.keys()), now)

    // Resolve the model's decisions into writes, dropping no-ops and duplicates.
    const adds = new Map<string, string>()
    const updates: { record: ScoredRecord; text: string; hash: string }[] = []
    const deletes: ScoredRecord[] = []
    for (const op of operations) {
      if (op.event === 'ADD') {
        const hash = sha256Hex(op.text)
        if (!adds.has(hash)) adds.set(hash, op.text)
      } else if (op.event === 'UPDATE') {
        const record = refs.get(op.ref)!
        const hash = sha256Hex(op.text)
        if (hash !== record.payload.hash) updates.push({ record, text: op.text, hash })
      } else if (op.event === 'DELETE') {
        deletes.push(refs.get(op.ref)!)
      }
    }
    for (const u of updates) adds.delete(u.hash)
    for (const hash of (await this.findByHashes(s, scope, [...adds.keys()], now)).keys()) adds.delete(hash)

    const addList = [...adds.entries()]
    const vectors = await embedTexts(s.embedder, [...addList.map(([, text]) => text), ...updates.map((u) => u.text)])
    const touched = [...updates.map((u) => u.record.id), ...deletes.map((d) => d.id)]
    const previous = (await s.store.get(touched, { includeVectors: true })).filter((r): r is StoredRecord => r !== null)
    const changes: Changes = { upserts: [], deletes: [], history: [], previous }
    const results: MemoryEvent[] = []
    const thread = uuidv4()
    addList.forEach(([hash, text], i) => {
      const id = uuidv4()
      const payload = buildPayload({
        text,
        hash,
        scope,
        metadata,
        createdAt: now,
        updatedAt: now,
        expirationDate,
        thread: { id: thread, turn: i },
      })
      changes.upserts.push({ id, vector: vectors[i]!, payload })
      s.history && changes.history.push(s.history.entry(id, 'ADD', null, text, now))
      results.push({ id, memory: text, event: 'ADD' })
    })
    updates.forEach(({ record, text, hash }, i) => {
      const old = String(record.payload.memory)
      const payload = this.revise(record.payload, { text, hash, metadata: { ...metadataOf(record.payload), ...metadata }, now })
      changes.upserts.push({ id: record.id, vector: vectors[addList.length + i]!, payload })
      s.history && changes.history.push(s.history.entry(record.id, 'UPDATE', old, text, now))
      results.push({ id: record.id, memory: text, event: 'UPDATE', previousMemory: old })
    })
    for (const record of deletes) {
      const old = String(record.payload.memory)
      changes.deletes.push(record.id)
      s.history && changes.history.push(s.history.entry(record.id, 'DELETE', old, null, now))
      results.push({ id: record.id, memory: old, event: 'DELETE' })
    }
    await this.commit(s, changes)
    return { results }
  }

  /** The stored memories most similar to the conversation, best first, from the same scope. */
  private async reconcileCandidates(s: Services, conversation: Message[], scope: Scope, now: number): Promise<ScoredRecord[]> {
    const recent = conversation.slice(-RECONCILE_MESSAGES)
    const vectors = await embedTexts(
      s.embedder,
      recent.map((m) => m.content),
    )
    const filter = and(scopeFilter(scope), visibleAt(now))
    const best = new Map<string, ScoredRecord>()
    for (const [i, vector] of vectors.entries()) {
      const hits = await this.searchStore(s, { vector, topK: RECONCILE_PER_MESSAGE, filter, scope, text: recent[i]!.content })
      for (const hit of hits) if ((best.get(hit.id)?.score ?? -Infinity) < hit.score) best.set(hit.id, hit)
    }
    return [...best.values()].sort((a, b) => b.score - a.score).slice(0, RECONCILE_CANDIDATES)
  }

  /** Runs the single extraction + reconciliation call; one retry with the problem explained. */
  private async infer(
    llm: LLM,
    conversation: Message[],
    candidates: Candidate[],
    refs: ReadonlySet<string>,
    now: number,
  ): Promise<Operation[]> {
    let prompt = buildPrompt({
      messages: conversation,
      candidates,
      today: new Date(now).toISOString().slice(0, 10),
      customInstructions: this.settings.customInstructions,
    })
    for (let attempt = 1; ; attempt++) {
      let answer: string
      try {
        answer = await llm.complete({ messages: prompt, json: true, temperature: 0 })
      } catch (err) {
        const detail = err instanceof Error ? err.message : String(err)
        throw new LLMError(`fact extraction failed: the llm call failed (${detail}); nothing was written`, { cause: err })
      }
      try {
        return parseOperations(answer, refs)
      } catch (err) {
        if (!(err instanceof AnswerProblem)) throw err
        if (attempt === 2) {
          throw new LLMError(`fact extraction failed: the llm answered with unusable output twice (${err.message}); nothing was written`, {
            cause: err,
          })
        }
        prompt = buildRetry(prompt, answer, err.message)
      }
    }
  }

  /** A new payload for an existing record: same scope, creation time and expiry; new text and metadata. */
  private revise(payload: Payload, change: { text: string; hash: string; metadata: JsonObject; now: number }): Payload {
    return buildPayload({
      text: change.text,
      hash: change.hash,
      scope: scopeOf(payload),
      metadata: change.metadata,
      createdAt: typeof payload.created_at === 'number' ? payload.created_at : change.now,
      updatedAt: change.now,
      expirationDate: typeof payload.expiration_date === 'string' ? payload.expiration_date : undefined,
      thread: threadOf(payload),
    })
  }

  /**
   * Applies the writes. Nothing is half-done from the caller's view: if any step fails, the records
   * written so far are put back as they were and the error is rethrown.
   */
  private async commit(s: Services, changes: Changes): Promise<void> {
    try {
      if (changes.upserts.length > 0) await s.store.upsert(changes.upserts)
      if (changes.deletes.length > 0) await s.store.delete(changes.deletes)
      await s.history?.append(changes.history)
    } catch (err) {
      const restored = new Set(changes.previous.map((r) => r.id))
      const created = changes.upserts.map((r) => r.id).filter((id) => !restored.has(id))
      try {
        if (created.length > 0) await s.store.delete(created)
        const back = changes.previous.filter((r) => r.vector).map((r) => ({ id: r.id, vector: r.vector!, payload: r.payload }))
        if (back.length > 0) await s.store.upsert(back)
      } catch (rollbackError) {
        if (err instanceof EdgememError) {
          Object.defineProperty(err, 'rollbackError', { value: rollbackError, enumerable: false })
        }
      }
      throw err
    }
  }

  private async searchStore(
    s: Services,
    query: { vector: Float32Array; topK: number; filter: FilterNode; scope: Scope; text?: string },
  ): Promise<ScoredRecord[]> {
    const hits = await s.store.search({ ...query, scope: scopeHint(query.scope) })
    return this.verify(hits, query.filter)
  }

  /** The scope guard: whatever a store returns is checked against the query's full filter. */
  private verify<T extends StoredRecord>(records: T[], filter: FilterNode): T[] {
    const predicate = compileFilter(filter)
    return records.filter((r) => predicate(r.payload))
  }

  private async listAll(s: Services, filter: FilterNode, scope: Scope): Promise<StoredRecord[]> {
    const out: StoredRecord[] = []
    let cursor: string | undefined
    do {
      const page = await s.store.list({ filter, scope: scopeHint(scope), limit: LIST_PAGE, cursor })
      out.push(...this.verify(page.records, filter))
      cursor = page.nextCursor
    } while (cursor)
    return out
  }

  async search(query: string, options: SearchOptions): Promise<{ results: MemoryItem[] }> {
    const opts = checkOptions<SearchOptions>(options, 'search')
    if (typeof query !== 'string' || query.trim().length === 0) throw new ValidationError('search: query must be a non-empty string')
    const filters = parseUserFilters(opts.filters, 'search')
    const scope = resolveScope(opts, filters, 'search')
    const topK = checkTopK(opts.topK, DEFAULT_SEARCH_TOP_K, 'search')
    if (opts.threshold !== undefined && (typeof opts.threshold !== 'number' || !Number.isFinite(opts.threshold))) {
      throw new ValidationError('search: threshold must be a finite number')
    }
    const s = await this.open()
    const [vector] = await embedTexts(s.embedder, [query])
    const filter = and(scopeFilter(scope), visibleAt(Date.now()), filters)
    const hits = await this.searchStore(s, { vector: vector!, topK, filter, scope, text: query })
    const kept = opts.threshold === undefined ? hits : hits.filter((h) => h.score >= opts.threshold!)
    return { results: kept.slice(0, topK).map((h) => toMemoryItem(h.id, h.payload, h.score)) }
  }

  async get(id: string): Promise<MemoryItem | null> {
    checkMemoryId(id, 'get')
    const s = await this.open()
    const [record] = await s.store.get([id])
    return record ? toMemoryItem(record.id, record.payload) : null
  }

  /** Memories of the scope, newest first. */
  async getAll(options: GetAllOptions): Promise<{ results: MemoryItem[] }> {
    const opts = checkOptions<GetAllOptions>(options, 'getAll')
    const filters = parseUserFilters(opts.filters, 'getAll')
    const scope = resolveScope(opts, filters, 'getAll')
    const topK = checkTopK(opts.topK, DEFAULT_GET_ALL_TOP_K, 'getAll')
    const s = await this.open()
    const records = await this.listAll(s, and(scopeFilter(scope), visibleAt(Date.now()), filters), scope)
    const created = (r: StoredRecord): number => (typeof r.payload.created_at === 'number' ? r.payload.created_at : 0)
    records.sort((a, b) => created(b) - created(a) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    return { results: records.slice(0, topK).map((r) => toMemoryItem(r.id, r.payload)) }
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
    return this.withRecord(s, id, 'update', async (current) => {
      const now = Date.now()
      const oldText = String(current.payload.memory)
      const text = (change.text as string | undefined) ?? oldText
      const metadata = metadataOf(current.payload)
      for (const [key, value] of Object.entries(metadataChange ?? {})) {
        if (value === null) delete metadata[key]
        else metadata[key] = value
      }
      const vector = text === oldText ? current.vector! : (await embedTexts(s.embedder, [text]))[0]!
      const payload = this.revise(current.payload, { text, hash: sha256Hex(text), metadata, now })
      const history = s.history ? [s.history.entry(id, 'UPDATE', oldText, text, now)] : []
      await this.commit(s, { upserts: [{ id, vector, payload }], deletes: [], history, previous: [current] })
      return toMemoryItem(id, payload)
    })
  }

  async delete(id: string): Promise<void> {
    checkMemoryId(id, 'delete')
    const s = await this.open()
    await this.withRecord(s, id, 'delete', async (current) => {
      const history = s.history ? [s.history.entry(id, 'DELETE', String(current.payload.memory), null, Date.now())] : []
      await this.commit(s, { upserts: [], deletes: [id], history, previous: [current] })
    })
  }

  /**
   * Runs `change` on the memory's current record (vector included) under its scope's write lock, so it
   * sees every earlier write to that scope; NotFoundError when the id is unknown or deleted meanwhile.
   */
  private async withRecord<T>(s: Services, id: string, operation: string, change: (current: StoredRecord) => Promise<T>): Promise<T> {
    const [found] = await s.store.get([id])
    if (!found) throw new NotFoundError(`${operation}: no memory with id "${id}"`)
    return this.writes.run(writeLockKey(scopeOf(found.payload)), async () => {
      const [current] = await s.store.get([id], { includeVectors: true })
      if (!current) throw new NotFoundError(`${operation}: no memory with id "${id}" (deleted meanwhile)`)
      return change(current)
    })
  }

  /** Deletes every memory of the scope (expired ones included). */
  async deleteAll(options: ScopeOptions): Promise<{ deleted: number }> {
    const opts = checkOptions<ScopeOptions>(options, 'deleteAll')
    const scope = resolveScope(opts, undefined, 'deleteAll')
    const s = await this.open()
    return this.writes.run(writeLockKey(scope), async () => {
      const records = await this.listAll(s, scopeFilter(scope), scope)
      const now = Date.now()
      for (let i = 0; i < records.length; i += LIST_PAGE) {
        const batch = records.slice(i, i + LIST_PAGE)
        await s.store.delete(batch.map((r) => r.id))
        await s.history?.append(batch.map((r) => s.history!.entry(r.id, 'DELETE', String(r.payload.memory), null, now)))
      }
      return { deleted: records.length }
    })
  }

  /** Every change of the memory, oldest first; [] for an unknown id or with history disabled. */
  async history(id: string): Promise<HistoryEntry[]> {
    checkMemoryId(id, 'history')
    const s = await this.open()
    return s.history ? s.history.list(id) : []
  }

  /** Deletes everything this Memory's collection holds: memories, history, index snapshots. */
  async reset(): Promise<void> {
    const s = await this.open()
    await this.writes.runAll(async () => {
      await s.store.reset()
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
    if (!s) return
    await Promise.allSettled([s.store.close?.(), s.embedder.close?.(), s.llm?.close?.()])
    await s.storage.close?.()
  }
}
