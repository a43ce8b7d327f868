import type { Payload, StoredRecord, VectorRecord } from '../interfaces/vector-store.ts'
import type { HistoryEntry, JsonObject, MemoryEvent, MemoryEventType, Message } from '../types.ts'
import { sha256Hex } from '../util/hash.ts'
import { newHistoryEntry } from './history.ts'
import type { Operation } from './infer/parse.ts'
import { buildPayload, metadataOf, type Scope, scopeOf, threadOf } from './payload.ts'

/**
 * Planning the writes of an add, as pure functions of their inputs (no store, no embedder, no clock,
 * ids from `newId`), so every decision is tested on its own (test/unit/memory/plan.test.ts). The Memory
 * does the I/O around them: it finds what is stored, embeds, and commits the Changes.
 */

/** A batch of writes applied together; on failure the earlier ones are undone (MemoryServices.commit). */
export interface Changes {
  upserts: VectorRecord[]
  deletes: string[]
  history: HistoryEntry[]
  /** State before the change of every record updated or deleted (with vectors), for rollback. */
  previous: StoredRecord[]
}

/** What the writes of one add call share. */
export interface WriteContext {
  scope: Scope
  metadata: JsonObject
  expirationDate: string | undefined
  now: number
  /** Ids of new memories, of the add call's thread and of history entries (uuidv4 in the Memory). */
  newId: () => string
  /** Whether history entries are written. */
  history: boolean
}

/** A memory to create: its text, content hash, metadata and position in the add call (its turn). */
export interface NewMemory {
  text: string
  hash: string
  metadata: JsonObject
  turn: number
}

export interface PlannedWrites {
  changes: Changes
  results: MemoryEvent[]
}

function historyOf(
  ctx: WriteContext,
  memoryId: string,
  event: MemoryEventType,
  before: string | null,
  after: string | null,
): HistoryEntry[] {
  return ctx.history ? [newHistoryEntry(memoryId, event, before, after, ctx.now, ctx.newId())] : []
}

/** A new payload for an existing record: same scope, creation time, expiry and thread; new text and metadata. */
export function revisePayload(payload: Payload, change: { text: string; hash: string; metadata: JsonObject; now: number }): Payload {
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

/** The writes creating `memories` (vectors in the same order), all in one new thread: the add call. */
export function planAdditions(memories: readonly NewMemory[], vectors: readonly Float32Array[], ctx: WriteContext): PlannedWrites {
  const changes: Changes = { upserts: [], deletes: [], history: [], previous: [] }
  const results: MemoryEvent[] = []
  const thread = ctx.newId()
  memories.forEach(({ text, hash, metadata, turn }, i) => {
    const id = ctx.newId()
    const payload = buildPayload({
      text,
      hash,
      scope: ctx.scope,
      metadata,
      createdAt: ctx.now,
      updatedAt: ctx.now,
      expirationDate: ctx.expirationDate,
      thread: { id: thread, turn },
    })
    changes.upserts.push({ id, vector: vectors[i]!, payload })
    changes.history.push(...historyOf(ctx, id, 'ADD', null, text))
    results.push({ id, memory: text, event: 'ADD' })
  })
  return { changes, results }
}

/**
 * infer: false — each content message becomes one memory with its text as given; a text repeated in the
 * call is kept once (its first turn). The message's role (and name) go into metadata unless set there.
 */
export function memoriesFromMessages(messages: readonly Message[], metadata: JsonObject): NewMemory[] {
  const byHash = new Map<string, NewMemory>()
  messages.forEach((message, turn) => {
    const hash = sha256Hex(message.content)
    if (byHash.has(hash)) return
    const meta: JsonObject = { ...metadata }
    if (meta.role === undefined) meta.role = message.role
    if (message.name !== undefined && meta.name === undefined) meta.name = message.name
    byHash.set(hash, { text: message.content, hash, metadata: meta, turn })
  })
  return [...byHash.values()]
}

/** What the model's operations ask for, resolved against the stored memories it was shown. */
export interface InferredPlan {
  /** New memories by content hash (the first text of a hash wins). */
  adds: Map<string, string>
  updates: { record: StoredRecord; text: string; hash: string }[]
  deletes: StoredRecord[]
}

/**
 * Resolves the operations (already checked against the refs by parseOperations) into a plan: an update
 * that keeps the text is dropped, repeated adds become one, an add equal to an update's new text is
 * dropped (the update already says it), NONE does nothing.
 */
export function resolveOperations(operations: readonly Operation[], candidates: ReadonlyMap<string, StoredRecord>): InferredPlan {
  const plan: InferredPlan = { adds: new Map(), updates: [], deletes: [] }
  for (const op of operations) {
    if (op.event === 'ADD') {
      const hash = sha256Hex(op.text)
      if (!plan.adds.has(hash)) plan.adds.set(hash, op.text)
    } else if (op.event === 'UPDATE') {
      const record = candidates.get(op.ref)!
      const hash = sha256Hex(op.text)
      if (hash !== record.payload.hash) plan.updates.push({ record, text: op.text, hash })
    } else if (op.event === 'DELETE') {
      plan.deletes.push(candidates.get(op.ref)!)
    }
  }
  for (const update of plan.updates) plan.adds.delete(update.hash)
  return plan
}

/** The texts to embed for a plan, in the order planInferredWrites expects their vectors. */
export function textsToEmbed(plan: InferredPlan): string[] {
  return [...plan.adds.values(), ...plan.updates.map((u) => u.text)]
}

/**
 * The writes of an inferred add: the new memories (with the call's metadata), then the updates (the
 * call's metadata merged over the stored one), then the deletes. `vectors` follow textsToEmbed;
 * `previous` is the stored state of every record updated or deleted, for rollback.
 */
export function planInferredWrites(
  plan: InferredPlan,
  vectors: readonly Float32Array[],
  previous: StoredRecord[],
  ctx: WriteContext,
): PlannedWrites {
  const additions = [...plan.adds.entries()].map(([hash, text], turn) => ({ text, hash, metadata: ctx.metadata, turn }))
  const { changes, results } = planAdditions(additions, vectors, ctx)
  changes.previous = previous
  plan.updates.forEach(({ record, text, hash }, i) => {
    const old = String(record.payload.memory)
    const metadata = { ...metadataOf(record.payload), ...ctx.metadata }
    const payload = revisePayload(record.payload, { text, hash, metadata, now: ctx.now })
    changes.upserts.push({ id: record.id, vector: vectors[additions.length + i]!, payload })
    changes.history.push(...historyOf(ctx, record.id, 'UPDATE', old, text))
    results.push({ id: record.id, memory: text, event: 'UPDATE', previousMemory: old })
  })
  for (const record of plan.deletes) {
    const old = String(record.payload.memory)
    changes.deletes.push(record.id)
    changes.history.push(...historyOf(ctx, record.id, 'DELETE', old, null))
    results.push({ id: record.id, memory: old, event: 'DELETE' })
  }
  return { changes, results }
}
