import { EdgememError, EmbeddingError } from '../../errors.ts'
import type { Embedder } from '../../interfaces/embedder.ts'
import { parseTransformersConfig, type TransformersEmbedderConfig, type TransformersEmbedderOptions } from './config.ts'
import { type EnvSettings, withEnvSettings, withTrailingSlash } from './env-scope.ts'
import { envOf, loadTransformersLibrary, type TransformersLibrary } from './library.ts'
import { describeLoadError, type LoadContext, weightsFileFor } from './load-errors.ts'
import { ProgressRelay } from './progress.ts'

// The transformers embedder. transformers.js itself (and, through it, ONNX Runtime) is loaded on the
// first load of a model, from the optional peer dependency (library.ts); the core reaches this module
// only through a dynamic import (provider.ts).

/** The slice of a transformers.js Tensor used here. */
interface OutputTensor {
  readonly dims: readonly number[]
  readonly data: ArrayLike<number>
  dispose?(): void
}
/** The slice of transformers.js's feature-extraction pipeline used here. */
interface FeatureExtractor {
  (texts: string[], options: { pooling: 'mean'; normalize: boolean }): Promise<OutputTensor>
  dispose(): Promise<void>
}

interface LoadedModel {
  extractor: FeatureExtractor
  dimensions: number
}

const POOLING = { pooling: 'mean', normalize: true } as const
/** Embedded once per load to learn the output size, whatever the model's config says. */
const PROBE_TEXT = 'dimension probe'

/** Row `row` of a [rows, dimensions] tensor, as its own array (the tensor is disposed after). */
function copyRow(data: ArrayLike<number>, row: number, dimensions: number): Float32Array {
  if (data instanceof Float32Array) return data.slice(row * dimensions, (row + 1) * dimensions)
  return Float32Array.from({ length: dimensions }, (_, k) => data[row * dimensions + k]!)
}

/**
 * Sentence embeddings computed on this device with transformers.js: `feature-extraction`, mean pooling
 * over the tokens, L2-normalised (so a dot product is the cosine similarity).
 *
 * The model loads lazily on the first `embed()` (or on `ready()`); concurrent first calls share one load,
 * and a failed load is retried by the next call. `dimensions` is known once the model is loaded.
 */
export class TransformersEmbedder implements Embedder {
  readonly config: TransformersEmbedderConfig
  private loading: Promise<LoadedModel> | undefined
  private loadedDimensions: number | undefined
  private readonly inflight = new Set<Promise<unknown>>()

  constructor(options: TransformersEmbedderOptions = {}) {
    this.config = parseTransformersConfig(options)
  }

  get model(): string {
    return this.config.model
  }

  /** Output size; undefined until the model has been loaded (`await ready()` to know it up front). */
  get dimensions(): number | undefined {
    return this.loadedDimensions
  }

  async ready(): Promise<void> {
    await this.load()
  }

  async embed(texts: string[]): Promise<Float32Array[]> {
    if (!Array.isArray(texts)) throw new EmbeddingError('transformers embedder: embed() expects an array of strings')
    texts.forEach((text, i) => {
      if (typeof text !== 'string')
        throw new EmbeddingError(`transformers embedder: embed() texts[${i}] is ${typeof text}, expected a string`)
    })
    if (texts.length === 0) return []
    const run = this.embedLoaded(texts)
    this.inflight.add(run)
    try {
      return await run
    } finally {
      this.inflight.delete(run)
    }
  }

  /** Waits for running calls, then frees the model. A later call loads it again. */
  async close(): Promise<void> {
    const loading = this.loading
    this.loading = undefined
    await Promise.allSettled([...this.inflight])
    if (!loading) return
    try {
      const loaded = await loading
      await loaded.extractor.dispose()
    } catch {
      // A load that failed holds nothing to free.
    }
  }

  private load(): Promise<LoadedModel> {
    if (!this.loading) {
      const attempt = this.loadModel()
      this.loading = attempt
      // A failed load is not cached: the next call tries again (the files may have appeared meanwhile).
      attempt.catch(() => {
        if (this.loading === attempt) this.loading = undefined
      })
    }
    return this.loading
  }

  private async loadModel(): Promise<LoadedModel> {
    const { model, dtype, device, onProgress } = this.config
    const relay = new ProgressRelay(model, onProgress)
    const started = performance.now()
    const settings: EnvSettings = {
      allowRemoteModels: this.config.allowRemoteModels,
      localModelPath: this.config.localModelPath,
      remoteHost: this.config.remoteHost,
      cacheDir: this.config.cacheDir,
      wasmPaths: this.config.wasmPaths,
    }
    try {
      const library = await loadTransformersLibrary()
      const extractor = await withEnvSettings(envOf(library), settings, async () => {
        try {
          return (await library.pipeline('feature-extraction', model, {
            dtype,
            ...(device ? { device } : {}),
            // Without a listener, skip transformers' progress bookkeeping (it makes extra size requests).
            ...(onProgress ? { progress_callback: relay.callback } : {}),
          })) as unknown as FeatureExtractor
        } catch (error) {
          // Still inside the env scope: listing the weights present reads the same settings.
          throw describeLoadError(error, await this.loadContext(library, error))
        }
      })
      const dimensions = await this.probeDimensions(extractor)
      this.loadedDimensions = dimensions
      relay.ready(dimensions, performance.now() - started)
      return { extractor, dimensions }
    } catch (error) {
      relay.error(error)
      throw error
    }
  }

  private async loadContext(library: TransformersLibrary, error: unknown): Promise<LoadContext> {
    const ctx: LoadContext = {
      model: this.config.model,
      dtype: this.config.dtype,
      localModelPath: this.config.localModelPath === undefined ? undefined : withTrailingSlash(this.config.localModelPath),
      allowRemoteModels: this.config.allowRemoteModels,
      remoteHost: envOf(library).remoteHost,
    }
    const message = error instanceof Error ? error.message : ''
    const weights = weightsFileFor(this.config.dtype)
    if (weights && message.includes(weights)) {
      try {
        ctx.availableDtypes = await library.ModelRegistry.get_available_dtypes(this.config.model, {
          local_files_only: !this.config.allowRemoteModels,
        })
      } catch {
        // Only a hint for the message; the load error itself is what matters.
      }
    }
    return ctx
  }

  private async probeDimensions(extractor: FeatureExtractor): Promise<number> {
    const output = await this.infer(extractor, [PROBE_TEXT])
    const dimensions = output.dims[output.dims.length - 1]
    output.dispose?.()
    if (typeof dimensions !== 'number' || dimensions <= 0) {
      throw new EmbeddingError(
        `transformers embedder: model "${this.config.model}" returned output of shape [${output.dims.join(', ')}]; expected [texts, dimensions]. Use a sentence-embedding (feature-extraction) model.`,
      )
    }
    return dimensions
  }

  private async embedLoaded(texts: string[]): Promise<Float32Array[]> {
    const { extractor, dimensions } = await this.load()
    // Similar lengths in one batch waste less work on padding; results go back in input order.
    const order = texts.map((_, i) => i).sort((a, b) => texts[a]!.length - texts[b]!.length)
    const vectors = new Array<Float32Array>(texts.length)
    for (let start = 0; start < order.length; start += this.config.batchSize) {
      const indices = order.slice(start, start + this.config.batchSize)
      const output = await this.infer(
        extractor,
        indices.map((i) => texts[i]!),
      )
      const data = output.data
      if (output.dims[0] !== indices.length || output.dims[1] !== dimensions) {
        output.dispose?.()
        throw new EmbeddingError(
          `transformers embedder: model "${this.config.model}" returned shape [${output.dims.join(', ')}] for ${indices.length} texts; expected [${indices.length}, ${dimensions}]`,
        )
      }
      indices.forEach((textIndex, row) => {
        vectors[textIndex] = copyRow(data, row, dimensions)
      })
      output.dispose?.()
    }
    return vectors
  }

  private async infer(extractor: FeatureExtractor, texts: string[]): Promise<OutputTensor> {
    try {
      return await extractor(texts, POOLING)
    } catch (error) {
      if (error instanceof EdgememError) throw error
      throw new EmbeddingError(
        `transformers embedder: inference failed for model "${this.config.model}" on ${texts.length} text(s): ${error instanceof Error ? error.message : String(error)}`,
        { cause: error },
      )
    }
  }
}
