// Node: memories kept in a directory of files (edgemem/file-storage), embeddings computed on this machine.
//   node examples/node.ts "what instrument do I play?" [directory]
import { Memory } from 'edgemem'
import { FileStorage } from 'edgemem/file-storage'

const models = process.env.EDGEMEM_MODELS_DIR // local model files; unset: downloaded once from the hub
const memory = new Memory({
  embedder: {
    provider: 'transformers',
    config: { model: process.env.EDGEMEM_MODEL ?? 'Xenova/all-MiniLM-L6-v2', localModelPath: models, allowRemoteModels: !models },
  },
  storage: new FileStorage(process.argv[3] ?? '.edgemem'),
})
const notes = ['I am vegetarian and allergic to nuts', 'My sister Ana lives in Porto', 'I play the cello in an orchestra']
const added = await memory.add(
  notes.map((content) => ({ role: 'user', content })),
  { userId: 'alice' },
)
const { results } = await memory.search(process.argv[2] ?? 'what instrument do I play?', { userId: 'alice', topK: 1 })
console.log(`added ${added.results.length}, best match: ${results[0]?.memory} (${results[0]?.score?.toFixed(3)})`)
await memory.close()
