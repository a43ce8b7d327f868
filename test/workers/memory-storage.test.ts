import { env } from 'cloudflare:workers'
import { MemoryStorage } from '../../src/providers/storage/memory.ts'
import { describeKeyValueStoreConformance } from '../conformance/key-value-store.ts'
import { expect, it } from '../harness.ts'

it('runs inside workerd with a real KV binding', async () => {
  expect(navigator.userAgent).toBe('Cloudflare-Workers')
  const kv = (env as unknown as { TEST_KV: KVNamespace }).TEST_KV
  await kv.put('probe', 'ok')
  expect(await kv.get('probe')).toBe('ok')
})

describeKeyValueStoreConformance('memory (workerd)', async () => ({ store: new MemoryStorage() }))
