import * as z from 'zod/mini'

/** The methods of a Workers KV binding (KVNamespace) the `cloudflare-kv` storage uses. */
export interface KvNamespaceLike {
  get(key: string, type: 'arrayBuffer'): Promise<ArrayBuffer | null>
  put(key: string, value: ArrayBuffer | ArrayBufferView | string): Promise<void>
  delete(key: string): Promise<void>
  list(options: { prefix?: string; cursor?: string; limit?: number }): Promise<{
    keys: { name: string }[]
    list_complete: boolean
    cursor?: string
  }>
}

export function isKvNamespaceLike(value: unknown): value is KvNamespaceLike {
  if (typeof value !== 'object' || value === null) return false
  const ns = value as Record<string, unknown>
  return ['get', 'put', 'delete', 'list'].every((method) => typeof ns[method] === 'function')
}

/** Config of the `cloudflare-kv` storage (kept apart from the driver so registering it stays light). */
export const cloudflareKvStorageSchema = z.strictObject({
  /** The KV binding from the Worker's env, e.g. `env.MEMORY_KV`. */
  namespace: z.custom<KvNamespaceLike>(isKvNamespaceLike, {
    message: 'expected a Workers KV binding (an object with get, put, delete and list), e.g. env.MY_KV',
  }),
})

export type CloudflareKvStorageConfig = z.infer<typeof cloudflareKvStorageSchema>
