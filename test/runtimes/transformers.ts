// Runs the transformers embedder with the stand-in models in whatever runtime executes this file:
//   node test/runtimes/transformers.ts | deno run -A test/runtimes/transformers.ts | bun test/runtimes/transformers.ts
// (npm run test:runtimes:transformers runs all three). Exits non-zero on the first failed check.
import { env } from '@huggingface/transformers'
import { TransformersEmbedder } from '../../src/providers/transformers/embedder.ts'
import type { TransformersProgressEvent } from '../../src/providers/transformers/progress.ts'
import { MODEL_DIMENSIONS, RANDOM_MINILM_MODEL, sharedModelsDir, WORDNET_MODEL } from '../support/models.ts'

const g = globalThis as { Deno?: { version: { deno: string } }; Bun?: { version: string }; process?: { versions: { node: string }; exitCode?: number } }
const runtime = g.Deno ? `deno ${g.Deno.version.deno}` : g.Bun ? `bun ${g.Bun.version}` : `node ${g.process?.versions.node}`

let passed = 0
let failed = 0
async function check(name: string, fn: () => Promise<void>): Promise<void> {
  try {
    await fn()
    passed++
    console.log(`  ok   ${name}`)
  } catch (error) {
    failed++
    console.log(`  FAIL ${name}: ${error instanceof Error ? error.message : String(error)}`)
  }
}
function assert(condition: boolean, message: string): void {
  if (!condition) throw new Error(message)
}
const dot = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  let sum = 0
  for (let i = 0; i < a.length; i++) sum += a[i]! * b[i]!
  return sum
}

const localModelPath = sharedModelsDir()
// Which ONNX Runtime build transformers.js picked here (node = native onnxruntime-node, web = WASM).
const ortVersions = (env.backends.onnx as { versions?: Record<string, string> }).versions ?? {}
console.log(`transformers embedder on ${runtime}, onnxruntime ${JSON.stringify(ortVersions)}`)

await check('WordNet model: related pair scores higher than unrelated pair', async () => {
  const embedder = new TransformersEmbedder({ model: WORDNET_MODEL, localModelPath, allowRemoteModels: false })
  const [car, automobile, dog] = await embedder.embed(['car', 'automobile', 'dog'])
  const related = dot(car!, automobile!)
  const unrelated = dot(car!, dog!)
  assert(related > 0.8 && unrelated < 0.3, `car~automobile ${related.toFixed(3)}, car~dog ${unrelated.toFixed(3)}`)
  await embedder.close()
})

await check('MiniLM-shaped model: 384 dims, unit vectors, batched equals single, progress ends with ready', async () => {
  const events: TransformersProgressEvent[] = []
  const embedder = new TransformersEmbedder({
    model: RANDOM_MINILM_MODEL,
    localModelPath,
    allowRemoteModels: false,
    batchSize: 3,
    onProgress: (event) => events.push(event),
  })
  const texts = ['one', 'a longer second sentence', 'three', 'the fourth and longest sentence of this small set', 'five']
  const [batched] = await Promise.all([embedder.embed(texts), embedder.ready()])
  assert(embedder.dimensions === MODEL_DIMENSIONS, `dimensions ${embedder.dimensions}`)
  assert(events.filter((e) => e.status === 'ready').length === 1 && events.at(-1)?.status === 'ready', 'one ready event, last')
  for (let i = 0; i < texts.length; i++) {
    const [single] = await embedder.embed([texts[i]!])
    const v = batched[i]!
    assert(v.length === MODEL_DIMENSIONS, `length ${v.length}`)
    assert(Math.abs(Math.sqrt(dot(v, v)) - 1) < 1e-4, 'unit length')
    let diff = 0
    for (let k = 0; k < v.length; k++) diff = Math.max(diff, Math.abs(v[k]! - single![k]!))
    assert(diff < 5e-3, `text ${i}: batched vs single differ by ${diff}`)
  }
  await embedder.close()
})

await check('missing weights for a dtype give an EmbeddingError naming the file', async () => {
  const embedder = new TransformersEmbedder({ model: RANDOM_MINILM_MODEL, dtype: 'fp32', localModelPath, allowRemoteModels: false })
  const error = await embedder.ready().then(() => undefined, (e: unknown) => e as { code?: string; message?: string })
  assert(error?.code === 'EMBEDDING' && (error.message ?? '').includes('onnx/model.onnx'), `got ${error?.message}`)
})

console.log(`${runtime}: ${passed} passed, ${failed} failed`)
if (failed > 0) {
  if (g.Deno) (g.Deno as unknown as { exit(code: number): never }).exit(1)
  if (g.process) g.process.exitCode = 1
}
