import { DimensionMismatchError, EdgememError, EmbeddingError } from '../errors.ts'
import type { Embedder } from '../interfaces/embedder.ts'

/**
 * Calls the embedder and checks what comes back (count, equal finite lengths, declared size), so a
 * faulty custom embedder fails here with a clear message instead of corrupting the index.
 */
export async function embedTexts(embedder: Embedder, texts: string[]): Promise<Float32Array[]> {
  if (texts.length === 0) return []
  let raw: ArrayLike<number>[]
  try {
    raw = await embedder.embed(texts)
  } catch (err) {
    if (err instanceof EdgememError) throw err
    throw new EmbeddingError(`the embedder failed: ${err instanceof Error ? err.message : String(err)}`, { cause: err })
  }
  if (!Array.isArray(raw) || raw.length !== texts.length) {
    throw new EmbeddingError(`the embedder returned ${Array.isArray(raw) ? raw.length : 'no'} vectors for ${texts.length} texts`)
  }
  const vectors = raw.map((v, i) => {
    if (!v || typeof v.length !== 'number' || v.length === 0)
      throw new EmbeddingError(`the embedder returned an empty vector for text ${i}`)
    // Float32Array.from would turn "0.5" into 0.5 and hide an embedder that answers strings.
    if (!ArrayBuffer.isView(v)) {
      for (let j = 0; j < v.length; j++) {
        if (typeof v[j] !== 'number') throw new EmbeddingError(`the embedder returned ${typeof v[j]} at [${i}][${j}], not a number`)
      }
    }
    const vector = v instanceof Float32Array ? v : Float32Array.from(v)
    let norm = 0
    for (let j = 0; j < vector.length; j++) {
      if (!Number.isFinite(vector[j])) throw new EmbeddingError(`the embedder returned a non-finite value at [${i}][${j}]`)
      norm += vector[j]! * vector[j]!
    }
    // A zero vector has no direction: its cosine similarity to anything is undefined (NaN or 0 by store).
    if (norm === 0) throw new EmbeddingError(`the embedder returned an all-zero vector for text ${i}`)
    return vector
  })
  const size = vectors[0]!.length
  const odd = vectors.findIndex((v) => v.length !== size)
  if (odd >= 0) throw new EmbeddingError(`the embedder returned vectors of different sizes (${size} and ${vectors[odd]!.length})`)
  if (embedder.dimensions !== undefined && embedder.dimensions !== size) {
    throw new DimensionMismatchError(embedder.dimensions, size, 'embedder output versus its declared dimensions')
  }
  return vectors
}
