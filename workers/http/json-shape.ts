import { ApiError } from './errors.ts'

/**
 * How deeply any JSON body may nest. The routes' own limits are far lower (metadata 8 levels, filters 32);
 * (32 logical levels are up to 64 JSON levels, AND/OR taking arrays); this bound is checked on every body before anything recursive touches it — validation, the call into a
 * Durable Object (whose serialisation recurses) — so hostile nesting is a 400, never a stack overflow.
 */
export const MAX_BODY_DEPTH = 100

/**
 * Checks a parsed JSON body without recursion: nesting depth, and no `__proto__` key anywhere (JSON.parse
 * keeps it as an own key, but object spreads and validators that rebuild objects turn it into a
 * prototype assignment and silently drop it).
 */
export function checkBodyShape(body: unknown): void {
  const stack: { value: unknown; depth: number; path: string }[] = [{ value: body, depth: 0, path: 'body' }]
  while (stack.length > 0) {
    const { value, depth, path } = stack.pop()!
    if (typeof value !== 'object' || value === null) continue
    if (depth >= MAX_BODY_DEPTH) {
      const shown = path.length > 80 ? `${path.slice(0, 80)}…` : path
      throw new ApiError(400, 'VALIDATION', `invalid request: ${shown} nests deeper than ${MAX_BODY_DEPTH} levels`)
    }
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) stack.push({ value: value[i], depth: depth + 1, path: `${path}[${i}]` })
      continue
    }
    for (const key of Object.keys(value)) {
      if (key === '__proto__') throw new ApiError(400, 'VALIDATION', `invalid request: ${path}.__proto__ is not an allowed key`)
      stack.push({ value: (value as Record<string, unknown>)[key], depth: depth + 1, path: `${path}.${key}` })
    }
  }
}
