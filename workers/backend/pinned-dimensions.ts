import { EmbeddingError, type Embedder, type ProviderSpec } from '../../src/index.workerd.ts'
import { Lazy, resolveProvider } from '../../src/internal.ts'

/** Where a deployment keeps the vector size it was first written with (EDGEMEM_KV, next to the keys). */
export const DIMENSIONS_KEY = 'deployment/embedding-dimensions'

/** Per isolate: the pinned size, read from KV at most once per isolate after it is known. */
let known: number | undefined

/**
 * Fixes the vector size for the whole deployment, not per Durable Object shard or tenant collection.
 * Each shard's store pins its own size at its first write, so an embedding endpoint that answered
 * 512-d for a moment would pin 512 in every empty shard it touched and break those users for good once
 * it answered 384-d again. With this wrapper the first successful embedding of the deployment pins the
 * size in KV and every later answer of another size is refused before anything is written. Used only
 * when EMBEDDING_DIMENSIONS is not set (which pins it explicitly, and is what docs/worker.md advises).
 */
export class PinnedDimensionsEmbedder implements Embedder {
  private readonly inner: Lazy<Embedder>
  private readonly kv: KVNamespace

  constructor(spec: ProviderSpec<'embedder'>, kv: KVNamespace) {
    const resolved = resolveProvider('embedder', spec.provider, spec.config as Record<string, unknown> | undefined, 'embedder')
    this.inner = new Lazy(() => resolved.create({ collection: '', storage: undefined }))
    this.kv = kv
  }

  async embed(texts: string[]): Promise<ArrayLike<number>[]> {
    const vectors = await (await this.inner.get()).embed(texts)
    const size = vectors[0]?.length
    if (size === undefined || size === 0) return vectors
    const pinned = await this.pinned(size)
    if (size !== pinned) {
      throw new EmbeddingError(
        `the embedding endpoint answered ${size}-dimensional vectors, but this deployment's memories are ${pinned}-dimensional ` +
          `(pinned at its first write); nothing was written. Check EMBEDDING_MODEL / EMBEDDING_BASE_URL, or set EMBEDDING_DIMENSIONS`,
      )
    }
    return vectors
  }

  private async pinned(observed: number): Promise<number> {
    if (known !== undefined) return known
    const stored = await this.kv.get(DIMENSIONS_KEY)
    const parsed = stored === null ? undefined : Number(stored)
    if (parsed !== undefined && Number.isInteger(parsed) && parsed > 0) {
      known = parsed
      return parsed
    }
    await this.kv.put(DIMENSIONS_KEY, String(observed))
    known = observed
    return observed
  }
}
