// The Vercel AI SDK with edgemem (docs/ai-sdk.md): a model wrapped with memoryMiddleware gets the user's
// relevant memories in its prompt and stores each exchange. Memories persist in a directory of files,
// embeddings are computed on this machine.
//   node examples/ai-sdk.ts "what instrument do I play?" [directory]
// The model here is a stand-in that answers from the memories it was given (so the example runs offline
// with no API key); in an app pass a real one, e.g. `openai('gpt-4.1-mini')` from @ai-sdk/openai.
import { generateText, wrapLanguageModel } from 'ai'
import { MockLanguageModelV4 } from 'ai/test'
import { Memory, type MemoryItem } from 'edgemem'
import { defaultFormatMemories, memoryMiddleware } from 'edgemem/ai'
import { FileStorage } from 'edgemem/file-storage'

const models = process.env.EDGEMEM_MODELS_DIR // local model files; unset: downloaded once from the hub
const memory = new Memory({
  embedder: {
    provider: 'transformers',
    config: { model: process.env.EDGEMEM_MODEL ?? 'Xenova/all-MiniLM-L6-v2', localModelPath: models, allowRemoteModels: !models },
  },
  storage: new FileStorage(process.argv[3] ?? '.edgemem-ai'),
})
const notes = ['I am vegetarian and allergic to nuts', 'My sister Ana lives in Porto', 'I play the cello in an orchestra']
const added = await memory.add(
  notes.map((content) => ({ role: 'user', content })),
  { userId: 'alice', metadata: { kind: 'note' } },
)

const standIn = new MockLanguageModelV4({
  doGenerate: async ({ prompt }) => {
    const context = prompt.find((m) => m.role === 'system' && m.content.startsWith('Relevant memories'))
    const first = context?.role === 'system' ? context.content.split('\n- ')[1] : undefined
    const text = first ? `From what you told me: ${first}.` : 'I do not know yet.'
    return {
      content: [{ type: 'text', text }],
      finishReason: { unified: 'stop', raw: 'stop' },
      usage: {
        inputTokens: { total: 0, noCache: 0, cacheRead: undefined, cacheWrite: undefined },
        outputTokens: { total: 0, text: 0, reasoning: undefined },
      },
      warnings: [],
    }
  },
})

let retrieved: MemoryItem[] = []
const model = wrapLanguageModel({
  model: standIn,
  middleware: memoryMiddleware(memory, {
    userId: 'alice',
    topK: 3,
    filters: { kind: 'note' }, // retrieve the notes; the stored exchanges are kind "chat"
    metadata: { kind: 'chat' },
    infer: false, // no LLM configured for extraction: store the exchange as said
    formatMemories: (items) => {
      retrieved = items
      return defaultFormatMemories(items)
    },
  }),
})

const { text } = await generateText({ model, prompt: process.argv[2] ?? 'what instrument do I play?' })
const chats = await memory.getAll({ userId: 'alice', filters: { kind: 'chat' } })
console.log(`model: ${text}`)
console.log(`stored exchange: ${chats.results.length} memories`)
console.log(`added ${added.results.length}, best match: ${retrieved[0]?.memory} (${retrieved[0]?.score?.toFixed(3)})`)
await memory.close()
