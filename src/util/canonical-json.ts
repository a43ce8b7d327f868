import type { Json } from '../types.ts'

/** A copy with the keys of every object sorted (code-unit order): equal values then serialise equally. */
export function sortKeys<T extends Json>(value: T): T {
  if (typeof value !== 'object' || value === null) return value
  if (Array.isArray(value)) return value.map((v) => sortKeys(v)) as T
  const sorted: Record<string, Json> = {}
  for (const k of Object.keys(value).sort()) sorted[k] = sortKeys(value[k]!)
  return sorted as T
}

/** JSON with object keys sorted at every level: equal values give equal strings whatever their key order. */
export function canonicalJson(value: Json | object): string {
  return JSON.stringify(sortKeys(value as Json))
}
