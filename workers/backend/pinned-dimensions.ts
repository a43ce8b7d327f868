import { EmbeddingError, type Embedder, type ProviderSpec } from '../../src/index.workerd.ts'
import { Lazy, resolveProvider } from '../../src/internal.ts'

/**
 * Where a deployment keeps the vector size each embedding model was first written with (EDGEMEM_KV,
 * next to the keys): one pin per provider, endpoint and model, so choosing another model is a deliberate
 * change, while the same model answering another size is refused.
 */
const DIMENSIONS_PREFIX = 'deployment/embedding-dimensions/'

/** Per isolate: the pinned sizes, read from KV at most once per isolate and model after they are known. */
const known = new Map<string, number>()

/**
 * Fixes the vector size for the whole deployment, not per Durable Object shard or tenant collection.
 * Each shard's store pins its own size at its first write, so an embedding endpoint that answered
 * 512-d for a moment would pin 512 in every empty shard it touched and break those users for good once
 * it answered 384-d again. With this wrapper the first successful embedding of the deployment pins the
 * size in KV and every later answer of another size is refused before anything is written. Used only
 * when EMBEDDING_DIMENSIONS is not set (which pins it explicitly, and is what docs/worker.md advises).
 */
export class PinnedDimensionsEmbedder implements Embedder {
  /** The wrapped provider and its model: what a portable export records as the vectors' embedder. */
  readonly name: string
  readonly model: string | undefined
  private inner: Lazy<Embedder>
  private readonly make: () => Promise<Embedder>
  private readonly kv: KVNamespace
  private readonly key: string

  constructor(spec: ProviderSpec<'embedder'>, kv: KVNamespace) {
    const config = (spec.config ?? {}) as { model?: unknown; baseURL?: unknown }
    this.name = spec.provider
    this.model = typeof config.model === 'string' ? config.model : undefined
    this.key = `${DIMENSIONS_PREFIX}${encodeURIComponent(JSON.stringify([spec.provider, config.baseURL ?? null, config.model ?? null]))}`
    const resolved = resolveProvider('embedder', spec.provider, spec.config as Record<string, unknown> | undefined, 'embedder')
    this.make = () => resolved.create({ collection: '', storage: undefined })
    this.inner = new Lazy(this.make)
    this.kv = kv
  }

  async embed(texts: string[]): Promise<ArrayLike<number>[]> {
    const vectors = await (await this.inner.get()).embed(texts)
    const size = vectors[0]?.length
    if (size === undefined || size === 0) return vectors
    const pinned = await this.pinned(size)
    if (size !== pinned) {
      // An embedder that checks sizes across calls took this refused answer as its reference: start a
      // fresh one, so the next answer is judged by the pin alone.
      this.inner = new Lazy(this.make)
      throw new EmbeddingError(
        `the embedding endpoint answered ${size}-dimensional vectors, but this deployment's memories are ${pinned}-dimensional ` +
          `(pinned at its first write); nothing was written. Check EMBEDDING_MODEL / EMBEDDING_BASE_URL, or set EMBEDDING_DIMENSIONS`,
      )
    }
    return vectors
  }

  private async pinned(observed: number): Promise<number> {
    const cached = known.get(this.key)
    if (cached !== undefined) return cached
    const stored = await this.kv.get(this.key)
    const parsed = stored === null ? undefined : Number(stored)
    if (parsed !== undefined && Number.isInteger(parsed) && parsed > 0) {
      known.set(this.key, parsed)
      return parsed
    }
    await this.kv.put(this.key, String(observed))
    known.set(this.key, observed)
    return observed
  }
}
