import { MemoryStorage } from '../../src/providers/storage/memory.ts'
import { describeKeyValueStoreConformance } from '../conformance/key-value-store.ts'
import { expect, it } from '../harness.ts'

it('runs in a real browser', () => {
  expect(typeof window).toBe('object')
  expect(typeof indexedDB).toBe('object')
})

describeKeyValueStoreConformance('memory (chromium)', async () => ({ store: new MemoryStorage() }))
