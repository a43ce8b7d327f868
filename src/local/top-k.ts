/**
 * Keeps the k highest-scoring items seen so far in a binary min-heap over parallel typed arrays, so a
 * full scan allocates nothing per candidate. Ties go to the lower item whatever the visiting order, so
 * the best k are always the first k of the best k + n (results never depend on the requested k).
 */
export class TopK {
  readonly capacity: number
  private readonly scores: Float64Array
  private readonly items: Int32Array
  private count = 0

  constructor(k: number) {
    this.capacity = Math.max(0, k)
    this.scores = new Float64Array(this.capacity)
    this.items = new Int32Array(this.capacity)
  }

  get size(): number {
    return this.count
  }

  /** The score an item must beat to enter once the heap is full. */
  get threshold(): number {
    return this.count < this.capacity ? -Infinity : this.scores[0]!
  }

  push(item: number, score: number): void {
    if (this.capacity === 0) return
    if (this.count < this.capacity) {
      let i = this.count++
      while (i > 0) {
        const parent = (i - 1) >> 1
        if (!this.worse(score, item, this.scores[parent]!, this.items[parent]!)) break
        this.scores[i] = this.scores[parent]!
        this.items[i] = this.items[parent]!
        i = parent
      }
      this.scores[i] = score
      this.items[i] = item
      return
    }
    if (!this.worse(this.scores[0]!, this.items[0]!, score, item)) return
    let i = 0
    for (;;) {
      const left = 2 * i + 1
      if (left >= this.count) break
      const right = left + 1
      const child =
        right < this.count && this.worse(this.scores[right]!, this.items[right]!, this.scores[left]!, this.items[left]!) ? right : left
      if (!this.worse(this.scores[child]!, this.items[child]!, score, item)) break
      this.scores[i] = this.scores[child]!
      this.items[i] = this.items[child]!
      i = child
    }
    this.scores[i] = score
    this.items[i] = item
  }

  /** Whether (score a, item a) ranks below (score b, item b): lower score, or equal score and higher item. */
  private worse(scoreA: number, itemA: number, scoreB: number, itemB: number): boolean {
    return scoreA < scoreB || (scoreA === scoreB && itemA > itemB)
  }

  /** Items by descending score; ties keep the lower item first so results are deterministic. */
  sorted(): { item: number; score: number }[] {
    const out: { item: number; score: number }[] = []
    for (let i = 0; i < this.count; i++) out.push({ item: this.items[i]!, score: this.scores[i]! })
    return out.sort((a, b) => b.score - a.score || a.item - b.item)
  }
}

/** A max-heap of items ordered by an external key array, built in O(n) and popped best first. */
export class MaxHeap {
  private readonly heap: Int32Array
  private readonly keys: Float64Array
  private count: number

  constructor(items: readonly number[], keys: Float64Array) {
    this.heap = Int32Array.from(items)
    this.keys = keys
    this.count = items.length
    for (let i = (this.count >> 1) - 1; i >= 0; i--) this.siftDown(i)
  }

  get size(): number {
    return this.count
  }

  peekKey(): number {
    return this.keys[this.heap[0]!]!
  }

  pop(): number {
    const top = this.heap[0]!
    this.heap[0] = this.heap[--this.count]!
    this.siftDown(0)
    return top
  }

  private siftDown(start: number): void {
    const { heap, keys } = this
    const item = heap[start]!
    const key = keys[item]!
    let i = start
    for (;;) {
      const left = 2 * i + 1
      if (left >= this.count) break
      const right = left + 1
      const child = right < this.count && keys[heap[right]!]! > keys[heap[left]!]! ? right : left
      if (keys[heap[child]!]! <= key) break
      heap[i] = heap[child]!
      i = child
    }
    heap[i] = item
  }
}

/**
 * Items in descending key order, produced lazily: only the best `first` items (found in one pass) are
 * heapified up front; the rest are heapified only if a caller consumes past them (e.g. a selective
 * filter rejects most of the best). Searches usually stop after a few dozen items, so this avoids
 * ordering thousands of candidates per query. Ties between the two groups keep the order exact:
 * every item of the first group has a key at least as high as every item of the second.
 */
export class LazyDescending {
  private readonly keys: Float64Array
  private head: MaxHeap
  private rest: number[] | undefined

  constructor(items: ArrayLike<number>, keys: Float64Array, first: number) {
    this.keys = keys
    if (items.length <= first * 2) {
      this.head = new MaxHeap(Array.from(items), keys)
      return
    }
    const best = new TopK(first)
    for (let i = 0; i < items.length; i++) best.push(items[i]!, keys[items[i]!]!)
    const cutoff = best.threshold
    const head: number[] = []
    const rest: number[] = []
    for (let i = 0; i < items.length; i++) (keys[items[i]!]! >= cutoff ? head : rest).push(items[i]!)
    this.head = new MaxHeap(head, keys)
    this.rest = rest
  }

  get size(): number {
    return this.head.size + (this.rest?.length ?? 0)
  }

  /** The key of the next item (-Infinity when none is left). */
  peekKey(): number {
    this.refill()
    return this.head.size > 0 ? this.head.peekKey() : -Infinity
  }

  pop(): number {
    this.refill()
    return this.head.pop()
  }

  private refill(): void {
    if (this.head.size === 0 && this.rest) {
      this.head = new MaxHeap(this.rest, this.keys)
      this.rest = undefined
    }
  }
}
