import { StorageError } from '../errors.ts'
import type { KeyValueOp, KeyValueStore } from '../interfaces/key-value-store.ts'
import type { Json } from '../types.ts'

const encoder = new TextEncoder()
const decoder = new TextDecoder()

export function encodeJson(value: Json | object): Uint8Array {
  return encoder.encode(JSON.stringify(value))
}

export function decodeJson<T = Json>(bytes: Uint8Array, key = 'value'): T {
  try {
    return JSON.parse(decoder.decode(bytes)) as T
  } catch (err) {
    throw new StorageError(`stored value at "${key}" is not valid JSON (corrupted storage?)`, { cause: err })
  }
}

export async function getJson<T = Json>(store: KeyValueStore, key: string): Promise<T | null> {
  const bytes = await store.get(key)
  return bytes === null ? null : decodeJson<T>(bytes, key)
}

export function setJson(store: KeyValueStore, key: string, value: Json | object): Promise<void> {
  return store.set(key, encodeJson(value))
}

/** Applies the operations with the driver's batch when it has one, else one by one in order. */
export async function writeBatch(store: KeyValueStore, ops: KeyValueOp[]): Promise<void> {
  if (ops.length === 0) return
  if (store.batch) return store.batch(ops)
  for (const op of ops) {
    if (op.value === null) await store.delete(op.key)
    else await store.set(op.key, op.value)
  }
}

/** Deletes every key under the prefix. */
export async function deletePrefix(store: KeyValueStore, prefix: string): Promise<number> {
  const keys = await store.list(prefix)
  await writeBatch(
    store,
    keys.map((key) => ({ key, value: null })),
  )
  return keys.length
}

/** Wraps driver failures (quota, closed database, network) in StorageError with the operation named. */
export async function storageCall<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn()
  } catch (err) {
    if (err instanceof StorageError) throw err
    const detail = err instanceof Error ? `${err.name}: ${err.message}` : String(err)
    throw new StorageError(`${what} failed: ${detail}`, { cause: err })
  }
}
