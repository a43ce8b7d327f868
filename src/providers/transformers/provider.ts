import type { Embedder } from '../../interfaces/embedder.ts'
import { defineProvider } from '../../registry.ts'
import { DEFAULT_RERANK_MODEL, parseTransformersConfig, type TransformersEmbedderOptions } from './config.ts'

// The eager half of the transformers embedder: config validation (synchronous, at Memory construction)
// and a factory that imports the embedder only when a Memory actually uses it. Nothing here may
// import transformers.js, statically or through another module.

/** Registry schema: validates and fills defaults; throws ConfigError (also in workerd, see config.ts). */
export function transformersEmbedderSchema(config: Record<string, unknown>): Record<string, unknown> {
  return parseTransformersConfig(config) as unknown as Record<string, unknown>
}

/**
 * Registry factory: the embedder module is small; transformers.js loads with the first model (library.ts),
 * which is where a missing package is reported.
 */
export async function createTransformersEmbedder(config: Record<string, unknown>): Promise<Embedder> {
  const module = await import('./embedder.ts')
  return new module.TransformersEmbedder(config as TransformersEmbedderOptions)
}

/** The `transformers` reranker: an on-device cross-encoder (reranker.ts, imported on first use). */
export const transformersRerankerProvider = defineProvider({
  kind: 'reranker',
  name: 'transformers',
  factory: async (config) => new (await import('./reranker.ts')).TransformersReranker(config as TransformersEmbedderOptions),
  options: {
    schema: (config) => parseTransformersConfig({ model: DEFAULT_RERANK_MODEL, ...config }) as unknown as Record<string, unknown>,
  },
})

export const transformersProvider = defineProvider({
  kind: 'embedder',
  name: 'transformers',
  factory: createTransformersEmbedder,
  options: { schema: transformersEmbedderSchema },
})
