import type { HnswlibModule } from './hnswlib-api.ts'

/**
 * Runs a binding call and turns a C++ exception (a WebAssembly.Exception whose `message` embind sets to
 * [type, what]) into a plain Error naming the operation, freeing the exception object.
 */
export function wasmCall<T>(lib: HnswlibModule, what: string, call: () => T): T {
  try {
    return call()
  } catch (err) {
    if (typeof WebAssembly.Exception === 'function' && err instanceof WebAssembly.Exception) {
      const raw = (err as unknown as { message?: unknown }).message
      const detail = Array.isArray(raw) ? raw.filter(Boolean).join(': ') : String(raw ?? 'C++ exception')
      lib.decrementExceptionRefcount?.(err)
      throw new Error(`hnswlib ${what} failed: ${detail}`)
    }
    throw err
  }
}
