import type { Context } from 'hono'
import {
  type AddOptions,
  decodeJsonLines,
  type Filter,
  type ImportOptions,
  type JsonObject,
  type Message,
  NotFoundError,
  type PortableRecord,
  type ScopeOptions,
} from '../src/index.workerd.ts'
import { DEFAULT_GET_ALL_TOP_K, DEFAULT_SEARCH_TOP_K, parseUserFilters, resolveScope } from '../src/internal.ts'
import type { AppEnv } from './app-env.ts'
import { requireTenant } from './auth/authenticate.ts'
import { tenantMemories } from './backend/select.ts'
import type { TenantMemory } from './backend/tenant-memory.ts'
import { ApiError } from './http/errors.ts'
import { checkMessages, checkText, checkTopK } from './limits/request-limits.ts'
import type { Settings } from './settings.ts'

/**
 * The memory operations of the Worker, once: every HTTP surface (the REST routes of routes/, the mem0
 * platform routes of platform/) translates its wire shapes into these calls and back. Each operation
 * validates its input against the Worker's settings (scope, limits, LLM availability) before anything
 * is read or written, then calls the caller's tenant's memories (backend/select.ts), whatever the
 * storage mode.
 */
export interface AddInput extends ScopeOptions {
  metadata?: JsonObject
  infer?: boolean
  expirationDate?: string
}

export interface ReadInput extends ScopeOptions {
  filters?: Filter
  topK?: number
}

export interface SearchInput extends ReadInput {
  threshold?: number
  /** Re-order with the RERANKER_PROVIDER (the core refuses it when none is configured). */
  rerank?: boolean
}

export class MemoryOperations {
  readonly tenant: string
  private readonly settings: Settings
  private readonly memories: TenantMemory

  constructor(tenant: string, settings: Settings, memories: TenantMemory) {
    this.tenant = tenant
    this.settings = settings
    this.memories = memories
  }

  /** What add refuses before it writes anything (also for callers that queue the add for later). */
  checkAdd(messages: string | Message[], input: AddInput): void {
    resolveScope(scopeOf(input), undefined, 'add', 'rest')
    checkMessages(messages, this.settings.limits)
    if (input.infer === true && !this.settings.llm) {
      throw new ApiError(
        400,
        'VALIDATION',
        'infer: true needs an LLM and this server has none configured (LLM_MODEL / LLM_BASE_URL / LLM_API_KEY); send infer: false',
      )
    }
  }

  async add(messages: string | Message[], input: AddInput) {
    this.checkAdd(messages, input)
    const { llm } = this.settings
    const options: AddOptions = {
      ...scopeOf(input),
      ...(input.metadata !== undefined ? { metadata: input.metadata } : {}),
      // Decided here, from the Worker's settings, rather than left to the default of wherever the Memory runs.
      infer: input.infer ?? llm !== undefined,
      ...(input.expirationDate !== undefined ? { expirationDate: input.expirationDate } : {}),
    }
    return this.memories.add(messages, options)
  }

  async search(query: string, input: SearchInput) {
    const { limits } = this.settings
    resolveScope(scopeOf(input), parseUserFilters(input.filters, 'search'), 'search', 'rest')
    checkText(query, 'query', limits)
    checkTopK(input.topK, limits)
    return this.memories.search(query, {
      ...scopeOf(input),
      ...(input.filters !== undefined ? { filters: input.filters } : {}),
      topK: input.topK ?? Math.min(DEFAULT_SEARCH_TOP_K, limits.maxTopK),
      ...(input.threshold !== undefined ? { threshold: input.threshold } : {}),
      ...(input.rerank !== undefined ? { rerank: input.rerank } : {}),
    })
  }

  /**
   * Newest first. `topK` is checked against MAX_TOP_K; `uncapped` (internal callers that page or count
   * themselves) may ask for up to the core's own maximum.
   */
  async getAll(input: ReadInput, uncapped = false) {
    const { limits } = this.settings
    resolveScope(scopeOf(input), parseUserFilters(input.filters, 'get_all'), 'get_all', 'rest')
    if (!uncapped) checkTopK(input.topK, limits)
    return this.memories.getAll({
      ...scopeOf(input),
      ...(input.filters !== undefined ? { filters: input.filters } : {}),
      topK: input.topK ?? Math.min(DEFAULT_GET_ALL_TOP_K, limits.maxTopK),
    })
  }

  /** The memory, or NotFoundError (404). */
  async get(id: string) {
    const item = await this.memories.get(id)
    if (!item) throw new NotFoundError(`no memory with id "${id}"`)
    return item
  }

  async update(id: string, data: { text?: string; metadata?: JsonObject }) {
    checkText(data.text, 'text', this.settings.limits)
    return this.memories.update(id, {
      ...(data.text !== undefined ? { text: data.text } : {}),
      ...(data.metadata !== undefined ? { metadata: data.metadata } : {}),
    })
  }

  async history(id: string) {
    const entries = await this.memories.history(id)
    // An id with no history is only "found" when the memory exists (history can be disabled); this
    // also makes another tenant's id a 404 here, like on every other id route.
    if (entries.length === 0 && !(await this.memories.get(id))) throw new NotFoundError(`no memory with id "${id}"`)
    return entries
  }

  async delete(id: string) {
    await this.memories.delete(id)
  }

  /**
   * The tenant's portable records (docs/format.md) of a scope, or of all its memories without one. The
   * first record (the header) is read before returning, so a refused export fails before any byte is sent.
   */
  async export(input: ScopeOptions & { vectors?: boolean }): Promise<AsyncIterable<PortableRecord>> {
    const scope = scopeOf(input)
    if (Object.keys(scope).length > 0) resolveScope(scope, undefined, 'export', 'rest')
    const records = this.memories.export({ ...scope, vectors: input.vectors ?? false })[Symbol.asyncIterator]()
    const first = await records.next()
    return (async function* () {
      if (first.done) return
      yield first.value
      yield* { [Symbol.asyncIterator]: () => records }
    })()
  }

  /**
   * Imports a JSON Lines body: every record validated (FormatError naming the line → 400) and every
   * memory text held to MAX_MESSAGE_CHARS before anything is written; the body is bounded by MAX_BODY_BYTES.
   */
  async import(body: AsyncIterable<string | Uint8Array> | Iterable<string | Uint8Array>, options: ImportOptions) {
    const { limits } = this.settings
    const records: PortableRecord[] = []
    for await (const record of decodeJsonLines(body, { maxLineBytes: limits.maxBodyBytes })) {
      if (record.type === 'memory') checkText(record.memory, `line ${records.length + 1}: memory`, limits)
      records.push(record)
    }
    if (records.length === 0) throw new ApiError(400, 'VALIDATION', 'the body holds no records: send an export (JSON Lines, header first)')
    return this.memories.import(records, options)
  }

  async deleteAll(scope: ScopeOptions) {
    resolveScope(scopeOf(scope), undefined, 'delete_all', 'rest')
    return this.memories.deleteAll(scopeOf(scope))
  }
}

/** Only the scope ids of an input (absent ids stay absent). */
function scopeOf(input: ScopeOptions): ScopeOptions {
  return {
    ...(input.userId !== undefined ? { userId: input.userId } : {}),
    ...(input.agentId !== undefined ? { agentId: input.agentId } : {}),
    ...(input.runId !== undefined ? { runId: input.runId } : {}),
  }
}

/** The caller's tenant's operations; only tenant keys get here (the admin key is refused with 403). */
export function operationsOf(c: Context<AppEnv>): MemoryOperations {
  const tenant = requireTenant(c.var.principal)
  return new MemoryOperations(tenant, c.var.settings, tenantMemories(c.env, c.var.settings).forTenant(tenant))
}
