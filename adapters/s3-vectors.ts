/**
 * edgemem/adapters/s3-vectors — Amazon S3 Vectors as the Memory's vector store, over its REST API signed
 * with SigV4, fetch only (browsers, Workers, Deno, Bun, Node). See docs/adapters/s3-vectors.md.
 */
import { parseConfig, registerProvider, type ProviderContext, type VectorStore } from '../src/internal.ts'
import { s3VectorsConfigSchema, type S3VectorsConfig } from './s3-vectors/config.ts'
import { s3VectorsProvider } from './s3-vectors/provider.ts'
import { S3VectorsVectorStore } from './s3-vectors/store.ts'

// Importing this module registers the provider: needed in Cloudflare Workers, harmless elsewhere.
registerProvider(s3VectorsProvider)

export { S3VectorsVectorStore, s3VectorsConfigSchema, s3VectorsProvider, type S3VectorsConfig }
export { compileS3VectorsFilter } from './s3-vectors/filter.ts'

export function createS3VectorsVectorStore(
  config: S3VectorsConfig | Record<string, unknown>,
  context: Pick<ProviderContext, 'collection'>,
): VectorStore {
  return new S3VectorsVectorStore(parseConfig(s3VectorsConfigSchema, config, 'vectorStore.config'), context.collection)
}
