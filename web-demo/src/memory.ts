// The demo's edgemem instance: on-device embeddings (transformers.js, files from this origin), the
// in-process WASM HNSW index and IndexedDB storage. An LLM is added only when the person set up an
// OpenAI-compatible endpoint in the Settings panel. The embedder is given as a provider spec, so the
// core loads transformers.js and ONNX Runtime in a chunk of their own: the page is usable (and shows
// the model's progress) before they arrive.
import { Memory, type MemoryConfig, registerProvider, useCompromise } from 'edgemem'
import { LocalGraphStore } from 'edgemem/graph'
import type { TransformersProgressListener } from 'edgemem/transformers'
import ortMjs from 'onnxruntime-web-dist/ort-wasm-simd-threaded.asyncify.mjs?url'
import ortWasm from 'onnxruntime-web-dist/ort-wasm-simd-threaded.asyncify.wasm?url'
import { absolute, modelsLocation, type DemoSettings } from './settings.ts'

export const DB_NAME = 'edgemem-demo'

/** One collection per model: vectors of different models are not comparable. */
export function collectionFor(model: string): string {
  return `demo-${model.replace(/[^A-Za-z0-9_-]/g, '_')}`.slice(0, 64)
}

/**
 * Graph memory (docs/graph.md) in the Memory's own IndexedDB storage: the `local` graph store, registered
 * under a name of the demo's so the page keeps the instance and can draw the user's graph
 * (listEntities, listRelations). The store is exactly what `graphStore: { provider: 'local' }` creates.
 */
let graphStore: LocalGraphStore | undefined
registerProvider({
  kind: 'graphStore',
  name: 'demo-local',
  factory: (_config, context) => {
    if (!context.storage) throw new Error('the demo graph store needs the Memory storage')
    graphStore = new LocalGraphStore({ storage: context.storage, collection: context.collection })
    return graphStore
  },
})

/** The graph store of the demo's Memory (created by its first use: `memory.ready()`). */
export function demoGraphStore(): LocalGraphStore {
  if (!graphStore) throw new Error('the graph store is not open yet')
  return graphStore
}

export async function createDemoMemory(settings: DemoSettings, onProgress: TransformersProgressListener): Promise<Memory> {
  // LLM-free entity linking (add with infer: false) uses compromise. The library imports it by name at
  // run time, which a browser cannot resolve: the demo bundles it (a chunk of its own) and hands it over.
  useCompromise((await import('compromise')).default)
  // On-device embeddings in a browser app: importing edgemem/transformers makes the bundler include
  // transformers.js (an optional peer dependency of edgemem, docs/providers/transformers.md). Imported
  // dynamically, it gets a chunk of its own, so the page shows its progress before it arrives.
  await import('edgemem/transformers')
  const config: MemoryConfig = {
    embedder: {
      provider: 'transformers',
      config: {
        model: settings.model,
        ...(settings.modelsPath ? { localModelPath: modelsLocation(settings.modelsPath) } : {}),
        allowRemoteModels: settings.allowRemoteModels,
        // ONNX Runtime's two files, emitted by the build next to the app: loaded from this origin only
        // (never the CDN that transformers.js defaults to), and named exactly so transformers.js can keep
        // them in the Cache API. Vite's dev server serves onnxruntime-web's dist/ at ort/ instead.
        wasmPaths: import.meta.env.DEV ? absolute('ort/') : { wasm: absolute(ortWasm), mjs: absolute(ortMjs) },
        onProgress,
      },
    },
    vectorStore: { provider: 'hnsw' },
    storage: { provider: 'indexeddb', config: { dbName: DB_NAME } },
    collection: collectionFor(settings.model),
    // Graph memory: entities linked LLM-free on every add; with an LLM, relations too (one call).
    graphStore: { provider: 'demo-local' } as unknown as MemoryConfig['graphStore'],
  }
  if (settings.llm) {
    const { baseURL, apiKey, model } = settings.llm
    config.llm = { provider: 'openai', config: { baseURL, ...(model ? { model } : {}), ...(apiKey ? { apiKey } : {}) } }
  }
  return new Memory(config)
}
