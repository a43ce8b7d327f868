import type { Json } from '../types.ts'

/** JSON with object keys sorted at every level: equal values give equal strings whatever their key order. */
export function canonicalJson(value: Json | object): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return v
    const sorted: Record<string, unknown> = {}
    for (const k of Object.keys(v).sort()) sorted[k] = (v as Record<string, unknown>)[k]
    return sorted
  })
}
