import { pineconeConfigSchema } from '../adapters/pinecone/config.ts'
import { qdrantConfigSchema } from '../adapters/qdrant/config.ts'
import { upstashConfigSchema } from '../adapters/upstash/config.ts'
import { registerProvider } from './registry.ts'
import { openaiEmbedderSchema, openaiLLMSchema } from './providers/openai/config.ts'
import { createOpenAIEmbedder } from './providers/openai/embedder.ts'
import { createOpenAILLM } from './providers/openai/llm.ts'
import { cloudflareKvStorageSchema, type CloudflareKvStorageConfig } from './providers/storage/cloudflare-kv-config.ts'
import { indexedDbStorageSchema } from './providers/storage/indexeddb-config.ts'
import { createMemoryStorage, memoryStorageSchema } from './providers/storage/memory.ts'
import { createFlatStore, flatSchema, type FlatConfig } from './providers/vector-stores/flat.ts'
import { createHnswStore, hnswSchema, type HnswConfig } from './providers/vector-stores/hnsw.ts'
import { createTransformersEmbedder, transformersEmbedderSchema } from './providers/transformers/provider.ts'

/**
 * The composition root: the one module that wires every built-in provider and adapter into the
 * registry, one line each. It is the only module in src/ that imports adapters/ (adapters build on the
 * core through src/internal.ts; test/unit/boundaries.test.ts holds both rules), and only src/index.ts
 * runs it. Heavy or runtime-specific providers are registered with a small synchronous config schema
 * and a factory that imports their module on first use, so the core bundle never pulls them in eagerly
 * (bundlers split them into their own chunks).
 */
export function registerBuiltinProviders(): void {
  registerProvider('storage', 'memory', () => createMemoryStorage(), { schema: memoryStorageSchema })
  registerProvider('storage', 'indexeddb', async (c) => (await import('./providers/storage/indexeddb.ts')).createIndexedDbStorage(c), {
    schema: indexedDbStorageSchema,
  })
  registerProvider(
    'storage',
    'cloudflare-kv',
    async (c) => (await import('./providers/storage/cloudflare-kv.ts')).createCloudflareKvStorage(c as CloudflareKvStorageConfig),
    { schema: cloudflareKvStorageSchema },
  )
  // The openai package itself is imported on the first request (src/providers/openai/client.ts).
  registerProvider('embedder', 'openai', (c) => createOpenAIEmbedder(c), { schema: openaiEmbedderSchema })
  registerProvider('llm', 'openai', (c) => createOpenAILLM(c), { schema: openaiLLMSchema })
  registerProvider('vectorStore', 'flat', (c, ctx) => createFlatStore(c as FlatConfig, ctx), { schema: flatSchema })
  // The hnswlib WebAssembly loader and binary are imported on first use (src/local/hnsw/load-module.ts).
  registerProvider('vectorStore', 'hnsw', (c, ctx) => createHnswStore(c as HnswConfig, ctx), { schema: hnswSchema })
  registerProvider('embedder', 'transformers', createTransformersEmbedder, { schema: transformersEmbedderSchema })
  // Remote vector stores: only their zod config schema is loaded eagerly; the adapter on first use.
  registerProvider('vectorStore', 'upstash', async (c, ctx) => (await import('../adapters/upstash.ts')).createUpstashVectorStore(c, ctx), {
    schema: upstashConfigSchema,
  })
  registerProvider('vectorStore', 'qdrant', async (c, ctx) => (await import('../adapters/qdrant.ts')).createQdrantVectorStore(c, ctx), {
    schema: qdrantConfigSchema,
  })
  registerProvider(
    'vectorStore',
    'pinecone',
    async (c, ctx) => (await import('../adapters/pinecone.ts')).createPineconeVectorStore(c, ctx),
    { schema: pineconeConfigSchema },
  )
}
