// KeyValueStore conformance (memory, indexeddb) runs here from test/unit/providers/storage/storage-conformance.test.ts.
import { expect, it } from '../harness.ts'

it('runs in a real browser', () => {
  expect(typeof window).toBe('object')
  expect(typeof indexedDB).toBe('object')
})
