import { StorageError } from '../../errors.ts'
import type { KeyValueStore } from '../../interfaces/key-value-store.ts'
import { sleep } from '../../util/sleep.ts'
import type { CloudflareKvStorageConfig, KvNamespaceLike } from './cloudflare-kv-config.ts'

/** Workers KV limits (developers.cloudflare.com/kv/platform/limits). */
export const KV_MAX_VALUE_BYTES = 25 * 1024 * 1024
export const KV_MAX_KEY_BYTES = 512
const LIST_PAGE = 1000
/** Back-off before retrying a write refused for exceeding 1 write per second to the same key. */
const RATE_LIMIT_RETRY_MS = [1100, 2200, 4400]

const encoder = new TextEncoder()

function isRateLimited(err: unknown): boolean {
  return err instanceof Error && /\b429\b|too many requests|rate limit/i.test(err.message)
}

/**
 * Storage on a Cloudflare Workers KV namespace. KV has no transactions: `batch` is absent, so callers
 * write one key at a time in a safe order (util/kv.ts writeBatch). KV is eventually consistent across
 * locations (a write is visible at once where it was made, elsewhere within about 60 s) and allows one
 * write per second per key; writes refused with 429 are retried with back-off. See docs/storage.md.
 */
export class CloudflareKvStorage implements KeyValueStore {
  readonly name = 'cloudflare-kv'
  readonly maxValueBytes = KV_MAX_VALUE_BYTES
  readonly atomicBatch = false
  private readonly namespace: KvNamespaceLike

  constructor(config: CloudflareKvStorageConfig) {
    this.namespace = config.namespace
  }

  async get(key: string): Promise<Uint8Array | null> {
    checkKey(key)
    const value = await call(`get "${key}"`, () => this.namespace.get(key, 'arrayBuffer'))
    return value === null ? null : new Uint8Array(value)
  }

  async set(key: string, value: Uint8Array): Promise<void> {
    checkKey(key)
    if (value.byteLength > KV_MAX_VALUE_BYTES) {
      throw new StorageError(
        `Workers KV: value for "${key}" is ${value.byteLength} bytes; KV accepts at most ${KV_MAX_VALUE_BYTES} (25 MiB)`,
      )
    }
    // KV reads the bytes asynchronously: hand it a private copy the caller cannot change meanwhile.
    const bytes = value.slice()
    await this.withRateLimitRetry(`put "${key}"`, () => this.namespace.put(key, bytes))
  }

  async delete(key: string): Promise<void> {
    checkKey(key)
    await this.withRateLimitRetry(`delete "${key}"`, () => this.namespace.delete(key))
  }

  async list(prefix: string): Promise<string[]> {
    const keys: string[] = []
    let cursor: string | undefined
    for (;;) {
      const page = await call(`list "${prefix}"`, () =>
        this.namespace.list(cursor === undefined ? { prefix, limit: LIST_PAGE } : { prefix, cursor, limit: LIST_PAGE }),
      )
      for (const key of page.keys) keys.push(key.name)
      if (page.list_complete || !page.cursor) break
      cursor = page.cursor
    }
    // KV lists in UTF-8 byte order, which equals string order for the printable-ASCII keys used here.
    return keys.sort()
  }

  private async withRateLimitRetry(what: string, write: () => Promise<void>): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await write()
      } catch (err) {
        const delay = RATE_LIMIT_RETRY_MS[attempt]
        if (!isRateLimited(err) || delay === undefined) return call(what, () => Promise.reject(err))
        await sleep(delay)
      }
    }
  }
}

function checkKey(key: string): void {
  const length = encoder.encode(key).byteLength
  if (length === 0 || length > KV_MAX_KEY_BYTES) {
    throw new StorageError(`Workers KV keys must be 1 to ${KV_MAX_KEY_BYTES} bytes; "${key.slice(0, 40)}..." is ${length}`)
  }
}

async function call<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn()
  } catch (err) {
    const detail = err instanceof Error ? err.message : String(err)
    const hint = isRateLimited(err) ? ' (KV allows 1 write per second to the same key)' : ''
    throw new StorageError(`Workers KV ${what} failed: ${detail}${hint}`, { cause: err })
  }
}

export function createCloudflareKvStorage(config: CloudflareKvStorageConfig): KeyValueStore {
  return new CloudflareKvStorage(config)
}
