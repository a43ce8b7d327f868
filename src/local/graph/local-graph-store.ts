import { ValidationError } from '../../errors.ts'
import type {
  EntityQuery,
  GraphEntity,
  GraphListQuery,
  GraphRelation,
  GraphScope,
  GraphStore,
  GraphWrite,
  GraphWriteResult,
  NeighbourhoodQuery,
  ReachedRelation,
  ScoredEntity,
} from '../../interfaces/graph-store.ts'
import type { KeyValueStore } from '../../interfaces/key-value-store.ts'
import { base64ToBytes, bytesToBase64 } from '../../util/bytes.ts'
import { nameForMatching, normalizeEntityName, normalizeRelationship, wordsForMatching } from '../../util/graph-names.ts'
import {
  checkDate,
  checkMemoryIds,
  checkName,
  cleanScope,
  DEFAULT_RESOLVE_SIMILARITY,
  dot,
  inScope,
  sameScope,
  union,
} from '../../util/graph-input.ts'
import { uuidv4 } from '../../util/id.ts'
import { deletePrefix, storageCall } from '../../util/kv.ts'
import { KeyedMutex } from '../../util/mutex.ts'
import { exactPartition, partitionMayMatch, partitionOf } from '../partition-keys.ts'
import { toUnitVector } from '../vector-math.ts'
import { type GraphCodec, GraphLog, GraphWriteConflict, type LoadedLog } from './graph-log.ts'

export interface LocalGraphStoreOptions {
  storage: KeyValueStore
  /** Key prefix: everything is stored under `<collection>/graph/`. */
  collection: string
  /** Cosine similarity of name embeddings at or above which two names of a scope are one entity (default 0.92). */
  resolveSimilarity?: number
  /** Compact a partition's log into a snapshot after this many entries (default 128). */
  compactAfterEntries?: number
  /** Largest value written; defaults below the storage's own limit (at most 1 MiB). */
  chunkBytes?: number
}

const MAX_CONFLICT_RETRIES = 16

/** An entity as stored (embedding as base64 of its unit float32 vector). */
interface EntityRecord {
  id: string
  name: string
  norm: string
  type?: string
  scope: GraphScope
  memoryIds: string[]
  emb?: string
  createdAt: string
}

interface RelationRecord {
  id: string
  scope: GraphScope
  sourceId: string
  targetId: string
  relationship: string
  validFrom: string
  invalidatedAt: string | null
  memoryIds: string[]
}

type GraphOp = ['E', EntityRecord] | ['R', RelationRecord] | ['e', string] | ['r', string]

/** A partition in memory: records plus the indexes reads need (name → entities, entity → relations). */
interface GraphState {
  entities: Map<string, EntityRecord>
  relations: Map<string, RelationRecord>
  vectors: Map<string, Float32Array>
  byName: Map<string, Set<string>>
  edges: Map<string, Set<string>>
}

/**
 * Index updates. A draft shares its base's sets until it changes one (`owned` holds the sets it copied),
 * so a write costs what it touches, not the size of the partition; without `owned` sets change in place.
 */
function writable(index: Map<string, Set<string>>, key: string, owned: WeakSet<Set<string>> | undefined): Set<string> | undefined {
  const set = index.get(key)
  if (!set || !owned || owned.has(set)) return set
  const copy = new Set(set)
  owned.add(copy)
  index.set(key, copy)
  return copy
}
function addTo(index: Map<string, Set<string>>, key: string, id: string, owned?: WeakSet<Set<string>>): void {
  const set = writable(index, key, owned)
  if (set) set.add(id)
  else {
    const created = new Set([id])
    owned?.add(created)
    index.set(key, created)
  }
}
function removeFrom(index: Map<string, Set<string>>, key: string, id: string, owned?: WeakSet<Set<string>>): void {
  const set = writable(index, key, owned)
  if (!set) return
  set.delete(id)
  if (set.size === 0) index.delete(key)
}

function emptyState(): GraphState {
  return { entities: new Map(), relations: new Map(), vectors: new Map(), byName: new Map(), edges: new Map() }
}

function putEntity(state: GraphState, record: EntityRecord, owned?: WeakSet<Set<string>>): void {
  const old = state.entities.get(record.id)
  if (old) removeFrom(state.byName, old.norm, old.id, owned)
  state.entities.set(record.id, record)
  addTo(state.byName, record.norm, record.id, owned)
  if (record.emb) state.vectors.set(record.id, new Float32Array(base64ToBytes(record.emb).buffer))
  else state.vectors.delete(record.id)
}
function dropEntity(state: GraphState, id: string, owned?: WeakSet<Set<string>>): void {
  const old = state.entities.get(id)
  if (!old) return
  removeFrom(state.byName, old.norm, id, owned)
  state.entities.delete(id)
  state.vectors.delete(id)
}
function putRelation(state: GraphState, record: RelationRecord, owned?: WeakSet<Set<string>>): void {
  dropRelation(state, record.id, owned)
  state.relations.set(record.id, record)
  addTo(state.edges, record.sourceId, record.id, owned)
  addTo(state.edges, record.targetId, record.id, owned)
}
function dropRelation(state: GraphState, id: string, owned?: WeakSet<Set<string>>): void {
  const old = state.relations.get(id)
  if (!old) return
  removeFrom(state.edges, old.sourceId, id, owned)
  removeFrom(state.edges, old.targetId, id, owned)
  state.relations.delete(id)
}

const codec: GraphCodec<GraphState, GraphOp> = {
  empty: emptyState,
  fromSnapshot(json) {
    const snapshot = json as { entities: EntityRecord[]; relations: RelationRecord[] }
    const state = emptyState()
    for (const e of snapshot.entities) putEntity(state, e)
    for (const r of snapshot.relations) putRelation(state, r)
    return state
  },
  toSnapshot: (state) => ({ entities: [...state.entities.values()], relations: [...state.relations.values()] }),
  apply(state, ops) {
    for (const op of ops) {
      if (op[0] === 'E') putEntity(state, op[1])
      else if (op[0] === 'R') putRelation(state, op[1])
      else if (op[0] === 'e') dropEntity(state, op[1])
      else dropRelation(state, op[1])
    }
  },
}

/**
 * Draft of one write on a copy of the partition's maps: reads see the write's own changes; `ops` is
 * what the log entry will hold and `before` what undo restores (the first state of each touched record).
 */
class Draft {
  readonly state: GraphState
  readonly ops: GraphOp[] = []
  readonly beforeEntities = new Map<string, EntityRecord | null>()
  readonly beforeRelations = new Map<string, RelationRecord | null>()

  constructor(base: GraphState) {
    this.state = {
      entities: new Map(base.entities),
      relations: new Map(base.relations),
      vectors: new Map(base.vectors),
      byName: new Map(base.byName),
      edges: new Map(base.edges),
    }
  }
  /** Index sets this draft copied (the others are still the base's). */
  private readonly owned = new WeakSet<Set<string>>()
  putEntity(record: EntityRecord): void {
    if (!this.beforeEntities.has(record.id)) this.beforeEntities.set(record.id, this.state.entities.get(record.id) ?? null)
    putEntity(this.state, record, this.owned)
    this.ops.push(['E', record])
  }
  dropEntity(id: string): void {
    if (!this.beforeEntities.has(id)) this.beforeEntities.set(id, this.state.entities.get(id) ?? null)
    dropEntity(this.state, id, this.owned)
    this.ops.push(['e', id])
  }
  putRelation(record: RelationRecord): void {
    if (!this.beforeRelations.has(record.id)) this.beforeRelations.set(record.id, this.state.relations.get(record.id) ?? null)
    putRelation(this.state, record, this.owned)
    this.ops.push(['R', record])
  }
  dropRelation(id: string): void {
    if (!this.beforeRelations.has(id)) this.beforeRelations.set(id, this.state.relations.get(id) ?? null)
    dropRelation(this.state, id, this.owned)
    this.ops.push(['r', id])
  }
  /** The operations that put every touched record back as it was. */
  inverse(): GraphOp[] {
    const ops: GraphOp[] = []
    for (const [id, before] of this.beforeRelations) ops.push(before ? ['R', before] : ['r', id])
    for (const [id, before] of this.beforeEntities) ops.push(before ? ['E', before] : ['e', id])
    return ops
  }
}

/**
 * The `local` graph store: the graph in process memory, persisted through any KeyValueStore (IndexedDB,
 * Durable Object storage, Workers KV, memory, files) with the crash-safe log + snapshot scheme of
 * graph-log.ts, partitioned by outermost scope id like the local vector store (a user's graph is one
 * partition). Entities resolve by normalised name, then by name-embedding similarity, within their
 * exact scope.
 */
export class LocalGraphStore implements GraphStore {
  readonly name = 'local'
  private readonly storage: KeyValueStore
  private readonly base: string
  private readonly log: GraphLog<GraphState, GraphOp>
  private readonly resolveSimilarity: number
  private readonly compactAfterEntries: number
  private readonly loaded = new Map<string, LoadedLog<GraphState>>()
  private readonly locks = new KeyedMutex()

  constructor(options: LocalGraphStoreOptions) {
    this.storage = options.storage
    this.base = `${options.collection}/graph`
    this.log = new GraphLog(options.storage, this.base, codec, options.chunkBytes)
    this.resolveSimilarity = options.resolveSimilarity ?? DEFAULT_RESOLVE_SIMILARITY
    this.compactAfterEntries = options.compactAfterEntries ?? 128
  }

  /** The partition, loaded or brought up to date with what other writers committed. */
  private async partition(part: string): Promise<LoadedLog<GraphState>> {
    const cached = this.loaded.get(part)
    if (cached && (await this.log.catchUp(part, cached))) return cached
    const fresh = await this.log.load(part)
    this.loaded.set(part, fresh)
    return fresh
  }

  private async partitionsFor(scope: GraphScope): Promise<string[]> {
    const exact = exactPartition(scope)
    if (exact !== undefined) return [exact]
    return (await this.log.partitions()).filter((p) => partitionMayMatch(p, scope))
  }

  /** Runs a change of one partition: draft on current state, append, apply; retried on a conflict. */
  private mutate<T>(part: string, change: (draft: Draft, now: GraphState) => T): Promise<{ result: T; draft: Draft }> {
    return this.locks.run(part, async () => {
      for (let attempt = 1; ; attempt++) {
        const loaded = await this.partition(part)
        const draft = new Draft(loaded.state)
        const result = change(draft, loaded.state)
        if (draft.ops.length === 0) return { result, draft }
        try {
          await this.log.append(part, loaded, draft.ops)
        } catch (err) {
          this.loaded.delete(part)
          if (err instanceof GraphWriteConflict && attempt < MAX_CONFLICT_RETRIES) continue
          throw err
        }
        loaded.state = draft.state
        if (loaded.logEntries >= this.compactAfterEntries) {
          if (!(await this.log.compact(part, loaded))) this.loaded.delete(part)
        }
        return { result, draft }
      }
    })
  }

  async apply(write: GraphWrite): Promise<GraphWriteResult> {
    const scope = cleanScope(write.scope)
    if (Object.keys(scope).length === 0) throw new ValidationError('graph: a write needs a scope (user_id, agent_id or run_id)')
    const mentions = write.entities.map((m, i) => ({
      name: checkName(m.name, `entities[${i}].name`),
      type: m.type === undefined ? undefined : checkName(m.type, `entities[${i}].type`),
      embedding: m.embedding,
      memoryIds: checkMemoryIds(m.memoryIds, `entities[${i}]`),
    }))
    const facts = write.relations.map((r, i) => ({
      source: checkName(r.source, `relations[${i}].source`),
      relationship: checkName(r.relationship, `relations[${i}].relationship`),
      target: checkName(r.target, `relations[${i}].target`),
      memoryIds: checkMemoryIds(r.memoryIds, `relations[${i}]`),
      validFrom: checkDate(r.validFrom, `relations[${i}].validFrom`),
    }))
    const invalidations = write.invalidate.map((x, i) => ({
      id: checkName(x.id, `invalidate[${i}].id`),
      at: checkDate(x.at, `invalidate[${i}].at`),
    }))
    const part = partitionOf({ ...scope })
    const now = new Date().toISOString()
    const forget = new Set(checkMemoryIds(write.forget ?? [], 'forget'))
    const { result, draft } = await this.mutate(part, (draft, base) => {
      forgetIn(draft, base, scope, forget)
      const resolve = (m: { name: string; type?: string; embedding?: Float32Array; memoryIds: string[] }): EntityRecord => {
        const norm = normalizeEntityName(m.name)
        const unit = m.embedding ? toUnitVector(m.embedding) : undefined
        let found: EntityRecord | undefined
        for (const id of draft.state.byName.get(norm) ?? []) {
          const e = draft.state.entities.get(id)!
          if (sameScope(e.scope, scope)) found = e
        }
        if (!found && unit) {
          let best = this.resolveSimilarity
          for (const [id, vector] of draft.state.vectors) {
            const e = draft.state.entities.get(id)!
            if (!sameScope(e.scope, scope)) continue
            const s = dot(unit, vector)
            if (s >= best) {
              best = s
              found = e
            }
          }
        }
        if (found) {
          const memoryIds = union(found.memoryIds, m.memoryIds)
          const type = found.type ?? m.type
          const emb = found.emb ?? (unit ? bytesToBase64(new Uint8Array(unit.buffer, unit.byteOffset, unit.byteLength)) : undefined)
          if (memoryIds.length === found.memoryIds.length && type === found.type && emb === found.emb) return found
          const next: EntityRecord = { ...found, memoryIds }
          if (type !== undefined) next.type = type
          if (emb !== undefined) next.emb = emb
          draft.putEntity(next)
          return next
        }
        const record: EntityRecord = { id: uuidv4(), name: m.name, norm, scope, memoryIds: [...new Set(m.memoryIds)], createdAt: now }
        if (m.type !== undefined) record.type = m.type
        if (unit) record.emb = bytesToBase64(new Uint8Array(unit.buffer, unit.byteOffset, unit.byteLength))
        draft.putEntity(record)
        return record
      }
      const entities = mentions.map(resolve)
      const invalidated: RelationRecord[] = []
      for (const { id, at } of invalidations) {
        const r = draft.state.relations.get(id)
        if (!r || !inScope(scope, r.scope)) {
          throw new ValidationError(`graph: no relation with id "${id}" in this scope to invalidate`)
        }
        if (r.invalidatedAt !== null) continue
        const next = { ...r, invalidatedAt: at }
        draft.putRelation(next)
        invalidated.push(next)
      }
      const added: RelationRecord[] = []
      for (const fact of facts) {
        const source = resolve({ name: fact.source, memoryIds: fact.memoryIds })
        const target = resolve({ name: fact.target, memoryIds: fact.memoryIds })
        const relationship = normalizeRelationship(fact.relationship)
        if (relationship.length === 0) throw new ValidationError(`graph: relationship "${fact.relationship}" has no letters or digits`)
        let existing: RelationRecord | undefined
        for (const id of draft.state.edges.get(source.id) ?? []) {
          const r = draft.state.relations.get(id)!
          if (r.sourceId === source.id && r.targetId === target.id && r.relationship === relationship && r.invalidatedAt === null)
            existing = r
        }
        if (existing) {
          const memoryIds = union(existing.memoryIds, fact.memoryIds)
          if (memoryIds.length !== existing.memoryIds.length) draft.putRelation({ ...existing, memoryIds })
          continue
        }
        const record: RelationRecord = {
          id: uuidv4(),
          scope,
          sourceId: source.id,
          targetId: target.id,
          relationship,
          validFrom: fact.validFrom,
          invalidatedAt: null,
          memoryIds: [...new Set(fact.memoryIds)],
        }
        draft.putRelation(record)
        added.push(record)
      }
      return { entities, added, invalidated }
    })
    const view = (r: RelationRecord): GraphRelation => this.relationView(draft.state, r)
    return {
      entities: result.entities.map((e) => entityView(draft.state.entities.get(e.id) ?? e, draft.state)),
      added: result.added.map((r) => view(draft.state.relations.get(r.id) ?? r)),
      invalidated: result.invalidated.map(view),
      undo: async () => {
        const inverse = draft.inverse()
        await this.mutate(part, (undo) => {
          for (const op of inverse) {
            if (op[0] === 'E') undo.putEntity(op[1])
            else if (op[0] === 'R') undo.putRelation(op[1])
            else if (op[0] === 'e') undo.dropEntity(op[1])
            else undo.dropRelation(op[1])
          }
        })
      },
    }
  }

  private relationView(state: GraphState, r: RelationRecord): GraphRelation {
    return {
      id: r.id,
      scope: { ...r.scope },
      sourceId: r.sourceId,
      source: state.entities.get(r.sourceId)?.name ?? '',
      relationship: r.relationship,
      targetId: r.targetId,
      target: state.entities.get(r.targetId)?.name ?? '',
      validFrom: r.validFrom,
      invalidatedAt: r.invalidatedAt,
      memoryIds: [...r.memoryIds],
    }
  }

  async findEntities(query: EntityQuery): Promise<ScoredEntity[]> {
    const scope = cleanScope(query.scope)
    const words = query.text === undefined ? undefined : wordsForMatching(query.text)
    const unit = query.vector ? toUnitVector(query.vector) : undefined
    const minSimilarity = query.minSimilarity ?? this.resolveSimilarity
    const out: ScoredEntity[] = []
    for (const part of await this.partitionsFor(scope)) {
      const { state } = await this.partition(part)
      for (const e of state.entities.values()) {
        if (!inScope(scope, e.scope)) continue
        let score = -Infinity
        if (words?.includes(nameForMatching(e.norm))) score = 1
        const vector = unit ? state.vectors.get(e.id) : undefined
        if (vector) {
          const s = dot(unit!, vector)
          if (s >= minSimilarity && s > score) score = s
        }
        if (score > -Infinity) out.push({ ...entityView(e, state), score })
      }
    }
    out.sort((a, b) => b.score - a.score || (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : 0))
    return out.slice(0, query.limit)
  }

  async neighbourhood(query: NeighbourhoodQuery): Promise<ReachedRelation[]> {
    const scope = cleanScope(query.scope)
    if (!Number.isInteger(query.hops) || query.hops < 1 || query.hops > 2) throw new ValidationError('graph: hops must be 1 or 2')
    const out: ReachedRelation[] = []
    for (const part of await this.partitionsFor(scope)) {
      const { state } = await this.partition(part)
      const seen = new Set<string>()
      let frontier = new Map<string, string>() // entity id -> start entity id
      for (const id of query.entityIds) if (state.entities.has(id) && inScope(scope, state.entities.get(id)!.scope)) frontier.set(id, id)
      const visited = new Set(frontier.keys())
      for (let hop = 1; hop <= query.hops && frontier.size > 0; hop++) {
        const next = new Map<string, string>()
        for (const [entityId, from] of frontier) {
          for (const rid of state.edges.get(entityId) ?? []) {
            if (seen.has(rid)) continue
            const r = state.relations.get(rid)!
            if (!inScope(scope, r.scope) || (!query.includeInvalidated && r.invalidatedAt !== null)) continue
            seen.add(rid)
            out.push({ ...this.relationView(state, r), hops: hop, fromEntityId: from })
            const other = r.sourceId === entityId ? r.targetId : r.sourceId
            if (!visited.has(other)) {
              visited.add(other)
              next.set(other, from)
            }
          }
        }
        frontier = next
      }
    }
    out.sort((a, b) => a.hops - b.hops)
    return out.slice(0, query.limit)
  }

  async listEntities(query: GraphListQuery): Promise<GraphEntity[]> {
    const scope = cleanScope(query.scope)
    const out: GraphEntity[] = []
    for (const part of await this.partitionsFor(scope)) {
      const { state } = await this.partition(part)
      for (const e of state.entities.values()) if (inScope(scope, e.scope)) out.push(entityView(e, state))
    }
    return out
  }

  async listRelations(query: GraphListQuery): Promise<GraphRelation[]> {
    const scope = cleanScope(query.scope)
    const out: GraphRelation[] = []
    for (const part of await this.partitionsFor(scope)) {
      const { state } = await this.partition(part)
      for (const r of state.relations.values()) {
        if (inScope(scope, r.scope) && (query.includeInvalidated || r.invalidatedAt === null)) out.push(this.relationView(state, r))
      }
    }
    return out
  }

  async forgetMemories(scope: GraphScope, memoryIds: string[]): Promise<void> {
    const clean = cleanScope(scope)
    if (memoryIds.length === 0) return
    for (const part of await this.partitionsFor(clean)) {
      await this.mutate(part, (draft, state) => forgetIn(draft, state, clean, new Set(memoryIds)))
    }
  }

  async deleteScope(scope: GraphScope): Promise<number> {
    const clean = cleanScope(scope)
    if (Object.keys(clean).length === 0) throw new ValidationError('graph: deleteScope needs a scope; use reset() to delete everything')
    let removed = 0
    for (const part of await this.partitionsFor(clean)) {
      const { result } = await this.mutate(part, (draft, state) => {
        let n = 0
        for (const r of state.relations.values()) {
          if (!inScope(clean, r.scope)) continue
          draft.dropRelation(r.id)
          n++
        }
        for (const e of state.entities.values()) {
          if (!inScope(clean, e.scope)) continue
          draft.dropEntity(e.id)
          n++
        }
        return n
      })
      removed += result
    }
    return removed
  }

  async reset(): Promise<void> {
    await this.locks.runAll(async () => {
      this.loaded.clear()
      await storageCall('resetting the graph', () => deletePrefix(this.storage, `${this.base}/`))
    })
  }

  async close(): Promise<void> {
    this.loaded.clear()
  }
}

/** Drops the memories from the scope's records: relations and unused entities left with none are deleted. */
function forgetIn(draft: Draft, state: GraphState, scope: GraphScope, gone: ReadonlySet<string>): void {
  if (gone.size === 0) return
  for (const r of state.relations.values()) {
    if (!inScope(scope, r.scope) || !r.memoryIds.some((id) => gone.has(id))) continue
    const left = r.memoryIds.filter((id) => !gone.has(id))
    if (left.length === 0) draft.dropRelation(r.id)
    else draft.putRelation({ ...r, memoryIds: left })
  }
  for (const e of state.entities.values()) {
    if (!inScope(scope, e.scope)) continue
    const left = e.memoryIds.filter((id) => !gone.has(id))
    const used = (draft.state.edges.get(e.id)?.size ?? 0) > 0
    if (left.length === 0 && !used) draft.dropEntity(e.id)
    else if (left.length !== e.memoryIds.length) draft.putEntity({ ...e, memoryIds: left })
  }
}

function entityView(e: EntityRecord, state: GraphState): GraphEntity {
  const view: GraphEntity = { id: e.id, name: e.name, scope: { ...e.scope }, memoryIds: [...e.memoryIds], createdAt: e.createdAt }
  if (e.type !== undefined) view.type = e.type
  const vector = state.vectors.get(e.id)
  if (vector) view.embedding = vector
  return view
}
