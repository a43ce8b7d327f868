import {
  decodeJsonLines,
  type ExportOptions,
  type ImportOptions,
  type ImportResult,
  type PortableRecord,
  ValidationError,
  NotFoundError,
  type AddOptions,
  type GetAllOptions,
  type GraphOptions,
  type GraphResult,
  type HistoryEntry,
  type JsonObject,
  type Message,
  type MemoryItem,
  type Relation,
  type ScopeOptions,
  type SearchOptions,
} from '../../src/index.workerd.ts'
import { DEFAULT_GET_ALL_TOP_K, DEFAULT_SEARCH_TOP_K, mergeEntities } from '../../src/internal.ts'
import type { MemoryShard } from '../durable/memory-shard.ts'
import type { ShardFeatures, ShardIdentity, ShardOperation, ShardReply, ShardResults } from '../durable/shard-protocol.ts'
import { deserializeError } from '../http/errors.ts'
import { externalId, parseExternalId, readShards, shardOf, writeScopeKey } from './shard-routing.ts'
import type { TenantMemories, TenantMemory } from './tenant-memory.ts'

const withExternalId = (shard: number, item: MemoryItem): MemoryItem => ({ ...item, id: externalId(shard, item.id) })

/** A relation with its memories' REST ids (the shard's core ids prefixed with the shard). */
const relationOf = (shard: number, relation: Relation): Relation => ({
  ...relation,
  memoryIds: relation.memoryIds.map((id) => externalId(shard, id)),
})
const relationsOf = (shard: number, relations: Relation[] | undefined): Relation[] => (relations ?? []).map((r) => relationOf(shard, r))
const byRelationScore = (a: Relation, b: Relation): number => (b.score ?? 0) - (a.score ?? 0)

const byScore = (a: MemoryItem, b: MemoryItem): number => (b.score ?? 0) - (a.score ?? 0) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
// The core's get_all order: newest first, ties by id.
const byNewest = (a: MemoryItem, b: MemoryItem): number =>
  Date.parse(b.createdAt) - Date.parse(a.createdAt) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)

/**
 * One tenant's memories in the durable-object mode: calls go to the tenant's MemoryShard objects,
 * named `<tenant>/<shard>`; see shard-routing.ts for which shard a call goes to. The tenant comes from
 * the authenticated API key only, so no request can name another tenant's object.
 */
export class DurableTenantMemory implements TenantMemory {
  private readonly namespace: DurableObjectNamespace<MemoryShard>
  private readonly tenant: string
  private readonly shards: number
  private readonly features: ShardFeatures

  constructor(namespace: DurableObjectNamespace<MemoryShard>, tenant: string, shards: number, features: ShardFeatures) {
    this.namespace = namespace
    this.tenant = tenant
    this.shards = shards
    this.features = features
  }

  private async call<O extends ShardOperation>(shard: number, operation: O): Promise<ShardResults[O['op']]> {
    const identity: ShardIdentity = { tenant: this.tenant, shard, shards: this.shards }
    const stub = this.namespace.get(this.namespace.idFromName(`${this.tenant}/${shard}`))
    const reply = (await stub.execute(identity, operation, this.features)) as ShardReply<ShardResults[O['op']]>
    if (!reply.ok) throw deserializeError(reply.error)
    return reply.value
  }

  /** The shard and core id behind a REST id; ids that cannot be this tenant's are simply not found. */
  private locate(id: string, operation: string): { shard: number; id: string } {
    const located = parseExternalId(id, this.shards)
    if (!located) throw new NotFoundError(`${operation}: no memory with id "${id}"`)
    return located
  }

  async add(messages: string | Message[], options: AddOptions) {
    const shard = shardOf(writeScopeKey(options, 'add'), this.shards)
    const { results, relations } = await this.call(shard, { op: 'add', messages, options })
    const events = results.map((event) => ({ ...event, id: externalId(shard, event.id) }))
    if (!relations) return { results: events }
    return {
      results: events,
      relations: { added: relationsOf(shard, relations.added), invalidated: relationsOf(shard, relations.invalidated) },
    }
  }

  async search(query: string, options: SearchOptions) {
    const topK = options.topK ?? DEFAULT_SEARCH_TOP_K
    const shards = readShards(options, options.filters, this.shards, 'search')
    const pages = await Promise.all(
      shards.map(async (shard) => {
        const page = await this.call(shard, { op: 'search', query, options: { ...options, topK } })
        return {
          results: page.results.map((item) => withExternalId(shard, item)),
          relations: page.relations && relationsOf(shard, page.relations),
        }
      }),
    )
    const results = pages
      .flatMap((p) => p.results)
      .sort(byScore)
      .slice(0, topK)
    if (pages.every((p) => p.relations === undefined)) return { results }
    return {
      results,
      relations: pages
        .flatMap((p) => p.relations ?? [])
        .sort(byRelationScore)
        .slice(0, topK),
    }
  }

  async get(id: string) {
    const located = parseExternalId(id, this.shards)
    if (!located) return null
    const item = await this.call(located.shard, { op: 'get', id: located.id })
    return item ? withExternalId(located.shard, item) : null
  }

  async getAll(options: GetAllOptions) {
    const topK = options.topK ?? DEFAULT_GET_ALL_TOP_K
    const shards = readShards(options, options.filters, this.shards, 'getAll')
    const pages = await Promise.all(
      shards.map(async (shard) => {
        const page = await this.call(shard, { op: 'getAll', options: { ...options, topK } })
        return {
          results: page.results.map((item) => withExternalId(shard, item)),
          relations: page.relations && relationsOf(shard, page.relations),
        }
      }),
    )
    const results = pages
      .flatMap((p) => p.results)
      .sort(byNewest)
      .slice(0, topK)
    if (pages.every((p) => p.relations === undefined)) return { results }
    return { results, relations: pages.flatMap((p) => p.relations ?? []) }
  }

  /** The scope's graph: one shard for a user, else every shard's, concatenated and cut to the limit. */
  async graph(options: GraphOptions): Promise<GraphResult> {
    const shards = readShards(options, undefined, this.shards, 'graph')
    const pages = await Promise.all(
      shards.map(async (shard) => {
        const page = await this.call(shard, { op: 'graph', options })
        return {
          ...page,
          entities: page.entities.map((e) => ({ ...e, memoryIds: e.memoryIds.map((id) => externalId(shard, id)) })),
          relations: relationsOf(shard, page.relations),
        }
      }),
    )
    const limit = options.limit ?? Number.POSITIVE_INFINITY
    return {
      entities: pages.flatMap((p) => p.entities).slice(0, limit),
      relations: pages.flatMap((p) => p.relations).slice(0, limit),
      totalEntities: pages.reduce((sum, p) => sum + p.totalEntities, 0),
      totalRelations: pages.reduce((sum, p) => sum + p.totalRelations, 0),
    }
  }

  async update(id: string, data: { text?: string; metadata?: JsonObject }) {
    const located = this.locate(id, 'update')
    return withExternalId(located.shard, await this.call(located.shard, { op: 'update', id: located.id, data }))
  }

  async delete(id: string): Promise<void> {
    const located = this.locate(id, 'delete')
    await this.call(located.shard, { op: 'delete', id: located.id })
  }

  async deleteAll(options: ScopeOptions) {
    // Same reach as a read: the user's shard, or every shard for an agent or run across users.
    const shards = readShards(options, undefined, this.shards, 'deleteAll')
    const counts = await Promise.all(shards.map((shard) => this.call(shard, { op: 'deleteAll', options })))
    return { deleted: counts.reduce((sum, c) => sum + c.deleted, 0) }
  }

  async history(id: string): Promise<HistoryEntry[]> {
    const located = parseExternalId(id, this.shards)
    if (!located) return []
    const entries = await this.call(located.shard, { op: 'history', id: located.id })
    return entries.map((entry) => ({ ...entry, memoryId: externalId(located.shard, entry.memoryId) }))
  }

  /** Every shard's entities, merged (a user's memories live in one shard; an agent or run may span several). */
  async entities() {
    return mergeEntities(await Promise.all(Array.from({ length: this.shards }, (_, shard) => this.call(shard, { op: 'entities' }))))
  }

  async reset(): Promise<void> {
    await Promise.all(Array.from({ length: this.shards }, (_, shard) => this.call(shard, { op: 'reset' })))
  }

  /**
   * The export of the shards the scope reaches (all of them without a user), one after another: the
   * first shard's header, then each shard's records with their ids as the REST API shows them.
   */
  async *export(options: ExportOptions): AsyncGenerator<PortableRecord> {
    const scoped = options.userId !== undefined || options.agentId !== undefined || options.runId !== undefined
    const shards = scoped ? readShards(options, undefined, this.shards, 'export') : Array.from({ length: this.shards }, (_, i) => i)
    // Every shard's header first: one whose embedder is known (a shard with memories) heads the export.
    const readers = await Promise.all(
      shards.map(async (shard) => {
        const records = decodeJsonLines(await this.call(shard, { op: 'export', options }))[Symbol.asyncIterator]()
        const first = await records.next()
        return { shard, records, header: first.done ? undefined : first.value }
      }),
    )
    const headers = readers.flatMap((r) => (r.header?.type === 'edgemem-export' ? [r.header] : []))
    const header = headers.find((h) => h.embedder) ?? headers[0]
    if (header) yield header
    for (const { shard, records } of readers) {
      for await (const record of { [Symbol.asyncIterator]: () => records }) yield externalRecord(shard, record)
    }
  }

  /**
   * Sends each record to the shard of its scope (history to its memory's): one import call per shard,
   * each with the header. Ids that carry their shard (`<shard>.<id>`, as exported here) lose the prefix;
   * other ids are kept whole (the REST API then shows them prefixed).
   */
  async import(records: PortableRecord[], options: ImportOptions): Promise<ImportResult> {
    const [header, ...rest] = records
    if (!header) throw new ValidationError('import: no records')
    const perShard = new Map<number, PortableRecord[]>()
    const memoryShard = new Map<string, number>()
    const add = (shard: number, record: PortableRecord) => perShard.set(shard, [...(perShard.get(shard) ?? []), record])
    const coreId = (id: string, shard: number) => {
      const located = parseExternalId(id, this.shards)
      return located && located.shard === shard ? located.id : id
    }
    for (const record of rest) {
      if (record.type === 'memory') {
        const shard = shardOf(writeScopeKey(scopeOf(record), 'import'), this.shards)
        memoryShard.set(record.id, shard)
        add(shard, { ...record, id: coreId(record.id, shard) })
      } else if (record.type === 'history') {
        const shard = memoryShard.get(record.memoryId) ?? parseExternalId(record.memoryId, this.shards)?.shard ?? 0
        add(shard, { ...record, memoryId: coreId(record.memoryId, shard) })
      } else if (record.type === 'relation' || record.type === 'entity') {
        const shard = shardOf(writeScopeKey(scopeOf(record), 'import'), this.shards)
        add(shard, { ...record, memoryIds: record.memoryIds.map((id) => coreId(id, shard)) })
      } else add(0, record)
    }
    const total: ImportResult = { imported: 0, skipped: 0, overwritten: 0, reembedded: 0, history: 0, entities: 0, relations: 0 }
    for (const [shard, list] of [...perShard].sort(([a], [b]) => a - b)) {
      const result = await this.call(shard, { op: 'import', records: [header, ...list], options })
      for (const key of Object.keys(total) as (keyof ImportResult)[]) total[key] += result[key]
    }
    return total
  }
}

/** The scope options of a portable record. */
function scopeOf(record: { userId?: string; agentId?: string; runId?: string }): ScopeOptions {
  return {
    ...(record.userId !== undefined ? { userId: record.userId } : {}),
    ...(record.agentId !== undefined ? { agentId: record.agentId } : {}),
    ...(record.runId !== undefined ? { runId: record.runId } : {}),
  }
}

/** A shard's record with its memory ids as the REST API shows them. */
function externalRecord(shard: number, record: PortableRecord): PortableRecord {
  switch (record.type) {
    case 'memory':
      return { ...record, id: externalId(shard, record.id) }
    case 'history':
      return { ...record, id: record.id, memoryId: externalId(shard, record.memoryId) }
    case 'entity':
    case 'relation':
      return { ...record, memoryIds: record.memoryIds.map((id) => externalId(shard, id)) }
    default:
      return record
  }
}

export class DurableTenantMemories implements TenantMemories {
  private readonly namespace: DurableObjectNamespace<MemoryShard>
  private readonly shards: number
  private readonly features: ShardFeatures

  constructor(namespace: DurableObjectNamespace<MemoryShard>, shards: number, features: ShardFeatures) {
    this.namespace = namespace
    this.shards = shards
    this.features = features
  }

  forTenant(tenant: string): TenantMemory {
    return new DurableTenantMemory(this.namespace, tenant, this.shards, this.features)
  }
}
