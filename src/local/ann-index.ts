/**
 * An approximate nearest-neighbour accelerator over one partition's rows. The partition owns the
 * records and their unit-normalised vectors (the source of truth); an AnnIndex only maps row slots
 * (uint32 labels) to graph nodes and can always be rebuilt from the rows, so its serialised form is a
 * cache. Scores are inner products of unit vectors, i.e. cosine similarity.
 */
export interface AnnSearchResult {
  slots: ArrayLike<number>
  scores: ArrayLike<number>
}

export interface AnnIndex {
  /** Number of live (not deleted) slots. */
  readonly size: number
  /** Adds the slot, or replaces its vector if present. Grows capacity as needed. */
  add(slot: number, vector: Float32Array): void
  /** Removes the slot; later adds may reuse it. Removing an absent slot is a no-op. */
  remove(slot: number): void
  /**
   * Up to k slots by descending score. `accept` restricts results to slots it returns true for (the
   * caller over-fetches and falls back to exact search when few slots pass).
   */
  search(query: Float32Array, k: number, accept?: (slot: number) => boolean): AnnSearchResult
  /** Bytes that `AnnIndexFactory.restore` turns back into an equal index. */
  serialize(): Uint8Array
  /** Approximate bytes of memory held (for the partition memory budget). */
  readonly memoryBytes: number
  dispose(): void
}

export interface AnnIndexFactory {
  readonly name: string
  create(dimensions: number, initialCapacity: number): Promise<AnnIndex>
  restore(dimensions: number, bytes: Uint8Array): Promise<AnnIndex>
}
