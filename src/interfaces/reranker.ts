/**
 * Scores documents against a query (a cross-encoder, a rerank API, an LLM). Memory uses it for
 * `search(query, { rerank: true })`: it re-orders the candidates the search found (the same scope and
 * filters), never adds any.
 */
export interface Reranker {
  /** One relevance score per document, in input order; higher is more relevant. */
  rerank(query: string, documents: string[], options?: { signal?: AbortSignal }): Promise<number[]>
  ready?(): Promise<void>
  close?(): Promise<void>
}
