/**
 * `edgemem/indexeddb`: registers the `indexeddb` storage (browsers). Every entry of edgemem but the workerd
 * one registers it already; the module exists so that every non-light provider has one (see
 * src/providers/catalog.ts).
 */
import { registerProvider } from '../registry.ts'
import { indexedDbProvider } from '../providers/storage/indexeddb-config.ts'

registerProvider(indexedDbProvider)

export { indexedDbProvider, indexedDbStorageSchema, type IndexedDbStorageConfig } from '../providers/storage/indexeddb-config.ts'
