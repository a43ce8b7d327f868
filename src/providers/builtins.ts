import { pineconeConfigSchema } from '../../adapters/pinecone/config.ts'
import { qdrantConfigSchema } from '../../adapters/qdrant/config.ts'
import { upstashConfigSchema } from '../../adapters/upstash/config.ts'
import { registerProvider } from '../registry.ts'
import { openaiEmbedderSchema, openaiLLMSchema } from './openai/config.ts'
import { createOpenAIEmbedder } from './openai/embedder.ts'
import { createOpenAILLM } from './openai/llm.ts'
import { cloudflareKvStorageSchema, type CloudflareKvStorageConfig } from './storage/cloudflare-kv-config.ts'
import { indexedDbStorageSchema } from './storage/indexeddb-config.ts'
import { createMemoryStorage, memoryStorageSchema } from './storage/memory.ts'
import { createFlatStore, flatSchema, type FlatConfig } from './vector-stores/flat.ts'
import { createHnswStore, hnswSchema, type HnswConfig } from './vector-stores/hnsw.ts'
import { createTransformersEmbedder, transformersEmbedderSchema } from './transformers/provider.ts'

/**
 * The built-in providers, one line each. Heavy or runtime-specific providers are registered with a
 * small synchronous config schema and a factory that imports their module on first use, so the core
 * bundle never pulls them in eagerly (bundlers split them into their own chunks).
 */
export function registerBuiltinProviders(): void {
  registerProvider('storage', 'memory', () => createMemoryStorage(), { schema: memoryStorageSchema })
  registerProvider('storage', 'indexeddb', async (c) => (await import('./storage/indexeddb.ts')).createIndexedDbStorage(c), {
    schema: indexedDbStorageSchema,
  })
  registerProvider(
    'storage',
    'cloudflare-kv',
    async (c) => (await import('./storage/cloudflare-kv.ts')).createCloudflareKvStorage(c as CloudflareKvStorageConfig),
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
  registerProvider(
    'vectorStore',
    'upstash',
    async (c, ctx) => (await import('../../adapters/upstash.ts')).createUpstashVectorStore(c, ctx),
    { schema: upstashConfigSchema },
  )
  registerProvider('vectorStore', 'qdrant', async (c, ctx) => (await import('../../adapters/qdrant.ts')).createQdrantVectorStore(c, ctx), {
    schema: qdrantConfigSchema,
  })
  registerProvider(
    'vectorStore',
    'pinecone',
    async (c, ctx) => (await import('../../adapters/pinecone.ts')).createPineconeVectorStore(c, ctx),
    { schema: pineconeConfigSchema },
  )
}
