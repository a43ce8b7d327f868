import type { AnnIndexFactory } from './ann-index.ts'
import type { Partition } from './partition.ts'
import { analyze } from './text-analysis.ts'
import { TopK } from './top-k.ts'
import type { SlotHit } from './vector-rows.ts'

/**
 * The local engine's search policy in one place: which first pass answers a query in a partition of a
 * given size, and when a partition gets a graph. Every knob has one name, here, with its default and
 * the measurement behind it (docs/hnsw.md, "Search plan").
 *
 *   partition size < exactBelow          exact: int8 bounds + float32 rescoring (vector-rows.ts)
 *   exactBelow ≤ size, no graph          binary: sign-bit Hamming pass, `rescore` rows scored in float32
 *   graphFrom ≤ size (graph built)       graph: HNSW search, over-fetched, scored in float32
 *   any size, selective filter           exact (few candidates; the approximate passes lose recall there)
 *
 * A store that promises exact results (`flat`) uses `exactBelow: Infinity` and no graph.
 */
export interface SearchPlanOptions {
  /** Partitions with fewer live records are searched exactly. */
  exactBelow?: number
  /** Rows the binary pass scores exactly (at least k): recall against cost. */
  rescore?: number
  /** Partitions of at least this many records get an HNSW graph (built on the write that reaches it). */
  graphFrom?: number
  /** Filtered searches with at most this many accepted records are answered exactly... */
  exactCandidateLimit?: number
  /** ...and so are those whose filter keeps less than this share of the partition. */
  exactFraction?: number
  /** The graph is asked for this many times k (filters and deleted slots drop some). */
  graphOverfetch?: number
  /** Hybrid search starts from this many times k candidates from each ranking (at least 40). */
  hybridPool?: number
  /** A partition with a graph is compacted once its log holds this share of it (reloads replay the log into the graph)... */
  graphReplayShare?: number
  /** ...and at least this many records. */
  graphReplayMin?: number
}

export const SEARCH_PLAN_DEFAULTS: Required<SearchPlanOptions> = {
  exactBelow: 5_000,
  rescore: 640,
  graphFrom: Number.POSITIVE_INFINITY,
  exactCandidateLimit: 4096,
  exactFraction: 0.2,
  graphOverfetch: 4,
  hybridPool: 4,
  graphReplayShare: 0.02,
  graphReplayMin: 1000,
}

/** The options of a store that promises exact results: never a first pass that can miss. */
export const EXACT_PLAN: SearchPlanOptions = { exactBelow: Number.POSITIVE_INFINITY, graphFrom: Number.POSITIVE_INFINITY }

/** Slots sampled to estimate a filter's selectivity before counting exactly. */
const SELECTIVITY_SAMPLE = 256

export interface HybridWeights {
  keywordWeight: number
  saturation: number
}

export type SearchMethod = 'exact' | 'binary' | 'graph'

export class SearchPlan {
  readonly options: Required<SearchPlanOptions>
  /** The graph factory, when this store may build graphs. */
  readonly graph: AnnIndexFactory | undefined

  constructor(options: SearchPlanOptions = {}, graph?: AnnIndexFactory) {
    const defined = Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined))
    this.options = { ...SEARCH_PLAN_DEFAULTS, ...defined }
    this.graph = graph
  }

  /** Whether a partition of this size should have a graph (and has none yet). */
  wantsGraph(partition: Partition): boolean {
    return this.graph !== undefined && !partition.ann && partition.size >= this.options.graphFrom
  }

  /** Whether the log since the last snapshot would cost a reload too many graph insertions. */
  graphReplayDue(partition: Partition, logRecords: number): boolean {
    const { graphReplayMin, graphReplayShare } = this.options
    return partition.ann !== undefined && logRecords >= Math.max(graphReplayMin, partition.size * graphReplayShare)
  }

  /** The first pass a query uses in this partition (exported for tests and the benchmark's report). */
  method(partition: Partition, accept: (slot: number) => boolean): SearchMethod {
    const { exactBelow, exactCandidateLimit, exactFraction } = this.options
    if (partition.size < exactBelow) return 'exact'
    // A filter that clearly keeps most records needs no exact count (which would run it on a fifth of them).
    const estimate = partition.sampleAccepted(accept, SELECTIVITY_SAMPLE)
    if (estimate >= 2 * exactFraction && estimate * partition.size >= 2 * exactCandidateLimit) return partition.ann ? 'graph' : 'binary'
    const limit = Math.max(exactCandidateLimit, partition.size * exactFraction)
    const candidates = partition.countAccepted(accept, limit + 1)
    if (candidates <= exactCandidateLimit || candidates <= partition.size * exactFraction) return 'exact'
    return partition.ann ? 'graph' : 'binary'
  }

  /** The top k by cosine among the slots `accept` lets through. */
  semantic(partition: Partition, query: Float32Array, k: number, accept: (slot: number) => boolean): SlotHit[] {
    return this.semanticBy(this.method(partition, accept), partition, query, k, accept)
  }

  private semanticBy(
    method: SearchMethod,
    partition: Partition,
    query: Float32Array,
    k: number,
    accept: (slot: number) => boolean,
  ): SlotHit[] {
    if (method === 'exact') return partition.exactSearch(query, k, accept)
    if (method === 'binary') return partition.binarySearch(query, k, this.options.rescore, accept)
    const ann = partition.ann!
    const result = ann.search(query, k * this.options.graphOverfetch, accept)
    const hits: SlotHit[] = []
    for (let i = 0; i < result.slots.length && hits.length < k; i++) {
      const slot = result.slots[i]!
      if (partition.idAt(slot) !== undefined && accept(slot)) hits.push({ slot, score: partition.score(slot, query) })
    }
    if (hits.length < k) return partition.exactSearch(query, k, accept)
    return hits.sort((a, b) => b.score - a.score || a.slot - b.slot)
  }

  /**
   * Semantic and keyword candidates (filtered), fused into one bounded score. Records matching no query
   * word keep (1 − w) · cosine, so the score means the same for every query and `threshold` stays usable.
   *
   * Every candidate gets its full fused score (its cosine and its BM25, whichever ranking found it), and
   * the pools grow until no record outside them can reach the k-th score (Fagin's threshold algorithm:
   * an unseen record has cosine ≤ the semantic pool's last and BM25 ≤ the keyword pool's last). With an
   * exact semantic ranking the result is the exact top k of the fused score, and the first k of a
   * request for more are the same records with the same scores.
   */
  hybrid(
    partition: Partition,
    query: Float32Array,
    text: string,
    k: number,
    accept: (slot: number) => boolean,
    { keywordWeight, saturation }: HybridWeights,
  ): SlotHit[] {
    const terms = analyze(text)
    const fuse = (cosine: number, bm25: number): number => (1 - keywordWeight) * cosine + keywordWeight * (bm25 / (bm25 + saturation))
    const growth = Math.max(2, this.options.hybridPool)
    // The first pass is chosen once, on the whole query: the pools must rank the same way as they grow.
    const method = this.method(partition, accept)
    for (let pool = Math.max(k * this.options.hybridPool, 40); ; pool *= growth) {
      const semantic = this.semanticBy(method, partition, query, pool, accept)
      const keyword = partition.keywordSearch(terms, pool, accept)
      const top = new TopK(k)
      const seen = new Set<number>()
      const keywordScore = partition.keywordScorer(terms)
      for (const { slot, score } of semantic) {
        seen.add(slot)
        top.push(slot, fuse(score, keywordScore(slot)))
      }
      for (const { slot, score } of keyword) {
        if (seen.has(slot)) continue
        seen.add(slot)
        top.push(slot, fuse(partition.score(slot, query), score))
      }
      // Fewer semantic hits than asked: every accepted record is a candidate already.
      const complete = semantic.length < pool || pool >= partition.size
      const unseenBest = fuse(semantic.at(-1)?.score ?? -1, keyword.length < pool ? 0 : keyword.at(-1)!.score)
      // An approximate semantic ranking has no exact bound: one round of pools is the answer.
      if (complete || method !== 'exact' || (top.size === k && top.threshold > unseenBest)) {
        return top.sorted().map(({ item, score }) => ({ slot: item, score }))
      }
    }
  }
}
