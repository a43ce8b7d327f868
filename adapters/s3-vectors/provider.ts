import { defineProvider } from '../../src/internal.ts'
import { s3VectorsConfigSchema, type S3VectorsConfig } from './config.ts'

/** The `s3_vectors` vector store: its config schema is checked when a Memory is built, the adapter loads on first use. */
export const s3VectorsProvider = defineProvider({
  kind: 'vectorStore',
  name: 's3_vectors',
  factory: async (config, context) => new (await import('./store.ts')).S3VectorsVectorStore(config as S3VectorsConfig, context.collection),
  options: { schema: s3VectorsConfigSchema },
})
