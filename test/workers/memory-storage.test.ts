// KeyValueStore conformance (memory, cloudflare-kv) runs here from test/unit/providers/storage/storage-conformance.test.ts.
import { env } from 'cloudflare:workers'
import { expect, it } from '../harness.ts'

it('runs inside workerd with a real KV binding', async () => {
  expect(navigator.userAgent).toBe('Cloudflare-Workers')
  const kv = env.TEST_KV
  await kv.put('probe', 'ok')
  expect(await kv.get('probe')).toBe('ok')
})
