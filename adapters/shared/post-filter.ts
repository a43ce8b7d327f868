import {
  compileFilter,
  decodeListCursor,
  encodeListCursor,
  type PayloadPredicate,
  type ScoredRecord,
  type StoredRecord,
  type VectorListPage,
  type VectorListQuery,
  type VectorSearchQuery,
} from '../../src/internal.ts'
import { localScore, type Metric } from './metric.ts'
import type { CompiledFilter } from './nnf.ts'

/**
 * The one shape of every adapter's search and list: the query's filter compiled to the service's
 * native filter, which may match a superset of the reference semantics (never a subset); a native
 * filter that can match nothing answers without a request; every record the service returns is
 * re-checked locally with the reference evaluator.
 */

/** The native filter to send (undefined: none), or null when nothing can match. */
function nativeFilter<N>(compiled: CompiledFilter<N>): { native: N | undefined } | null {
  if (compiled.native.kind === 'false') return null
  return { native: compiled.native.kind === 'expr' ? compiled.native.expr : undefined }
}

/**
 * Search: the service is asked for more candidates until topK matches are found, the service runs out
 * of candidates, or its topK cap is hit. In that last case the exact answer is computed by scanning
 * every candidate (`scan`), so a result is never silently incomplete or wrong.
 */
export interface PostFilteredSearch<N> {
  query: Pick<VectorSearchQuery, 'topK' | 'filter'>
  /** The store's compilation of `query.filter`; `exact` asks for topK first instead of over-fetching. */
  compiled: CompiledFilter<N>
  /** The service's largest topK. */
  maxTopK: number
  /**
   * Best-first results of the service's query for `k` candidates under the native filter. A service that
   * drops candidates after choosing them (a graph filtering the k nearest) also reports how many it chose.
   */
  ask: (k: number, native: N | undefined) => Promise<ScoredRecord[] | { records: ScoredRecord[]; candidates: number }>
  /** Every record the native filter matches, with vectors, scored locally. */
  scan: (native: N | undefined) => AsyncIterable<ScoredRecord>
}

export async function searchWithPostFilter<N>(options: PostFilteredSearch<N>): Promise<ScoredRecord[]> {
  const { maxTopK } = options
  const { topK } = options.query
  const filter = nativeFilter(options.compiled)
  if (topK <= 0 || !filter) return []
  const predicate = compileFilter(options.query.filter)
  let k = Math.min(maxTopK, options.compiled.exact ? topK : Math.max(topK * 4, topK + 16))
  for (;;) {
    const answer = await options.ask(k, filter.native)
    const results = Array.isArray(answer) ? answer : answer.records
    const matched = results.filter((r) => predicate(r.payload))
    if (matched.length >= topK) return matched.slice(0, topK)
    if ((Array.isArray(answer) ? answer.length : answer.candidates) < k) return matched
    if (k >= maxTopK) return exactTopK(options.scan(filter.native), topK, predicate)
    k = Math.min(maxTopK, k * 4)
  }
}

async function exactTopK(candidates: AsyncIterable<ScoredRecord>, topK: number, predicate: PayloadPredicate): Promise<ScoredRecord[]> {
  const best: ScoredRecord[] = []
  for await (const record of candidates) {
    if (!predicate(record.payload)) continue
    if (best.length === topK && record.score <= best[best.length - 1]!.score) continue
    let i = best.length
    while (i > 0 && best[i - 1]!.score < record.score) i--
    best.splice(i, 0, record)
    if (best.length > topK) best.pop()
  }
  return best
}

/**
 * One page of the service's own listing: records in a stable order and the service's cursor for the
 * next page (absent at the end).
 */
export interface ServicePage {
  records: StoredRecord[]
  next?: string
}

/**
 * Every record of the service's listing (pages fetched with vectors), scored locally against `vector`:
 * the `scan` of an over-fetch search.
 */
export async function* scoreEveryPage(
  fetchPage: (serviceCursor: string | undefined) => Promise<ServicePage>,
  vector: Float32Array,
  metric: Metric,
): AsyncIterable<ScoredRecord> {
  let cursor: string | undefined
  do {
    const page = await fetchPage(cursor)
    for (const record of page.records)
      if (record.vector) yield { id: record.id, payload: record.payload, score: localScore(metric, vector, record.vector) }
    cursor = page.next
  } while (cursor !== undefined)
}

type ListCursor = {
  /** The service cursor of the page to (re)read; null for the first page. */
  c: string | null
  /** Records of that page already consumed. */
  s: number
}

const isListCursor = (value: unknown): value is ListCursor => {
  const v = value as Partial<ListCursor> | null
  return typeof v === 'object' && v !== null && (v.c === null || typeof v.c === 'string') && Number.isInteger(v.s) && v.s! >= 0
}

/**
 * Pages through the service's listing, keeps the records the predicate accepts and stops at `limit`. The
 * cursor remembers the service page and how many of its records were consumed, so the next call resumes
 * mid-page (the services' own cursors can only start at page boundaries or ids).
 */
export interface PostFilteredList<N> {
  query: Pick<VectorListQuery, 'limit' | 'cursor' | 'filter'>
  compiled: CompiledFilter<N>
  /** Records per service page, chosen from the native filter (an exact one can ask for `limit`). */
  pageSize: (native: N | undefined, exact: boolean) => number
  /** One page of the service's listing under the native filter, from its own cursor. */
  fetchPage: (native: N | undefined, serviceCursor: string | undefined, pageSize: number) => Promise<ServicePage>
}

export async function listWithPostFilter<N>(options: PostFilteredList<N>): Promise<VectorListPage> {
  const { limit, cursor } = options.query
  let position: ListCursor = cursor === undefined ? { c: null, s: 0 } : decodeListCursor(cursor, isListCursor)
  const records: StoredRecord[] = []
  const filter = nativeFilter(options.compiled)
  if (!filter) return { records }
  if (limit <= 0) return { records, ...(cursor !== undefined ? { nextCursor: cursor } : {}) }
  const predicate = compileFilter(options.query.filter)
  const pageSize = options.pageSize(filter.native, options.compiled.exact)
  for (;;) {
    const page = await options.fetchPage(filter.native, position.c ?? undefined, pageSize)
    for (let i = position.s; i < page.records.length; i++) {
      const record = page.records[i]!
      if (!predicate(record.payload)) continue
      records.push(record)
      if (records.length === limit) {
        const hasMoreHere = i + 1 < page.records.length
        if (hasMoreHere) return { records, nextCursor: encodeListCursor({ c: position.c, s: i + 1 }) }
        return page.next === undefined ? { records } : { records, nextCursor: encodeListCursor({ c: page.next, s: 0 }) }
      }
    }
    if (page.next === undefined) return { records }
    position = { c: page.next, s: 0 }
  }
}
