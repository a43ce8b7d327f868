import { EmbeddingError, LLMError } from '../errors.ts'
import type { Embedder } from '../interfaces/embedder.ts'
import type { LLM, LLMRequest } from '../interfaces/llm.ts'

/** The cause of a deadline's error: a DOMException named TimeoutError, as AbortSignal.timeout makes. */
const timedOut = (ms: number): DOMException => new DOMException(`no answer within ${ms} ms`, 'TimeoutError')

/**
 * Runs `call` with an AbortSignal that fires at the deadline; the caller gets `late()` then, whether or
 * not the call honours the signal (a custom implementation may ignore it).
 */
export async function withDeadline<T>(ms: number, call: (signal: AbortSignal) => Promise<T>, late: () => Error): Promise<T> {
  const controller = new AbortController()
  let timer: ReturnType<typeof setTimeout> | undefined
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = late()
      controller.abort(error)
      reject(error)
    }, ms)
  })
  try {
    return await Promise.race([call(controller.signal), expired])
  } finally {
    clearTimeout(timer)
  }
}

/** The embedder, each call bounded by `ms` (EmbeddingError past it). */
export function embedderWithDeadline(embedder: Embedder, ms: number): Embedder {
  return {
    get dimensions() {
      return embedder.dimensions
    },
    embed: (texts) =>
      withDeadline(
        ms,
        () => embedder.embed(texts),
        () =>
          new EmbeddingError(`the embedder did not answer within ${ms} ms (timeouts.embedderMs); nothing was written`, {
            cause: timedOut(ms),
          }),
      ),
    ...(embedder.ready ? { ready: () => embedder.ready!() } : {}),
    ...(embedder.close ? { close: () => embedder.close!() } : {}),
  }
}

/** The LLM, each call bounded by `ms` (LLMError past it); the deadline also aborts the request. */
export function llmWithDeadline(llm: LLM, ms: number): LLM {
  return {
    complete: (request: LLMRequest) =>
      withDeadline(
        ms,
        (signal) => llm.complete({ ...request, signal: request.signal ? AbortSignal.any([request.signal, signal]) : signal }),
        () => new LLMError(`the llm did not answer within ${ms} ms (timeouts.llmMs); nothing was written`, { cause: timedOut(ms) }),
      ),
    ...(llm.close ? { close: () => llm.close!() } : {}),
  }
}
