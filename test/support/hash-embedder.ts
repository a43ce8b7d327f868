/**
 * A deterministic bag-of-words embedder for tests and benchmarks: same text, same vector, in every runtime
 * (no Node APIs, no randomness, no model download). Texts that share words are similar; texts that share
 * none are close to orthogonal.
 *
 * How a text becomes a vector:
 *   1. lowercase, split into runs of letters/digits (Unicode-aware), strip simple English plurals
 *      ("memories" → "memory", "dogs" → "dog", "classes" → "class"), drop a short list of stopwords
 *      ("i", "the", "is", ...) so sentences sharing only function words do not look alike;
 *   2. hash each token with FNV-1a (32-bit) and spread it over BUCKETS_PER_TOKEN buckets of the vector,
 *      each with a hash-derived sign (feature hashing), weight 1 per occurrence;
 *   3. L2-normalise, so cosine similarity is a dot product.
 * A text with no tokens left (only stopwords or punctuation) is hashed whole as one token, so every text
 * gets a unit vector.
 *
 * Exported API:
 *   class HashEmbedder implements Embedder
 *     constructor(options?: { dimensions?: number })   // default 384
 *     readonly dimensions: number
 *     embed(texts: string[]): Promise<Float32Array[]>
 *     embedOne(text: string): Float32Array             // synchronous, for servers and benchmarks
 *     readonly calls: number                           // embed() calls so far (tests count round trips)
 *   hashEmbed(text: string, dimensions?: number): Float32Array
 *   tokenize(text: string): string[]
 *   cosine(a: ArrayLike<number>, b: ArrayLike<number>): number
 *   DEFAULT_HASH_DIMENSIONS = 384
 */
import type { Embedder } from '../../src/interfaces/embedder.ts'

export const DEFAULT_HASH_DIMENSIONS = 384
const BUCKETS_PER_TOKEN = 4

const STOPWORDS = new Set(
  (
    'a an the i me my mine we us our you your he him his she her it its they them their this that these those ' +
    'is am are was were be been being do does did have has had will would shall should can could may might must ' +
    'to of in on at by for with from as and or but not no so if then than too very just about into over also'
  ).split(' '),
)

const WORD = /[\p{L}\p{N}]+/gu

/** "memories" → "memory", "classes" → "class", "dogs" → "dog"; leaves "bus", "glass", "this" alone. */
function singular(word: string): string {
  if (word.length > 4 && word.endsWith('ies')) return `${word.slice(0, -3)}y`
  if (word.length > 4 && /(ss|x|ch|sh)es$/.test(word)) return word.slice(0, -2)
  if (word.length > 3 && word.endsWith('s') && !/(ss|us|is)$/.test(word)) return word.slice(0, -1)
  return word
}

export function tokenize(text: string): string[] {
  const tokens: string[] = []
  for (const match of text.toLowerCase().matchAll(WORD)) {
    const word = match[0]
    if (STOPWORDS.has(word)) continue
    tokens.push(singular(word))
  }
  return tokens
}

/** FNV-1a over UTF-16 code units: 32-bit, identical in every JavaScript engine. */
function fnv1a(text: string, seed = 0x811c9dc5): number {
  let hash = seed
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i)
    hash = Math.imul(hash, 0x01000193)
  }
  return hash >>> 0
}

/** murmur3's finaliser: turns consecutive seeds into unrelated bucket choices. */
function mix(x: number): number {
  let h = x >>> 0
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b)
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35)
  return (h ^ (h >>> 16)) >>> 0
}

export function hashEmbed(text: string, dimensions: number = DEFAULT_HASH_DIMENSIONS): Float32Array {
  if (!Number.isInteger(dimensions) || dimensions <= 0) throw new RangeError(`dimensions must be a positive integer, got ${dimensions}`)
  const vector = new Float32Array(dimensions)
  const tokens = tokenize(text)
  if (tokens.length === 0) tokens.push(text.trim().toLowerCase())
  for (const token of tokens) {
    const base = fnv1a(token)
    for (let k = 0; k < BUCKETS_PER_TOKEN; k++) {
      const h = mix(base + Math.imul(k, 0x9e3779b9))
      const bucket = h % dimensions
      vector[bucket]! += h & 0x80000000 ? -1 : 1
    }
  }
  let norm = 0
  for (let i = 0; i < dimensions; i++) norm += vector[i]! * vector[i]!
  // Signs can cancel out completely for a tiny vector; fall back to a fixed unit vector then.
  if (norm === 0) {
    vector[fnv1a(text) % dimensions] = 1
    return vector
  }
  const scale = 1 / Math.sqrt(norm)
  for (let i = 0; i < dimensions; i++) vector[i]! *= scale
  return vector
}

export function cosine(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new RangeError(`vectors differ in length: ${a.length} vs ${b.length}`)
  let dot = 0
  let na = 0
  let nb = 0
  for (let i = 0; i < a.length; i++) {
    dot += a[i]! * b[i]!
    na += a[i]! * a[i]!
    nb += b[i]! * b[i]!
  }
  return na === 0 || nb === 0 ? 0 : dot / Math.sqrt(na * nb)
}

export class HashEmbedder implements Embedder {
  readonly dimensions: number
  private callCount = 0

  constructor(options: { dimensions?: number } = {}) {
    this.dimensions = options.dimensions ?? DEFAULT_HASH_DIMENSIONS
    if (!Number.isInteger(this.dimensions) || this.dimensions <= 0)
      throw new RangeError(`dimensions must be a positive integer, got ${this.dimensions}`)
  }

  /** How many times embed() was called. */
  get calls(): number {
    return this.callCount
  }

  embedOne(text: string): Float32Array {
    return hashEmbed(text, this.dimensions)
  }

  async embed(texts: string[]): Promise<Float32Array[]> {
    this.callCount++
    return texts.map((text) => hashEmbed(text, this.dimensions))
  }
}
