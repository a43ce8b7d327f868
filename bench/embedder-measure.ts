// The embedding measurement itself, shared by the Node run and the Chromium page (bench/embedder.browser.ts),
// so both runtimes measure exactly the same thing.
import type { TransformersEmbedderOptions } from '../src/providers/transformers/config.ts'
import { TransformersEmbedder } from '../src/providers/transformers/index.ts'

export interface EmbedBenchResult {
  model: string
  /** new TransformersEmbedder(...).ready(): files read, ONNX session created, dimensions probed. */
  loadMs: number
  /** One embed([text]) call per sentence, sequentially. */
  singlePerSec: number
  /** One embed(texts) call with all sentences (split into batchSize batches by the embedder). */
  batchedPerSec: number
  batchSize: number
  sentences: number
}

const SUBJECTS = ['My sister', 'The new manager', 'Our team', 'My doctor', 'The landlord', 'A friend from school', 'The client', 'My son']
const VERBS = ['prefers', 'asked about', 'is allergic to', 'recommended', 'moved the meeting about', 'wants to learn', 'forgot', 'booked']
const OBJECTS = [
  'green tea in the morning',
  'the quarterly budget review',
  'peanuts and shellfish',
  'a quiet hotel near the station',
  'the flight to Lisbon next Tuesday',
  'Spanish lessons on weekends',
  'the password for the shared drive',
  'vegetarian restaurants downtown',
]

/** Short memory-like sentences (6 to 12 words), deterministic. */
export function benchSentences(count = 64): string[] {
  return Array.from({ length: count }, (_, i) => `${SUBJECTS[i % 8]} ${VERBS[(i * 3 + 1) % 8]} ${OBJECTS[(i * 5 + 2) % 8]}.`)
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const mid = sorted.length >> 1
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2
}

/** Loads the model (timed), warms up, then times single and batched embedding; rates are medians of `rounds`. */
export async function measureEmbedder(options: TransformersEmbedderOptions & { model: string }, rounds = 3): Promise<EmbedBenchResult> {
  const sentences = benchSentences()
  const started = performance.now()
  const embedder = new TransformersEmbedder(options)
  await embedder.ready()
  const loadMs = performance.now() - started
  await embedder.embed(sentences.slice(0, 4))

  const single: number[] = []
  const batched: number[] = []
  for (let round = 0; round < rounds; round++) {
    let t = performance.now()
    for (const sentence of sentences) await embedder.embed([sentence])
    single.push(sentences.length / ((performance.now() - t) / 1000))
    t = performance.now()
    await embedder.embed(sentences)
    batched.push(sentences.length / ((performance.now() - t) / 1000))
  }
  await embedder.close()
  return {
    model: options.model,
    loadMs,
    singlePerSec: median(single),
    batchedPerSec: median(batched),
    batchSize: embedder.config.batchSize,
    sentences: sentences.length,
  }
}
