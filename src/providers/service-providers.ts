import { defineProvider, type ProviderDefinition } from '../registry.ts'
import { anthropicLLMSchema } from './anthropic/config.ts'
import { azureOpenAIEmbedderSchema, azureOpenAILLMSchema } from './azure-openai/config.ts'
import { bedrockEmbedderSchema, bedrockLLMSchema } from './bedrock/config.ts'
import { cohereEmbedderSchema } from './cohere/config.ts'
import { geminiEmbedderSchema, geminiLLMSchema } from './gemini/config.ts'
import { huggingfaceEmbedderSchema } from './huggingface/config.ts'
import { jinaEmbedderSchema } from './jina/config.ts'
import { cohereRerankerSchema, jinaRerankerSchema, llmRerankerSchema, voyageRerankerSchema } from './rerankers/config.ts'
import { voyageEmbedderSchema } from './voyage/config.ts'
import { createLocalGraphStore, localGraphSchema, type LocalGraphConfig } from './graph-stores/local.ts'
import { workersAIEmbedderSchema, workersAILLMSchema } from './workers-ai/config.ts'

/**
 * The LLMs, embedders and rerankers of other services (Workers AI's too), and the local graph store: registered by the
 * default entry (src/builtins.ts) and, in a Worker, by `import 'edgemem/providers'`
 * (src/entries/providers.ts). Not light: wrangler inlines dynamic imports, so listing them among the light
 * providers would put every implementation into every user's Worker (the 250 KiB budget of
 * test/package/consumer.ts). Config schemas load now, implementations on first use.
 */
export const SERVICE_PROVIDERS: readonly ProviderDefinition[] = [
  // Cloudflare Workers AI (`binding: env.AI`, or its REST API outside Workers). Not light either: with
  // its REST client it would add ~6 KiB gzipped to every user's Worker; a Worker imports edgemem/providers.
  defineProvider({
    kind: 'embedder',
    name: 'workers-ai',
    factory: async (c) => (await import('./workers-ai/workers-ai.ts')).createWorkersAIEmbedder(c),
    options: { schema: workersAIEmbedderSchema },
  }),
  defineProvider({
    kind: 'llm',
    name: 'workers-ai',
    factory: async (c) => (await import('./workers-ai/workers-ai.ts')).createWorkersAILLM(c),
    options: { schema: workersAILLMSchema },
  }),
  // Fetch-only LLMs and embedders of other services: config schemas now, implementations on first use.
  defineProvider({
    kind: 'llm',
    name: 'anthropic',
    factory: async (c) => (await import('./anthropic/llm.ts')).createAnthropicLLM(c),
    options: { schema: anthropicLLMSchema },
  }),
  defineProvider({
    kind: 'llm',
    name: 'gemini',
    factory: async (c) => (await import('./gemini/gemini.ts')).createGeminiLLM(c),
    options: { schema: geminiLLMSchema },
  }),
  defineProvider({
    kind: 'llm',
    name: 'bedrock',
    factory: async (c) => (await import('./bedrock/bedrock.ts')).createBedrockLLM(c),
    options: { schema: bedrockLLMSchema },
  }),
  defineProvider({
    kind: 'llm',
    name: 'azure-openai',
    factory: async (c) => (await import('./azure-openai/azure.ts')).createAzureOpenAILLM(c),
    options: { schema: azureOpenAILLMSchema },
  }),
  defineProvider({
    kind: 'embedder',
    name: 'gemini',
    factory: async (c) => (await import('./gemini/gemini.ts')).createGeminiEmbedder(c),
    options: { schema: geminiEmbedderSchema },
  }),
  defineProvider({
    kind: 'embedder',
    name: 'cohere',
    factory: async (c) => (await import('./cohere/embedder.ts')).createCohereEmbedder(c),
    options: { schema: cohereEmbedderSchema },
  }),
  defineProvider({
    kind: 'embedder',
    name: 'voyage',
    factory: async (c) => (await import('./voyage/embedder.ts')).createVoyageEmbedder(c),
    options: { schema: voyageEmbedderSchema },
  }),
  defineProvider({
    kind: 'embedder',
    name: 'jina',
    factory: async (c) => (await import('./jina/embedder.ts')).createJinaEmbedder(c),
    options: { schema: jinaEmbedderSchema },
  }),
  defineProvider({
    kind: 'embedder',
    name: 'bedrock',
    factory: async (c) => (await import('./bedrock/bedrock.ts')).createBedrockEmbedder(c),
    options: { schema: bedrockEmbedderSchema },
  }),
  defineProvider({
    kind: 'embedder',
    name: 'azure-openai',
    factory: async (c) => (await import('./azure-openai/azure.ts')).createAzureOpenAIEmbedder(c),
    options: { schema: azureOpenAIEmbedderSchema },
  }),
  defineProvider({
    kind: 'embedder',
    name: 'huggingface',
    factory: async (c) => (await import('./huggingface/embedder.ts')).createHuggingfaceEmbedder(c),
    options: { schema: huggingfaceEmbedderSchema },
  }),
  defineProvider({
    kind: 'reranker',
    name: 'cohere',
    factory: async (c) => (await import('./rerankers/api.ts')).createCohereReranker(c),
    options: { schema: cohereRerankerSchema },
  }),
  defineProvider({
    kind: 'reranker',
    name: 'jina',
    factory: async (c) => (await import('./rerankers/api.ts')).createJinaReranker(c),
    options: { schema: jinaRerankerSchema },
  }),
  defineProvider({
    kind: 'reranker',
    name: 'voyage',
    factory: async (c) => (await import('./rerankers/api.ts')).createVoyageReranker(c),
    options: { schema: voyageRerankerSchema },
  }),
  defineProvider({
    kind: 'reranker',
    name: 'llm',
    factory: async (c, ctx) => (await import('./rerankers/llm.ts')).createLLMReranker(c, ctx),
    options: { schema: llmRerankerSchema },
  }),
  defineProvider({
    kind: 'graphStore',
    name: 'local',
    factory: (c, ctx) => createLocalGraphStore(c as LocalGraphConfig, ctx),
    options: { schema: localGraphSchema },
  }),
]
