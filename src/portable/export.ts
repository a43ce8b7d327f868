import { and, MATCH_ALL } from '../filters/ast.ts'
import type { GraphScope } from '../interfaces/graph-store.ts'
import type { Scope } from '../memory/payload.ts'
import { scopeFilter } from '../memory/scope.ts'
import type { MemoryServices } from '../memory/services.ts'
import { outermostScope } from '../util/outermost-scope.ts'
import { entityRecordOf, historyRecordOf, memoryRecordOf, relationRecordOf } from './convert.ts'
import { FORMAT_VERSION, HEADER_TYPE, type EmbedderIdentity, type ExportHeader, type PortableRecord } from './records.ts'

/** What `Memory.export` exports: one scope (every memory carrying the given ids) or, without ids, everything. */
export interface ExportOptions {
  userId?: string
  agentId?: string
  runId?: string
  /** Include each memory's stored vector (with the embedder's identity in the header). Default false. */
  vectors?: boolean
}

/** Memories read per page: the export holds one page (and its history) at a time. */
const EXPORT_PAGE = 1000

/** The embedder's identity, when its model is known (custom embedders: give the instance a `model` property). */
export function embedderIdentity(s: MemoryServices): EmbedderIdentity | undefined {
  const { provider, model } = s.embedderModel
  const dimensions = s.embedder.dimensions ?? s.store.dimensions
  return model === undefined || dimensions === undefined ? undefined : { provider, model, dimensions }
}

export function exportHeader(s: MemoryServices, now: number): ExportHeader {
  const embedder = embedderIdentity(s)
  return { type: HEADER_TYPE, version: FORMAT_VERSION, createdAt: new Date(now).toISOString(), ...(embedder ? { embedder } : {}) }
}

/**
 * The records of an export, streamed: the header, then each memory followed by its history (oldest
 * first), page by page in the store's list order, then graph relations (valid and invalidated) per
 * scope. Expired memories are included: an export is a backup.
 */
export async function* exportRecords(s: MemoryServices, scope: Scope | undefined, vectors: boolean): AsyncGenerator<PortableRecord> {
  yield exportHeader(s, Date.now())
  const filter = scope ? and(scopeFilter(scope)) : MATCH_ALL
  /** Outermost scopes seen (for relations when exporting everything). */
  const scopes = new Map<string, GraphScope>()
  for await (const page of s.pages(filter, scope ?? {}, EXPORT_PAGE)) {
    const withVectors = vectors
      ? await s.store.get(
          page.map((r) => r.id),
          { includeVectors: true },
        )
      : []
    const history = s.history ? await s.history.listMany(page.map((r) => r.id)) : undefined
    for (const [i, record] of page.entries()) {
      const vector = withVectors[i]?.vector
      yield memoryRecordOf(record, vectors ? vector : undefined)
      for (const entry of history?.get(record.id) ?? []) yield historyRecordOf(entry)
      if (!scope && s.graph) {
        const outer = outermostScope(record.payload)
        if (outer)
          scopes.set(`${outer.kind}:${outer.id}`, {
            [outer.kind === 'u' ? 'user_id' : outer.kind === 'a' ? 'agent_id' : 'run_id']: outer.id,
          })
      }
    }
  }
  if (!s.graph) return
  const graph = s.graph.store
  // Entities first: an importer resolves the relations' names to them.
  if (scope) {
    for (const entity of await graph.listEntities({ scope: { ...scope } })) yield entityRecordOf(entity)
    for (const relation of await graph.listRelations({ scope: { ...scope }, includeInvalidated: true })) {
      yield relationRecordOf(relation)
    }
    return
  }
  // Each listed under its outermost scope only, so one with a user and an agent is exported once.
  const inScope = (key: string, itemScope: GraphScope) => {
    const outer = outermostScope(itemScope)
    return outer !== undefined && `${outer.kind}:${outer.id}` === key
  }
  for (const [key, graphScope] of scopes) {
    for (const entity of await graph.listEntities({ scope: graphScope })) if (inScope(key, entity.scope)) yield entityRecordOf(entity)
    for (const relation of await graph.listRelations({ scope: graphScope, includeInvalidated: true })) {
      if (inScope(key, relation.scope)) yield relationRecordOf(relation)
    }
  }
}
