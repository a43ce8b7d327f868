import { FormatError, ValidationError } from '../errors.ts'
import type { GraphScope } from '../interfaces/graph-store.ts'
import type { StoredRecord, VectorRecord } from '../interfaces/vector-store.ts'
import { embedTexts } from '../memory/embedding.ts'
import { writeLockKey } from '../memory/scope.ts'
import type { MemoryServices } from '../memory/services.ts'
import type { HistoryEntry } from '../types.ts'
import { canonicalJson } from '../util/canonical-json.ts'
import type { KeyedMutex } from '../util/mutex.ts'
import { historyEntryOf, memoryRecordOf, payloadOfRecord, relationRecordOf, scopeOfRecord } from './convert.ts'
import { normalizeEntityName } from '../util/graph-names.ts'
import { type EntityRecord, type ExportHeader, type HistoryRecord, type MemoryRecord, type RelationRecord, parseRecord } from './records.ts'

export interface ImportOptions {
  /**
   * 'auto' (default): use a record's vector when the export's embedder (provider, model, dimensions) is
   * this Memory's, else embed the text. 'always': embed every text. 'never': use the vectors as given
   * (each record must have one of this Memory's dimensions).
   */
  reembed?: 'auto' | 'always' | 'never'
  /**
   * A memory whose id is already stored with other content: 'skip' it (default), 'overwrite' it, or
   * fail with an 'error' (earlier batches stay imported). A memory stored with the same content is
   * always left alone, so importing a file twice changes nothing.
   */
  onConflict?: 'skip' | 'overwrite' | 'error'
  /** Memories written per batch (1-1000, default 100); each batch is all or nothing. */
  batchSize?: number
  /** Called after each committed batch. */
  onProgress?: (progress: ImportProgress) => void
}

export interface ImportResult {
  /** Memories written that were not stored before. */
  imported: number
  /** Memories left as stored: the same content, or a conflict with onConflict 'skip'. */
  skipped: number
  /** Memories stored with other content, replaced (onConflict 'overwrite'). */
  overwritten: number
  /** Of the memories written, those embedded here rather than taken from the export's vectors. */
  reembedded: number
  /** History entries written (entries already stored, by id, are not written again). */
  history: number
  /** Graph entities written (with a graph store; an entity stored with all its memories is not written again). */
  entities: number
  /** Graph relations written (with a graph store; relations already stored are not written again). */
  relations: number
}

export interface ImportProgress extends ImportResult {
  /** Records read and settled so far: a resumed import may start after this many. */
  records: number
}

const DEFAULT_BATCH = 100
const MAX_BATCH = 1000

interface Pending {
  memories: { record: MemoryRecord; line: number }[]
  ids: Set<string>
  history: { record: HistoryRecord; line: number }[]
}

function checkOptions(options: ImportOptions | undefined): Required<Omit<ImportOptions, 'onProgress'>> & Pick<ImportOptions, 'onProgress'> {
  const o = options ?? {}
  if (typeof o !== 'object' || o === null || Array.isArray(o)) throw new ValidationError('import: options must be an object')
  const reembed = o.reembed ?? 'auto'
  if (!['auto', 'always', 'never'].includes(reembed)) throw new ValidationError('import: reembed must be "auto", "always" or "never"')
  const onConflict = o.onConflict ?? 'skip'
  if (!['skip', 'overwrite', 'error'].includes(onConflict))
    throw new ValidationError('import: onConflict must be "skip", "overwrite" or "error"')
  const batchSize = o.batchSize ?? DEFAULT_BATCH
  if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > MAX_BATCH) {
    throw new ValidationError(`import: batchSize must be an integer from 1 to ${MAX_BATCH}`)
  }
  if (o.onProgress !== undefined && typeof o.onProgress !== 'function') throw new ValidationError('import: onProgress must be a function')
  return { reembed, onConflict, batchSize, onProgress: o.onProgress }
}

/** Runs `section` holding the write locks of every given scope key (taken in sorted order: no deadlock). */
function withLocks<T>(writes: KeyedMutex, keys: Set<string>, section: () => Promise<T>): Promise<T> {
  return [...keys].sort().reduceRight<() => Promise<T>>((inner, key) => () => writes.run(key, inner), section)()
}

/** The portable view of a memory without its vector: what "the same content" compares. */
function contentOf(record: StoredRecord): string {
  return canonicalJson(memoryRecordOf(record))
}

/** Validates the vector of a record given to a store under this Memory's embedder. */
function checkVector(vector: number[], dimensions: number | undefined, line: number): Float32Array {
  if (dimensions !== undefined && vector.length !== dimensions) {
    throw new FormatError(`vector has ${vector.length} dimensions but this Memory's embedder gives ${dimensions}`, {
      line,
      field: 'vector',
    })
  }
  let norm = 0
  for (const x of vector) norm += x * x
  if (norm === 0) throw new FormatError('vector is all zeros (it has no direction to compare)', { line, field: 'vector' })
  return Float32Array.from(vector)
}

/**
 * Imports portable records into the Memory (see ImportOptions): validated one by one (a FormatError
 * names the record's 1-based position, its line in a JSON Lines file), written in batches that each
 * land entirely or not at all.
 */
export async function importRecords(
  s: MemoryServices,
  writes: KeyedMutex,
  records: AsyncIterable<unknown> | Iterable<unknown>,
  options?: ImportOptions,
): Promise<ImportResult> {
  const { reembed, onConflict, batchSize, onProgress } = checkOptions(options)
  const result: ImportResult = { imported: 0, skipped: 0, overwritten: 0, reembedded: 0, history: 0, entities: 0, relations: 0 }
  let header: ExportHeader | undefined
  let line = 0
  let settled = 0
  let pending: Pending = { memories: [], ids: new Set(), history: [] }
  /** Graph records (entities, relations) waiting to be written, after the memories they name. */
  let relations: { record: EntityRecord | RelationRecord; line: number }[] = []

  const progress = (upTo: number) => {
    settled = upTo
    onProgress?.({ ...result, records: settled })
  }

  /** The export's vectors come from this Memory's model (their size, when unknown here, is checked by the store on write). */
  const sameModel = (): boolean => {
    const source = header?.embedder
    const dimensions = s.embedder.dimensions ?? s.store.dimensions
    return (
      !!source &&
      source.provider === s.embedderModel.provider &&
      source.model === s.embedderModel.model &&
      (dimensions === undefined || source.dimensions === dimensions)
    )
  }

  const flushMemories = async (upTo: number) => {
    const batch = pending
    pending = { memories: [], ids: new Set(), history: [] }
    if (batch.memories.length === 0 && batch.history.length === 0) return
    const keys = new Set(batch.memories.map(({ record }) => writeLockKey(scopeOfRecord(record))))
    await withLocks(writes, keys, async () => {
      const existing = await s.store.get(
        batch.memories.map(({ record }) => record.id),
        { includeVectors: true },
      )
      const upserts: VectorRecord[] = []
      const previous: StoredRecord[] = []
      const toEmbed: { index: number; text: string }[] = []
      /** Memories whose history is merged: those written or found unchanged; true when they were stored before. */
      const merge = new Map<string, boolean>()
      let imported = 0
      let skipped = 0
      let overwritten = 0
      const dimensions = s.embedder.dimensions ?? s.store.dimensions
      for (const [i, { record, line: at }] of batch.memories.entries()) {
        const payload = payloadOfRecord(record)
        const current = existing[i]
        if (current) {
          const same = contentOf(current) === contentOf({ id: record.id, payload })
          if (same) {
            skipped++
            merge.set(record.id, true)
            continue
          }
          if (onConflict === 'skip') {
            skipped++
            continue
          }
          if (onConflict === 'error') {
            throw new FormatError(`memory "${record.id}" is already stored with other content (onConflict: "error")`, { line: at })
          }
          previous.push(current)
          overwritten++
        } else imported++
        merge.set(record.id, current !== null && current !== undefined)
        const useVector = record.vector !== undefined && (reembed === 'never' || (reembed === 'auto' && sameModel()))
        if (reembed === 'never' && record.vector === undefined) {
          throw new FormatError('has no vector, and reembed is "never"', { line: at, field: 'vector' })
        }
        const vector = useVector ? checkVector(record.vector!, dimensions, at) : new Float32Array(0)
        if (!useVector) toEmbed.push({ index: upserts.length, text: record.memory })
        upserts.push({ id: record.id, vector, payload })
      }
      const vectors = await embedTexts(
        s.embedder,
        toEmbed.map((e) => e.text),
      )
      toEmbed.forEach((e, i) => {
        upserts[e.index]!.vector = vectors[i]!
      })

      const entries: HistoryEntry[] = []
      if (s.history && batch.history.length > 0) {
        const unknown = batch.history.filter(({ record }) => !batch.ids.has(record.memoryId))
        const found = new Set(
          (await s.store.get([...new Set(unknown.map(({ record }) => record.memoryId))])).flatMap((r) => (r ? [r.id] : [])),
        )
        for (const { record, line: at } of unknown) {
          if (!found.has(record.memoryId)) {
            throw new FormatError(`history of memory "${record.memoryId}", which is neither imported before it nor stored`, { line: at })
          }
          merge.set(record.memoryId, true)
        }
        // Every merged memory's stored history, not only of those stored now: history outlives a delete
        // (deleteAll keeps it), so a memory imported again after one already has its entries.
        const known = new Map<string, Set<string>>()
        for (const [id, entries] of await s.history.listMany([...merge.keys()])) known.set(id, new Set(entries.map((e) => e.id)))
        for (const { record } of batch.history) {
          if (!merge.has(record.memoryId) || known.get(record.memoryId)?.has(record.id)) continue
          entries.push(historyEntryOf(record))
        }
      }
      await s.commitImport(upserts, previous, entries)
      result.imported += imported
      result.skipped += skipped
      result.overwritten += overwritten
      result.reembedded += toEmbed.length
      result.history += entries.length
    })
    progress(upTo)
  }

  const flushRelations = async (upTo: number) => {
    const batch = relations
    relations = []
    if (batch.length === 0) return
    const graph = s.graph
    if (graph) {
      const byScope = new Map<string, { scope: GraphScope; records: (EntityRecord | RelationRecord)[] }>()
      for (const { record } of batch) {
        const scope = scopeOfRecord(record)
        const key = canonicalJson(scope)
        const group = byScope.get(key) ?? { scope, records: [] }
        group.records.push(record)
        byScope.set(key, group)
      }
      for (const [key, { scope, records: graphRecords }] of byScope) {
        // Entities: one mention per entity not already stored (same normalised name, all its memories).
        const entities = graphRecords.filter((r): r is EntityRecord => r.type === 'entity')
        if (entities.length > 0) {
          const known = new Map<string, Set<string>>()
          for (const e of await graph.store.listEntities({ scope })) {
            if (canonicalJson(e.scope) === key) known.set(normalizeEntityName(e.name), new Set(e.memoryIds))
          }
          const missing = entities.filter((e) => {
            const ids = known.get(normalizeEntityName(e.name))
            return !ids || e.memoryIds.some((id) => !ids.has(id))
          })
          if (missing.length > 0) {
            const vectors = await embedTexts(
              s.embedder,
              missing.map((e) => e.name),
            )
            const mentions = missing.map((e, i) => ({
              name: e.name,
              ...(e.entityType !== undefined ? { type: e.entityType } : {}),
              embedding: vectors[i]!,
              memoryIds: e.memoryIds,
            }))
            await graph.store.apply({ scope, entities: mentions, relations: [], invalidate: [] })
            result.entities += missing.length
          }
        }
        const group = graphRecords.filter((r): r is RelationRecord => r.type === 'relation')
        const identity = (r: RelationRecord) => canonicalJson([r.source, r.relationship, r.target, r.validFrom, r.invalidatedAt])
        const stored = new Set(
          (await graph.store.listRelations({ scope, includeInvalidated: true }))
            .filter((r) => canonicalJson(r.scope) === key)
            .map((r) => identity(relationRecordOf(r))),
        )
        for (const record of group) {
          if (stored.has(identity(record))) continue
          const fact = {
            source: record.source,
            relationship: record.relationship,
            target: record.target,
            memoryIds: record.memoryIds,
            validFrom: record.validFrom,
          }
          const written = await graph.store.apply({ scope, entities: [], relations: [fact], invalidate: [] })
          const added = written.added[0]
          if (added && record.invalidatedAt !== null) {
            await graph.store.apply({ scope, entities: [], relations: [], invalidate: [{ id: added.id, at: record.invalidatedAt }] })
          }
          stored.add(identity(record))
          result.relations++
        }
      }
    }
    progress(upTo)
  }

  for await (const raw of records) {
    line++
    const record = parseRecord(raw, line)
    if (line === 1) {
      if (record.type !== 'edgemem-export')
        throw new FormatError('the first record must be the header ({"type":"edgemem-export","version":1,...})', { line })
      header = record
      continue
    }
    switch (record.type) {
      case 'edgemem-export':
        throw new FormatError('a second header (only the first record is one)', { line })
      case 'memory':
        if (relations.length > 0) await flushRelations(line - 1)
        if (pending.memories.length >= batchSize || pending.ids.has(record.id)) await flushMemories(line - 1)
        pending.memories.push({ record, line })
        pending.ids.add(record.id)
        break
      case 'history':
        pending.history.push({ record, line })
        break
      case 'entity':
      case 'relation':
        if (pending.memories.length > 0 || pending.history.length > 0) await flushMemories(line - 1)
        relations.push({ record, line })
        if (relations.length >= batchSize) await flushRelations(line)
        break
    }
  }
  if (line === 0) throw new FormatError('the import is empty: it needs at least the header', { line: 1 })
  await flushMemories(line)
  await flushRelations(line)
  if (settled < line) progress(line)
  return result
}
