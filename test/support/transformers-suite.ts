// Behaviour of the transformers embedder that must hold in every runtime that can run it (Node and
// Chromium run this suite). Semantic assertions use only the WordNet stand-in model; the random MiniLM
// checks plumbing (shapes, batching, progress, single-flight), never meaning.
import { EmbeddingError } from '../../src/errors.ts'
import type { TransformersEmbedderOptions } from '../../src/providers/transformers/config.ts'
import { TransformersEmbedder } from '../../src/providers/transformers/index.ts'
import type { TransformersProgressEvent } from '../../src/providers/transformers/progress.ts'
import { describe, expect, it } from '../harness.ts'
import { MODEL_DIMENSIONS, RANDOM_MODEL, WORDNET_MODEL } from './models.ts'

export interface TransformersSuiteSetup {
  /** Where the shared models are for this runtime: a directory (Node) or URL path (browser). */
  modelsPath: string
  /** Options every embedder of the suite gets besides model and paths (e.g. wasmPaths in browsers). */
  base?: TransformersEmbedderOptions
}

function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let sum = 0
  for (let i = 0; i < a.length; i++) sum += a[i]! * b[i]!
  return sum
}

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let max = 0
  for (let i = 0; i < a.length; i++) max = Math.max(max, Math.abs(a[i]! - b[i]!))
  return max
}

/** Sentences of varied length, so length-sorted batching reorders them. */
function mixedTexts(count: number): string[] {
  const words = ['memory', 'agent', 'river', 'quiet', 'number', 'garden', 'yellow', 'engine', 'letter', 'window']
  return Array.from({ length: count }, (_, i) =>
    Array.from({ length: 1 + ((i * 7) % 23) }, (_, k) => words[(i + k * 3) % words.length]).join(' '),
  )
}

export function describeTransformersEmbedder(runtime: string, setup: () => TransformersSuiteSetup): void {
  const make = (options: TransformersEmbedderOptions): TransformersEmbedder => {
    const { modelsPath, base } = setup()
    return new TransformersEmbedder({ localModelPath: modelsPath, allowRemoteModels: false, ...base, ...options })
  }

  describe(`transformers embedder (${runtime})`, () => {
    it('embeds related sentences closer than unrelated ones (WordNet model)', async () => {
      const embedder = make({ model: WORDNET_MODEL })
      const [car, automobile, dog] = await embedder.embed(['car', 'automobile', 'dog'])
      expect(dot(car!, automobile!)).toBeGreaterThan(0.8)
      expect(dot(car!, dog!)).toBeLessThan(0.3)

      const memories = ['I love eating pizza', 'My car needs new tires', 'My dog is sick', 'I play the guitar in a band']
      const queries = ['food I eat', 'automobile repair', 'puppy illness', 'musical instrument']
      const memoryVectors = await embedder.embed(memories)
      const queryVectors = await embedder.embed(queries)
      queryVectors.forEach((query, expected) => {
        const scores = memoryVectors.map((memory) => dot(query, memory))
        const best = scores.indexOf(Math.max(...scores))
        expect(memories[best], `best match for "${queries[expected]}"`).toBe(memories[expected])
      })
      await embedder.close()
    })

    it('returns one unit-length Float32Array per text, in input order, and detects 384 dimensions', async () => {
      const embedder = make({ model: RANDOM_MODEL })
      expect(embedder.dimensions).toBeUndefined()
      const texts = ['a somewhat longer first sentence than the others', 'short', 'medium length text']
      const vectors = await embedder.embed(texts)
      expect(embedder.dimensions).toBe(MODEL_DIMENSIONS)
      expect(vectors).toHaveLength(3)
      for (const vector of vectors) {
        expect(vector).toBeInstanceOf(Float32Array)
        expect(vector).toHaveLength(MODEL_DIMENSIONS)
        expect(Math.sqrt(dot(vector, vector))).toBeCloseTo(1, 4)
      }
      // Input order survives length sorting: each vector equals the text embedded alone.
      for (let i = 0; i < texts.length; i++) {
        const [alone] = await embedder.embed([texts[i]!])
        expect(maxAbsDiff(alone!, vectors[i]!)).toBeLessThan(5e-3)
      }
      expect(await embedder.embed([])).toEqual([])
      // Texts longer than the model's 512 positions are truncated, not rejected.
      const [long] = await embedder.embed(['word '.repeat(3000)])
      expect(long).toHaveLength(MODEL_DIMENSIONS)
      await expect(embedder.embed(['ok', 42 as unknown as string])).rejects.toThrow(/texts\[1\] is number/)
      await embedder.close()
    })

    it('gives the same vectors batched as one at a time', async () => {
      const texts = mixedTexts(23)
      for (const model of [RANDOM_MODEL, WORDNET_MODEL]) {
        const embedder = make({ model, batchSize: 4 })
        const batched = await embedder.embed(texts)
        const single: Float32Array[] = []
        for (const text of texts) single.push((await embedder.embed([text]))[0]!)
        // q8 weights quantise activations per call, so batch composition moves values slightly (~1e-3
        // for a MiniLM); the generated models have no such step, but the bound still holds for them.
        const tolerance = model === WORDNET_MODEL ? 1e-5 : 5e-3
        texts.forEach((_, i) => {
          expect(maxAbsDiff(batched[i]!, single[i]!), `${model} text ${i}`).toBeLessThan(tolerance)
        })
        // Different texts really give different vectors (the comparison above is not vacuous).
        expect(maxAbsDiff(batched[0]!, batched[1]!)).toBeGreaterThan(tolerance * 4)
        await embedder.close()
      }
    })

    it('loads once for concurrent first calls and reports progress ending with ready', async () => {
      const events: TransformersProgressEvent[] = []
      const embedder = make({ model: RANDOM_MODEL, onProgress: (event) => events.push(event) })
      const results = await Promise.all([
        embedder.embed(['one']),
        embedder.embed(['two', 'three']),
        embedder.ready(),
        embedder.embed(['four']),
      ])
      expect(results[1]).toHaveLength(2)

      const ready = events.filter((e) => e.status === 'ready')
      expect(ready).toHaveLength(1)
      expect(events.at(-1)).toEqual({
        status: 'ready',
        model: RANDOM_MODEL,
        dimensions: MODEL_DIMENSIONS,
        loadMs: expect.any(Number),
      })
      expect(events.filter((e) => e.status === 'initiate' && e.file === 'config.json')).toHaveLength(1)

      // Per file: initiate, download, progress..., done, each exactly once and in that order.
      const files = new Set(events.flatMap((e) => ('file' in e ? [e.file] : [])))
      expect(files).toContain('config.json')
      expect(files).toContain('tokenizer.json')
      expect(files).toContain('onnx/model_quantized.onnx')
      for (const file of files) {
        const statuses = events.filter((e) => 'file' in e && e.file === file).map((e) => e.status)
        expect(statuses[0], file).toBe('initiate')
        expect(statuses.at(-1), file).toBe('done')
        expect(
          statuses.filter((s) => s === 'initiate' || s === 'done'),
          file,
        ).toEqual(['initiate', 'done'])
      }

      const progress = events.filter((e) => e.status === 'progress')
      expect(progress.length).toBeGreaterThan(0)
      let overall = 0
      for (const event of progress) {
        expect(event.progress).toBeGreaterThanOrEqual(0)
        expect(event.progress).toBeLessThanOrEqual(100)
        expect(event.loaded).toBeLessThanOrEqual(event.total || Number.POSITIVE_INFINITY)
        expect(event.overall).toBeGreaterThanOrEqual(overall)
        overall = event.overall
      }
      expect(overall).toBeGreaterThan(99.9)

      // Once loaded, further calls load nothing.
      const before = events.length
      await embedder.embed(['five'])
      expect(events.length).toBe(before)

      // close() frees the model; the next call loads it again (a second ready).
      await embedder.close()
      await embedder.embed(['six'])
      expect(events.filter((e) => e.status === 'ready')).toHaveLength(2)
      await embedder.close()
    })

    it("keeps each embedder's settings apart when loads overlap", async () => {
      const { modelsPath } = setup()
      const nested = `${modelsPath.endsWith('/') ? modelsPath : `${modelsPath}/`}local/`
      // The same model reached through two different localModelPath values, loaded at the same time:
      // if one load saw the other's path, it would look in the wrong directory and fail.
      const a = make({ model: WORDNET_MODEL })
      const b = make({ model: 'wordnet-static-384', localModelPath: nested })
      const c = make({ model: WORDNET_MODEL, localModelPath: `${nested}missing/` })
      const [va, vb, vc] = await Promise.allSettled([a.embed(['harbor ship']), b.embed(['harbor ship']), c.ready()])
      expect(va.status).toBe('fulfilled')
      expect(vb.status).toBe('fulfilled')
      expect(vc.status).toBe('rejected')
      if (va.status === 'fulfilled' && vb.status === 'fulfilled') expect(maxAbsDiff(va.value[0]!, vb.value[0]!)).toBeLessThan(1e-6)
      await Promise.all([a.close(), b.close()])
    })

    describe('load errors name the model, the path tried and the fix', () => {
      it('missing model directory', async () => {
        const { modelsPath } = setup()
        const error = await make({ model: 'local/no-such-model' })
          .ready()
          .catch((e: unknown) => e)
        expect(error).toBeInstanceOf(EmbeddingError)
        const message = (error as Error).message
        expect(message).toContain('"local/no-such-model"')
        // Files load in parallel (which one is found missing first varies): the directory is what is stable.
        expect(message).toContain(`the model's files are not at "${modelsPath.replace(/\/?$/, '/')}local/no-such-model/"`)
        expect(message).toContain('allowRemoteModels')
      })

      it('no weights file for the dtype, listing the formats that exist', async () => {
        const error = await make({ model: RANDOM_MODEL, dtype: 'fp32' })
          .ready()
          .catch((e: unknown) => e)
        expect(error).toBeInstanceOf(EmbeddingError)
        const message = (error as Error).message
        expect(message).toContain('no weights for dtype "fp32"')
        expect(message).toContain(`${RANDOM_MODEL}/onnx/model.onnx`)
        expect(message).toContain('This model has weights for: q8')
      })

      it('wrong localModelPath', async () => {
        const error = await make({ model: WORDNET_MODEL, localModelPath: '/no/such/models/' })
          .ready()
          .catch((e: unknown) => e)
        expect(error).toBeInstanceOf(EmbeddingError)
        // The model's files are requested in parallel: the message leads with the directory, not with
        // whichever file happened to be found missing first.
        expect((error as Error).message).toContain(`the model's files are not at "/no/such/models/${WORDNET_MODEL}/"`)
        expect((error as Error).message).toContain('Check the model id and localModelPath')
      })

      it('remote downloads disabled and the default model not served locally', async () => {
        const events: TransformersProgressEvent[] = []
        const embedder = make({ onProgress: (event) => events.push(event) })
        const error = await embedder.embed(['x']).catch((e: unknown) => e)
        expect(error).toBeInstanceOf(EmbeddingError)
        expect((error as Error).message).toContain('"Xenova/all-MiniLM-L6-v2"')
        expect((error as Error).message).toContain('remote downloads are disabled (allowRemoteModels: false)')
        expect(events.at(-1)).toMatchObject({ status: 'error', model: 'Xenova/all-MiniLM-L6-v2' })
        expect(events.some((e) => e.status === 'ready')).toBe(false)
      })
    })
  })
}
