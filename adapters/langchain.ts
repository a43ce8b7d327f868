/**
 * edgemem/adapters/langchain — any LangChain.js vector store as the Memory's vector store, with an
 * edgemem KeyValueStore as the record catalog. LangChain is not imported (its store is typed
 * structurally); @langchain/core is an optional peer. See docs/adapters/langchain.md.
 */
import type { VectorStore } from '../src/internal.ts'
import { type LangChainBridgeOptions, LangChainBridgeStore, type LangChainVectorStoreLike } from './langchain/store.ts'

export { LangChainBridgeStore, type LangChainBridgeOptions, type LangChainVectorStoreLike }

/** `new Memory({ vectorStore: fromLangChain(lcStore, { catalog: new MemoryStorage(), collection: 'memories' }) })` */
export function fromLangChain(store: LangChainVectorStoreLike, options: LangChainBridgeOptions): VectorStore {
  return new LangChainBridgeStore(store, options)
}
