import { MemoryStorage } from '../../src/providers/storage/memory.ts'
import { describeKeyValueStoreConformance } from '../conformance/key-value-store.ts'

describeKeyValueStoreConformance('memory', async () => ({ store: new MemoryStorage() }))
