import { defineProvider } from '../../src/internal.ts'
import { milvusConfigSchema, type MilvusConfig } from './config.ts'

/** The `milvus` vector store (Milvus and Zilliz Cloud): its config schema is checked when a Memory is built, the adapter loads on first use. */
export const milvusProvider = defineProvider({
  kind: 'vectorStore',
  name: 'milvus',
  factory: async (config, context) => new (await import('./store.ts')).MilvusVectorStore(config as MilvusConfig, context.collection),
  options: { schema: milvusConfigSchema },
})
