import { defineProvider, type ProviderDefinition } from '../registry.ts'
import { openaiEmbedderSchema, openaiLLMSchema } from './openai/config.ts'
import { createOpenAIEmbedder } from './openai/embedder.ts'
import { createOpenAILLM } from './openai/llm.ts'
import { cloudflareKvStorageSchema, type CloudflareKvStorageConfig } from './storage/cloudflare-kv-config.ts'
import { createMemoryStorage, memoryStorageSchema } from './storage/memory.ts'
import { createFlatStore, flatSchema, type FlatConfig } from './vector-stores/flat.ts'

/**
 * The providers every entry of edgemem registers, the workerd one included: small, fetch-only, and what a
 * Worker typically uses (the local engine without the hnsw WebAssembly, Workers KV, any OpenAI-compatible
 * endpoint). A provider belongs here only if every Worker can afford it: the Worker bundle budget test
 * (test/package/worker-bundle.ts) fails when this list outgrows 250 KiB gzipped. The openai package
 * itself is imported on the first request (src/providers/openai/client.ts).
 */
export const LIGHT_PROVIDERS: readonly ProviderDefinition[] = [
  defineProvider({ kind: 'storage', name: 'memory', factory: () => createMemoryStorage(), options: { schema: memoryStorageSchema } }),
  defineProvider({
    kind: 'storage',
    name: 'cloudflare-kv',
    factory: async (c) => (await import('./storage/cloudflare-kv.ts')).createCloudflareKvStorage(c as CloudflareKvStorageConfig),
    options: { schema: cloudflareKvStorageSchema },
  }),
  defineProvider({
    kind: 'vectorStore',
    name: 'flat',
    factory: (c, ctx) => createFlatStore(c as FlatConfig, ctx),
    options: { schema: flatSchema },
  }),
  defineProvider({ kind: 'embedder', name: 'openai', factory: (c) => createOpenAIEmbedder(c), options: { schema: openaiEmbedderSchema } }),
  defineProvider({ kind: 'llm', name: 'openai', factory: (c) => createOpenAILLM(c), options: { schema: openaiLLMSchema } }),
]
