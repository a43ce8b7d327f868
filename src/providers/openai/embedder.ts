import { EmbeddingError, RemoteError, ValidationError } from '../../errors.ts'
import type { Embedder } from '../../interfaces/embedder.ts'
import { base64ToBytes } from '../../util/bytes.ts'
import { type AzureTarget, OpenAIConnection, unreadable } from './client.ts'
import { openaiEmbedderSchema, parseConfig, type OpenAIEmbedderConfig, type ResolvedOpenAIEmbedderConfig } from './config.ts'

/** Output sizes of OpenAI's own models at full length, so `dimensions` is known before the first call. */
const OPENAI_MODEL_DIMENSIONS: Readonly<Record<string, number>> = {
  'text-embedding-3-small': 1536,
  'text-embedding-3-large': 3072,
  'text-embedding-ada-002': 1536,
}

/**
 * The `openai` embedder: POST /embeddings on api.openai.com or any OpenAI-compatible server (`baseURL`).
 * Splits the input into requests of `batchSize` texts (sent one after another, which keeps within rate
 * limits), and returns one Float32Array per text in input order.
 */
export class OpenAIEmbedder implements Embedder {
  private readonly config: ResolvedOpenAIEmbedderConfig
  private readonly connection: OpenAIConnection
  private detectedDimensions: number | undefined
  private dimensionsSource: 'config' | 'published' | 'response' = 'response'

  /** `azure`: the azure-openai provider (src/providers/azure-openai/), which validates its own config first. */
  constructor(config: OpenAIEmbedderConfig, azure?: AzureTarget) {
    this.config = parseConfig(openaiEmbedderSchema, config, azure ? 'azure-openai embedder' : 'openai embedder')
    this.connection = new OpenAIConnection(this.config, 'embeddings', azure)
    if (this.config.dimensions !== undefined) {
      this.detectedDimensions = this.config.dimensions
      this.dimensionsSource = 'config'
    } else if (this.config.baseURL === undefined && OPENAI_MODEL_DIMENSIONS[this.config.model] !== undefined) {
      // Only for OpenAI itself: a compatible server may serve a model of the same name at another size.
      this.detectedDimensions = OPENAI_MODEL_DIMENSIONS[this.config.model]
      this.dimensionsSource = 'published'
    }
  }

  /** From config, OpenAI's published sizes, or the first response; undefined until then for other servers. */
  get dimensions(): number | undefined {
    return this.detectedDimensions
  }

  ready(): Promise<void> {
    return this.connection.ready()
  }

  async embed(texts: string[]): Promise<Float32Array[]> {
    if (!Array.isArray(texts)) throw new ValidationError('embed(texts): expected an array of strings')
    texts.forEach(checkText)
    const vectors: Float32Array[] = []
    for (let start = 0; start < texts.length; start += this.config.batchSize) {
      const batch = texts.slice(start, start + this.config.batchSize)
      vectors.push(...(await this.embedBatch(batch)))
    }
    return vectors
  }

  private async embedBatch(batch: string[]): Promise<Float32Array[]> {
    const { model, dimensions, encodingFormat } = this.config
    const response: unknown = await this.connection
      .call((client, options) =>
        client.embeddings.create(
          // encoding_format is always explicit so the package hands back the body as sent (we decode base64 here).
          { model, input: batch, encoding_format: encodingFormat, ...(dimensions === undefined ? {} : { dimensions }) },
          options,
        ),
      )
      .catch((err: unknown) => {
        if (err instanceof RemoteError) throw err
        throw new EmbeddingError(`${this.connection.service}: ${unreadable(err)}`, { cause: err })
      })
    return this.readVectors(response, batch.length)
  }

  /** Checks the response shape and puts the vectors back in input order (by `index`, not array position). */
  private readVectors(response: unknown, count: number): Float32Array[] {
    const data = response !== null && typeof response === 'object' && 'data' in response ? response.data : undefined
    if (!Array.isArray(data)) throw this.unusable(`expected an object with a "data" array, got ${describe(response)}`)
    if (data.length !== count) throw this.unusable(`${data.length} embeddings for ${count} inputs`)
    const vectors = new Array<Float32Array | undefined>(count)
    for (const [position, item] of data.entries()) {
      const index: unknown = item?.index
      if (typeof index !== 'number' || !Number.isInteger(index) || index < 0 || index >= count) {
        throw this.unusable(`data[${position}].index is ${describe(index)}, expected 0..${count - 1}`)
      }
      if (vectors[index]) throw this.unusable(`index ${index} appears twice`)
      vectors[index] = this.toVector(item.embedding, position)
    }
    const ordered = vectors as Float32Array[]
    this.checkDimensions(ordered)
    return ordered
  }

  private toVector(embedding: unknown, position: number): Float32Array {
    let vector: Float32Array | undefined
    if (typeof embedding === 'string') {
      vector = decodeBase64Floats(embedding)
      if (!vector) throw this.unusable(`data[${position}].embedding is not base64-encoded float32 values`)
    } else if (Array.isArray(embedding)) {
      if (!embedding.every((x) => typeof x === 'number'))
        throw this.unusable(`data[${position}].embedding contains values that are not numbers`)
      vector = Float32Array.from(embedding as number[])
    } else {
      throw this.unusable(`data[${position}].embedding is ${describe(embedding)}, expected a list of numbers`)
    }
    if (vector.length === 0) throw this.unusable(`data[${position}].embedding is empty`)
    if (!vector.every(Number.isFinite)) throw this.unusable(`data[${position}].embedding contains NaN or Infinity`)
    return vector
  }

  /** Every vector of one response, and of every later response, must have the same length. */
  private checkDimensions(vectors: Float32Array[]): void {
    const lengths = [...new Set(vectors.map((v) => v.length))]
    if (lengths.length > 1) throw this.unusable(`vectors of different lengths (${lengths.join(', ')}) in one response`)
    const length = lengths[0]
    if (length === undefined) return
    const expected = this.detectedDimensions
    if (expected === undefined) {
      this.detectedDimensions = length
      return
    }
    if (length === expected) return
    const why = {
      config: `dimensions is ${expected} in the config. The server may not support the dimensions option for this model: remove it from the config or choose a model that supports it.`,
      published: `${this.config.model} is published as ${expected}-dimensional. Set dimensions in the config to the size the endpoint really returns.`,
      response: `earlier vectors had ${expected}. Every vector of one memory must come from the same model; check the model and the server behind baseURL.`,
    }[this.dimensionsSource]
    throw new EmbeddingError(`${this.connection.service} returned ${length}-dimensional vectors but ${why}`)
  }

  private unusable(what: string): EmbeddingError {
    return new EmbeddingError(
      `${this.connection.service} sent an unusable embeddings response: ${what}. ` +
        'Check that baseURL points at an OpenAI-compatible /v1 endpoint and that the model is an embedding model.',
    )
  }
}

function checkText(text: unknown, index: number): void {
  if (typeof text !== 'string') throw new ValidationError(`embed(texts): texts[${index}] is ${describe(text)}, expected a string`)
  if (text.trim() === '') throw new ValidationError(`embed(texts): texts[${index}] is empty or whitespace only; there is nothing to embed`)
}

/** Little-endian float32 values, as OpenAI sends with encoding_format base64. */
function decodeBase64Floats(encoded: string): Float32Array | undefined {
  let bytes: Uint8Array<ArrayBuffer>
  try {
    bytes = base64ToBytes(encoded)
  } catch {
    return undefined
  }
  if (bytes.length % 4 !== 0) return undefined
  const view = new DataView(bytes.buffer)
  const out = new Float32Array(bytes.length / 4)
  for (let i = 0; i < out.length; i++) out[i] = view.getFloat32(i * 4, true)
  return out
}

function describe(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'an array'
  if (typeof value === 'string') return `a string (${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)})`
  return typeof value === 'object' ? 'an object' : `${typeof value} ${String(value)}`
}

export function createOpenAIEmbedder(config: OpenAIEmbedderConfig | Record<string, unknown>): OpenAIEmbedder {
  return new OpenAIEmbedder(config as OpenAIEmbedderConfig)
}
