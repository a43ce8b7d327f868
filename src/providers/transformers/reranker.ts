import { RerankError } from '../../errors.ts'
import type { Reranker } from '../../interfaces/reranker.ts'
import {
  DEFAULT_RERANK_MODEL,
  parseTransformersConfig,
  type TransformersEmbedderConfig,
  type TransformersEmbedderOptions,
} from './config.ts'
import { type EnvSettings, withEnvSettings } from './env-scope.ts'
import { envOf, loadTransformersLibrary } from './library.ts'

type Tokenizer = (texts: string[], options: { text_pair: string[]; padding: boolean; truncation: boolean }) => unknown
interface Classifier {
  (inputs: unknown): Promise<{ logits: { dims: readonly number[]; data: ArrayLike<number>; dispose?(): void } }>
  dispose?(): Promise<void>
}

/**
 * The `transformers` reranker: a cross-encoder (a sequence-classification model reading the query and a
 * candidate as one pair) run on this device with transformers.js. Scores are the model's logit for each
 * pair (higher is more relevant). Same config as the transformers embedder; the model loads on first use.
 */
export class TransformersReranker implements Reranker {
  readonly config: TransformersEmbedderConfig
  private loading: Promise<{ tokenizer: Tokenizer; model: Classifier }> | undefined

  constructor(options: TransformersEmbedderOptions = {}) {
    this.config = parseTransformersConfig({ model: DEFAULT_RERANK_MODEL, ...options })
  }

  async ready(): Promise<void> {
    await this.load()
  }

  async rerank(query: string, documents: string[]): Promise<number[]> {
    if (documents.length === 0) return []
    const { tokenizer, model } = await this.load()
    const scores: number[] = []
    for (let start = 0; start < documents.length; start += this.config.batchSize) {
      const batch = documents.slice(start, start + this.config.batchSize)
      const inputs = tokenizer(
        batch.map(() => query),
        { text_pair: batch, padding: true, truncation: true },
      )
      const { logits } = await model(inputs)
      if (logits.dims[0] !== batch.length) {
        throw new RerankError(
          `transformers reranker: model "${this.config.model}" returned logits of shape [${logits.dims.join(', ')}] for ${batch.length} pairs`,
        )
      }
      const labels = logits.dims[1] ?? 1
      // One label: the relevance logit; more (e.g. [irrelevant, relevant]): the last one.
      for (let row = 0; row < batch.length; row++) scores.push(Number(logits.data[row * labels + labels - 1]))
      logits.dispose?.()
    }
    return scores
  }

  async close(): Promise<void> {
    const loading = this.loading
    this.loading = undefined
    if (loading) await (await loading.catch(() => undefined))?.model.dispose?.()
  }

  private load(): Promise<{ tokenizer: Tokenizer; model: Classifier }> {
    if (!this.loading) {
      const attempt = this.loadModel()
      this.loading = attempt
      attempt.catch(() => {
        if (this.loading === attempt) this.loading = undefined
      })
    }
    return this.loading
  }

  private async loadModel(): Promise<{ tokenizer: Tokenizer; model: Classifier }> {
    const { model, dtype, device } = this.config
    const settings: EnvSettings = {
      allowRemoteModels: this.config.allowRemoteModels,
      localModelPath: this.config.localModelPath,
      remoteHost: this.config.remoteHost,
      cacheDir: this.config.cacheDir,
      wasmPaths: this.config.wasmPaths,
    }
    const library = await loadTransformersLibrary()
    const { AutoTokenizer, AutoModelForSequenceClassification } = library
    if (!AutoTokenizer || !AutoModelForSequenceClassification) {
      throw new RerankError('transformers reranker: this build of transformers.js has no AutoModelForSequenceClassification')
    }
    return withEnvSettings(envOf(library), settings, async () => ({
      tokenizer: (await AutoTokenizer.from_pretrained(model, {})) as Tokenizer,
      model: (await AutoModelForSequenceClassification.from_pretrained(model, { dtype, ...(device ? { device } : {}) })) as Classifier,
    }))
  }
}
