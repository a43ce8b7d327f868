// Deno: memories kept in a Qdrant server (vectors and payloads), embeddings computed on this machine.
//   deno run --allow-env --allow-read --allow-ffi --allow-sys --allow-net examples/deno.ts "what am I allergic to?"
import { Memory } from 'edgemem'

const models = Deno.env.get('EDGEMEM_MODELS_DIR') // local model files; unset: downloaded once from the hub
const memory = new Memory({
  embedder: {
    provider: 'transformers',
    config: { model: Deno.env.get('EDGEMEM_MODEL') ?? 'Xenova/all-MiniLM-L6-v2', localModelPath: models, allowRemoteModels: !models },
  },
  vectorStore: {
    provider: 'qdrant',
    config: { url: Deno.env.get('QDRANT_URL') ?? 'http://localhost:6333', apiKey: Deno.env.get('QDRANT_API_KEY') },
  },
})
const notes = ['I am vegetarian and allergic to nuts', 'My sister Ana lives in Porto', 'I play the cello in an orchestra']
const added = await memory.add(
  notes.map((content) => ({ role: 'user', content })),
  { userId: 'alice' },
)
const { results } = await memory.search(Deno.args[0] ?? 'what am I allergic to?', { userId: 'alice', topK: 1 })
console.log(`added ${added.results.length}, best match: ${results[0]?.memory} (${results[0]?.score?.toFixed(3)})`)
await memory.close()
