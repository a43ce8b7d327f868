// Bun: memories kept in a SQLite file (./bun-sqlite-storage.ts), embeddings computed on this machine.
//   bun examples/bun.ts "where does my sister live?" [database file]
import { Memory } from 'edgemem'
import { BunSqliteStorage } from './bun-sqlite-storage.ts'

const models = Bun.env.EDGEMEM_MODELS_DIR // local model files; unset: downloaded once from the hub
const memory = new Memory({
  embedder: {
    provider: 'transformers',
    config: { model: Bun.env.EDGEMEM_MODEL ?? 'Xenova/all-MiniLM-L6-v2', localModelPath: models, allowRemoteModels: !models },
  },
  storage: new BunSqliteStorage(Bun.argv[3] ?? 'edgemem.sqlite'),
})
const notes = ['I am vegetarian and allergic to nuts', 'My sister Ana lives in Porto', 'I play the cello in an orchestra']
const added = await memory.add(
  notes.map((content) => ({ role: 'user', content })),
  { userId: 'alice' },
)
const { results } = await memory.search(Bun.argv[2] ?? 'where does my sister live?', { userId: 'alice', topK: 1 })
console.log(`added ${added.results.length}, best match: ${results[0]?.memory} (${results[0]?.score?.toFixed(3)})`)
await memory.close()
