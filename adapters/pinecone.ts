/**
 * edgemem/adapters/pinecone — a Pinecone serverless index as the Memory's vector store, over Pinecone's
 * data-plane REST API (2025-10) with fetch only (browsers, Workers, Deno, Bun, Node). See
 * docs/adapters/pinecone.md.
 */
import { parseConfig, registerProvider, type ProviderContext, type VectorStore } from '../src/internal.ts'
import { pineconeConfigSchema, type PineconeConfig } from './pinecone/config.ts'
import { pineconeProvider } from './pinecone/provider.ts'
import { PineconeVectorStore } from './pinecone/store.ts'

// Importing this module registers the provider: needed in Cloudflare Workers, harmless elsewhere.
registerProvider(pineconeProvider)

export { PineconeVectorStore, pineconeConfigSchema, pineconeProvider, type PineconeConfig }
export { compilePineconeFilter } from './pinecone/filter.ts'

export function createPineconeVectorStore(
  config: PineconeConfig | Record<string, unknown>,
  context: Pick<ProviderContext, 'collection'>,
): VectorStore {
  return new PineconeVectorStore(parseConfig(pineconeConfigSchema, config, 'vectorStore.config'), context.collection)
}
