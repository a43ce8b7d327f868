import { EmbeddingError } from '../../errors.ts'
import type { Embedder } from '../../interfaces/embedder.ts'
import { defineProvider } from '../../registry.ts'
import { parseTransformersConfig, type TransformersEmbedderOptions } from './config.ts'

// The eager half of the transformers embedder: config validation (synchronous, at Memory construction)
// and a factory that imports the heavy half only when a Memory actually uses it. Nothing here may
// import transformers.js, statically or through another module.

/** Registry schema: validates and fills defaults; throws ConfigError (also in workerd, see config.ts). */
export function transformersEmbedderSchema(config: Record<string, unknown>): Record<string, unknown> {
  return parseTransformersConfig(config) as unknown as Record<string, unknown>
}

/** Registry factory: loads transformers.js on first use. The model itself loads on the first embed(). */
export async function createTransformersEmbedder(config: Record<string, unknown>): Promise<Embedder> {
  let module: typeof import('./embedder.ts')
  try {
    module = await import('./embedder.ts')
  } catch (error) {
    throw new EmbeddingError(
      `transformers embedder: could not load @huggingface/transformers (${error instanceof Error ? error.message : String(error)}). ` +
        'It is a dependency of edgemem: reinstall (offline installs need ONNXRUNTIME_NODE_INSTALL=skip), and make sure your bundler does not exclude it.',
      { cause: error },
    )
  }
  return new module.TransformersEmbedder(config as TransformersEmbedderOptions)
}

export const transformersProvider = defineProvider({
  kind: 'embedder',
  name: 'transformers',
  factory: createTransformersEmbedder,
  options: { schema: transformersEmbedderSchema },
})
