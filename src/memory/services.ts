import type { ProviderChoice, ResolvedConfig } from '../config.ts'
import { EdgememError, LLMError, NotFoundError } from '../errors.ts'
import { and, type FilterNode } from '../filters/ast.ts'
import { compileFilter } from '../filters/evaluate.ts'
import type { Embedder } from '../interfaces/embedder.ts'
import type { GraphWrite, GraphWriteResult } from '../interfaces/graph-store.ts'
import type { KeyValueStore } from '../interfaces/key-value-store.ts'
import type { LLM } from '../interfaces/llm.ts'
import type { Reranker } from '../interfaces/reranker.ts'
import type { ScoredRecord, StoredRecord, VectorRecord, VectorStore } from '../interfaces/vector-store.ts'
import type { ProviderInstances, ProviderKind } from '../registry.ts'
import type { AddResult, HistoryEntry, JsonObject, MemoryEvent, Message, Relation } from '../types.ts'
import { sha256Hex } from '../util/hash.ts'
import { uuidv4 } from '../util/id.ts'
import { storageCall, writeBatch } from '../util/kv.ts'
import type { KeyedMutex } from '../util/mutex.ts'
import { embedTexts } from './embedding.ts'
import { embedderWithDeadline, llmWithDeadline } from './deadlines.ts'
import { HistoryStore, newHistoryEntry } from './history.ts'
import { buildProceduralPrompt, PROCEDURAL_MEMORY_TYPE } from './infer/procedural.ts'
import { GraphMemory, toRelation } from './graph.ts'
import { type ExtractedGraph, parseGraph } from './infer/graph-parse.ts'
import { AnswerProblem, extractJson, type Operation, parseOperations } from './infer/parse.ts'
import { buildPrompt, buildRetry, type Candidate, type RelationCandidate } from './infer/prompt.ts'
import {
  type Changes,
  memoriesFromMessages,
  planAdditions,
  planInferredWrites,
  resolveOperations,
  textsToEmbed,
  type WriteContext,
} from './plan.ts'
import { scopeOf, type Scope } from './payload.ts'
import { scopeFilter, scopeHint, visibleAt, writeLockKey } from './scope.ts'

const LIST_PAGE = 500
/** How many messages of a conversation seed the search for memories to reconcile with. */
const RECONCILE_MESSAGES = 20
const RECONCILE_PER_MESSAGE = 5
const RECONCILE_CANDIDATES = 20

async function create<K extends ProviderKind>(
  choice: ProviderChoice<K>,
  context: { collection: string; storage: KeyValueStore | undefined; llm?: LLM | undefined },
): Promise<ProviderInstances[K]> {
  return choice.kind === 'instance' ? choice.instance : choice.provider.create(context)
}

/** What an add call writes besides its messages. */
export interface AddRequest {
  scope: Scope
  metadata: JsonObject
  expirationDate: string | undefined
}

/**
 * The providers of one started Memory and the operations over them: dedup, inference, the scope guard
 * on every read, and commits that undo themselves on failure. The Memory validates calls, takes the
 * write locks and delegates here; the write planning itself is pure (plan.ts).
 */
export class MemoryServices {
  readonly storage: KeyValueStore
  readonly embedder: Embedder
  readonly store: VectorStore
  readonly llm: LLM | undefined
  readonly reranker: Reranker | undefined
  readonly history: HistoryStore | undefined
  /** Graph memory, when a graphStore is configured. */
  readonly graph: GraphMemory | undefined
  /** The embedder's provider name and model id, when known (portable exports record them with the vectors). */
  readonly embedderModel: { provider: string; model: string | undefined }
  private readonly writes: KeyedMutex
  private readonly customInstructions: string | undefined

  private constructor(
    parts: Pick<MemoryServices, 'storage' | 'embedder' | 'store' | 'llm' | 'history' | 'reranker' | 'graph' | 'embedderModel'>,
    writes: KeyedMutex,
    customInstructions: string | undefined,
  ) {
    this.storage = parts.storage
    this.embedder = parts.embedder
    this.store = parts.store
    this.llm = parts.llm
    this.reranker = parts.reranker
    this.history = parts.history
    this.graph = parts.graph
    this.embedderModel = parts.embedderModel
    this.writes = writes
    this.customInstructions = customInstructions
  }

  /** Creates the providers (storage first: the others may persist through it) and initialises the store. */
  static async start(settings: ResolvedConfig, writes: KeyedMutex): Promise<MemoryServices> {
    const { collection } = settings
    const storage = await create(settings.storage, { collection, storage: undefined })
    const context = { collection, storage }
    const { embedderMs, llmMs } = settings.timeouts
    const rawEmbedder = await create(settings.embedder, context)
    const embedder = embedderWithDeadline(rawEmbedder, embedderMs)
    const llm = settings.llm ? llmWithDeadline(await create(settings.llm, context), llmMs) : undefined
    const reranker = settings.reranker ? await create(settings.reranker, { ...context, llm }) : undefined
    const store = await create(settings.vectorStore, context)
    await store.init({ dimensions: embedder.dimensions })
    const history = settings.historyEnabled ? new HistoryStore(storage, collection) : undefined
    let graph: GraphMemory | undefined
    if (settings.graphStore) {
      const graphStore = await create(settings.graphStore, context)
      await graphStore.init?.()
      graph = new GraphMemory(graphStore, embedder, settings.entityBoost)
    }
    const services = new MemoryServices(
      { storage, embedder, store, llm, history, reranker, graph, embedderModel: embedderModel(settings.embedder, rawEmbedder) },
      writes,
      settings.customInstructions,
    )
    await services.recoverHistory()
    return services
  }

  private writeContext(request: AddRequest, now: number): WriteContext {
    return { ...request, now, newId: uuidv4, history: this.history !== undefined }
  }

  /** infer: false — each non-system message becomes one memory, text as given. */
  async addVerbatim(messages: Message[], request: AddRequest): Promise<AddResult> {
    const now = Date.now()
    const memories = memoriesFromMessages(messages, request.metadata)
    const stored = await this.findByHashes(
      request.scope,
      memories.map((m) => m.hash),
      now,
    )
    const fresh = memories.filter((m) => !stored.has(m.hash))
    const vectors = await embedTexts(
      this.embedder,
      fresh.map((m) => m.text),
    )
    const { changes, results } = planAdditions(fresh, vectors, this.writeContext(request, now))
    const graphWrite = await this.graph?.writeFromTexts(
      results.map((r) => ({ id: r.id, text: r.memory })),
      request.scope,
    )
    const graph = await this.commit(changes, graphWrite)
    return this.graph ? { results, relations: relationsOf(graph) } : { results }
  }

  /** memoryType 'procedural': one LLM call summarises the whole run (system messages included) into one memory. */
  async addProcedural(messages: Message[], request: AddRequest): Promise<{ results: MemoryEvent[] }> {
    if (messages.length === 0) return { results: [] }
    const now = Date.now()
    let summary: string
    try {
      summary = (await this.llm!.complete({ messages: buildProceduralPrompt(messages), temperature: 0 })).trim()
    } catch (err) {
      const detail = err instanceof Error ? err.message : String(err)
      throw new LLMError(`procedural memory failed: the llm call failed (${detail}); nothing was written`, { cause: err })
    }
    if (summary === '') throw new LLMError('procedural memory failed: the llm returned an empty summary; nothing was written')
    const metadata: JsonObject = { ...request.metadata, memory_type: PROCEDURAL_MEMORY_TYPE }
    const memory = { text: summary, hash: sha256Hex(summary), metadata, turn: 0 }
    if ((await this.findByHashes(request.scope, [memory.hash], now)).size > 0) return { results: [] }
    const vectors = await embedTexts(this.embedder, [summary])
    const { changes, results } = planAdditions([memory], vectors, this.writeContext(request, now))
    await this.commit(changes)
    return { results }
  }

  /** infer: true — one LLM call extracts facts and reconciles them with similar stored memories. */
  async addInferred(conversation: Message[], request: AddRequest): Promise<AddResult> {
    if (conversation.length === 0) return this.graph ? { results: [], relations: { added: [], invalidated: [] } } : { results: [] }
    const now = Date.now()
    const candidates = await this.reconcileCandidates(conversation, request.scope, now)
    const refs = new Map<string, ScoredRecord>(candidates.map((record, i) => [String(i + 1), record]))
    const shown: Candidate[] = [...refs].map(([ref, record]) => ({ ref, text: String(record.payload.memory) }))
    const context = await this.graph?.contextFor(
      conversation,
      shown.map((c) => c.text),
      request.scope,
    )
    const { operations, graph } = await this.infer(conversation, shown, new Set(refs.keys()), now, context)
    const plan = resolveOperations(operations, refs)
    for (const hash of (await this.findByHashes(request.scope, [...plan.adds.keys()], now)).keys()) plan.adds.delete(hash)
    const vectors = await embedTexts(this.embedder, textsToEmbed(plan))
    const touched = [...plan.updates.map((u) => u.record.id), ...plan.deletes.map((d) => d.id)]
    const previous = (await this.store.get(touched, { includeVectors: true })).filter((r): r is StoredRecord => r !== null)
    const { changes, results } = planInferredWrites(plan, vectors, previous, this.writeContext(request, now))
    let graphWrite: GraphWrite | undefined
    if (this.graph && graph && context) {
      // Relations come from the memories this call stored; when it stored none (all NONE), from those it confirmed.
      let sources = results.filter((r) => r.event !== 'DELETE').map((r) => r.id)
      if (sources.length === 0) sources = operations.flatMap((op) => (op.event === 'NONE' && op.ref ? [refs.get(op.ref)!.id] : []))
      graphWrite = await this.graph.writeFromExtraction(graph, context.refs, sources, request.scope, now)
      const deleted = results.filter((r) => r.event === 'DELETE').map((r) => r.id)
      if (deleted.length > 0) {
        graphWrite ??= { scope: { ...request.scope }, entities: [], relations: [], invalidate: [] }
        graphWrite.forget = deleted
      }
    }
    const written = await this.commit(changes, graphWrite)
    return this.graph ? { results, relations: relationsOf(written) } : { results }
  }

  /**
   * Visible memories of the scope whose text hash is one of `hashes` (content-hash dedup): from the
   * store's index when it has the findByHashes capability, else through list with a hash filter.
   */
  private async findByHashes(scope: Scope, hashes: string[], now: number): Promise<Map<string, StoredRecord>> {
    const found = new Map<string, StoredRecord>()
    if (hashes.length === 0) return found
    const visible = and(scopeFilter(scope), visibleAt(now))
    const filter = and(visible, { op: 'in', field: 'hash', values: hashes })
    const records = this.store.findByHashes
      ? this.verify(await this.store.findByHashes({ hashes, filter: visible, scope: scopeHint(scope) }), filter)
      : await this.listAll(filter, scope)
    for (const record of records) found.set(String(record.payload.hash), record)
    return found
  }

  /** The stored memories most similar to the conversation, best first, from the same scope. */
  private async reconcileCandidates(conversation: Message[], scope: Scope, now: number): Promise<ScoredRecord[]> {
    const recent = conversation.slice(-RECONCILE_MESSAGES)
    const vectors = await embedTexts(
      this.embedder,
      recent.map((m) => m.content),
    )
    const filter = and(scopeFilter(scope), visibleAt(now))
    const best = new Map<string, ScoredRecord>()
    for (const [i, vector] of vectors.entries()) {
      const hits = await this.search({ vector, topK: RECONCILE_PER_MESSAGE, filter, scope, text: recent[i]!.content })
      for (const hit of hits) if ((best.get(hit.id)?.score ?? -Infinity) < hit.score) best.set(hit.id, hit)
    }
    return [...best.values()].sort((a, b) => b.score - a.score).slice(0, RECONCILE_CANDIDATES)
  }

  /** Runs the single extraction + reconciliation call; one retry with the problem explained. */
  private async infer(
    conversation: Message[],
    candidates: Candidate[],
    refs: ReadonlySet<string>,
    now: number,
    graph?: { shown: RelationCandidate[]; refs: ReadonlyMap<string, string> },
  ): Promise<{ operations: Operation[]; graph?: ExtractedGraph }> {
    const llm = this.llm!
    let prompt = buildPrompt({
      messages: conversation,
      candidates,
      today: new Date(now).toISOString().slice(0, 10),
      customInstructions: this.customInstructions,
      relations: graph?.shown,
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
        const operations = parseOperations(answer, refs)
        if (!graph) return { operations }
        return { operations, graph: parseGraph(extractJson(answer), new Set(graph.refs.keys())) }
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

  /**
   * Applies the writes. Nothing is half-done from the caller's view: if any step fails, the records
   * written so far are put back as they were and the error is rethrown (with `rollbackError` when the
   * undo failed too).
   */
  async commit(changes: Changes, graphWrite?: GraphWrite): Promise<GraphWriteResult | undefined> {
    // Before anything changes: a crash from here on is settled by recoverHistory at the next start.
    const journal = await this.history?.begin(changes.history)
    let graph: GraphWriteResult | undefined
    try {
      if (changes.upserts.length > 0) await this.store.upsert(changes.upserts)
      if (changes.deletes.length > 0) await this.store.delete(changes.deletes)
      if (graphWrite && this.graph) graph = await this.graph.store.apply(graphWrite)
      if (journal) await this.history!.finish(journal)
      return graph
    } catch (err) {
      const restored = new Set(changes.previous.map((r) => r.id))
      const created = changes.upserts.map((r) => r.id).filter((id) => !restored.has(id))
      try {
        await graph?.undo()
        if (created.length > 0) await this.store.delete(created)
        const back = changes.previous.filter((r) => r.vector).map((r) => ({ id: r.id, vector: r.vector!, payload: r.payload }))
        if (back.length > 0) await this.store.upsert(back)
        if (journal) await this.history!.abandon(journal)
      } catch (rollbackError) {
        // The journal stays: the next start writes the rows of whatever change the store kept.
        if (err instanceof EdgememError) err.rollbackError = rollbackError
      }
      throw err
    }
  }

  /**
   * Writes an imported batch: the records, then their history rows (kept as they were, ids and times
   * included, so they bypass the journal, whose recovery keeps only rows that describe the current state).
   * On any failure the batch is undone: records created are deleted, records overwritten put back, rows
   * written removed; the error is rethrown (with `rollbackError` when the undo failed too).
   */
  async commitImport(upserts: VectorRecord[], previous: StoredRecord[], history: HistoryEntry[]): Promise<void> {
    const rows = this.history ? this.history.operations(history) : []
    try {
      if (upserts.length > 0) await this.store.upsert(upserts)
      if (rows.length > 0) await storageCall('writing imported history', () => writeBatch(this.storage, rows))
    } catch (err) {
      const restored = new Set(previous.map((r) => r.id))
      const created = upserts.map((r) => r.id).filter((id) => !restored.has(id))
      try {
        if (created.length > 0) await this.store.delete(created)
        const back = previous.filter((r) => r.vector).map((r) => ({ id: r.id, vector: r.vector!, payload: r.payload }))
        if (back.length > 0) await this.store.upsert(back)
        if (rows.length > 0)
          await writeBatch(
            this.storage,
            rows.map(({ key }) => ({ key, value: null })),
          )
      } catch (rollbackError) {
        if (err instanceof EdgememError) err.rollbackError = rollbackError
      }
      throw err
    }
  }

  /** Settles history journals left by a process that died mid-change (see HistoryStore). */
  async recoverHistory(): Promise<void> {
    await this.history?.recover(async (entry) => {
      const [record] = await this.store.get([entry.memoryId])
      if (entry.event === 'DELETE') return !record
      return !!record && record.payload.memory === entry.newValue && record.payload.updated_at === Date.parse(entry.createdAt)
    })
  }

  /**
   * The relations some memory of which is stored, visible and matches `filter` (scope, expiry and the
   * user's filters): relations follow the filter language through the memories they were learnt from.
   */
  async visibleRelations(relations: Relation[], filter: FilterNode): Promise<Relation[]> {
    const ids = [...new Set(relations.flatMap((r) => r.memoryIds))]
    if (ids.length === 0) return []
    const predicate = compileFilter(filter)
    const visible = new Set<string>()
    for (let i = 0; i < ids.length; i += LIST_PAGE) {
      const records = await this.store.get(ids.slice(i, i + LIST_PAGE))
      for (const r of records) if (r && predicate(r.payload)) visible.add(r.id)
    }
    return relations.filter((r) => r.memoryIds.some((id) => visible.has(id)))
  }

  /** A store search through the scope guard. */
  async search(query: { vector: Float32Array; topK: number; filter: FilterNode; scope: Scope; text?: string }): Promise<ScoredRecord[]> {
    const hits = await this.store.search({ ...query, scope: scopeHint(query.scope) })
    return this.verify(hits, query.filter)
  }

  /** The scope guard: whatever a store returns is checked against the query's full filter. */
  private verify<T extends StoredRecord>(records: T[], filter: FilterNode): T[] {
    const predicate = compileFilter(filter)
    return records.filter((r) => predicate(r.payload))
  }

  /** Every record matching the filter, through the scope guard. */
  async listAll(filter: FilterNode, scope: Scope): Promise<StoredRecord[]> {
    const out: StoredRecord[] = []
    for await (const page of this.pages(filter, scope)) out.push(...page)
    return out
  }

  /** The records matching the filter page by page (at most `limit` each), through the scope guard. */
  async *pages(filter: FilterNode, scope: Scope, limit = LIST_PAGE): AsyncGenerator<StoredRecord[]> {
    let cursor: string | undefined
    do {
      const page = await this.store.list({ filter, scope: scopeHint(scope), limit, cursor })
      const records = this.verify(page.records, filter)
      if (records.length > 0) yield records
      cursor = page.nextCursor
    } while (cursor)
  }

  /**
   * Runs `change` on the memory's current record (vector included) under its scope's write lock, so it
   * sees every earlier write to that scope; NotFoundError when the id is unknown or deleted meanwhile.
   */
  async withRecord<T>(id: string, operation: string, change: (current: StoredRecord) => Promise<T>): Promise<T> {
    const [found] = await this.store.get([id])
    if (!found) throw new NotFoundError(`${operation}: no memory with id "${id}"`)
    return this.writes.run(writeLockKey(scopeOf(found.payload)), async () => {
      const [current] = await this.store.get([id], { includeVectors: true })
      if (!current) throw new NotFoundError(`${operation}: no memory with id "${id}" (deleted meanwhile)`)
      return change(current)
    })
  }

  /** Deletes every memory of the scope (expired ones included), with history, in pages. */
  async deleteAll(scope: Scope): Promise<{ deleted: number }> {
    const records = await this.listAll(scopeFilter(scope), scope)
    const now = Date.now()
    for (let i = 0; i < records.length; i += LIST_PAGE) {
      const batch = records.slice(i, i + LIST_PAGE)
      const history = this.history ? batch.map((r) => newHistoryEntry(r.id, 'DELETE', String(r.payload.memory), null, now)) : []
      // Listed without vectors: a failed page cannot be put back, but its journal still settles its history.
      await this.commit({ upserts: [], deletes: batch.map((r) => r.id), history, previous: [] })
    }
    await this.graph?.store.deleteScope({ ...scope })
    return { deleted: records.length }
  }

  async close(): Promise<void> {
    await Promise.allSettled([this.store.close?.(), this.embedder.close?.(), this.llm?.close?.(), this.graph?.store.close?.()])
    await this.storage.close?.()
  }
}

/** The provider name and model id of the embedder: its `model` property, else its config's `model`. */
function embedderModel(choice: ProviderChoice<'embedder'>, embedder: Embedder): MemoryServices['embedderModel'] {
  const own = (embedder as { model?: unknown }).model
  const configured = choice.kind === 'provider' ? choice.provider.config.model : undefined
  const model = typeof own === 'string' && own !== '' ? own : typeof configured === 'string' && configured !== '' ? configured : undefined
  return { provider: choice.kind === 'provider' ? choice.provider.name : choice.name, model }
}

function relationsOf(result: GraphWriteResult | undefined): NonNullable<AddResult['relations']> {
  return { added: (result?.added ?? []).map((r) => toRelation(r)), invalidated: (result?.invalidated ?? []).map((r) => toRelation(r)) }
}
