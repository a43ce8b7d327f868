import type { LanguageModelMiddleware } from 'ai'
import type { Filter, JsonObject, MemoryApi, MemoryItem, Message, ScopeOptions } from '../types.ts'

/**
 * A language-model middleware for the Vercel AI SDK's `wrapLanguageModel`: before each call it searches
 * the memory with the conversation's last user message and puts what it finds into the prompt (as a
 * system message); after the call it stores the exchange (that user message and the model's answer)
 * with `add`, so extraction (`infer`) follows the memory's config or the option here. With streaming,
 * the exchange is stored once the stream has finished, before the stream closes.
 */

type CallOptions = Parameters<NonNullable<LanguageModelMiddleware['transformParams']>>[0]['params']
type PromptMessage = CallOptions['prompt'][number]
type GenerateResult = Awaited<ReturnType<NonNullable<LanguageModelMiddleware['wrapGenerate']>>>
type StreamResult = Awaited<ReturnType<NonNullable<LanguageModelMiddleware['wrapStream']>>>
type StreamPart = StreamResult['stream'] extends ReadableStream<infer P> ? P : never

export interface MemoryMiddlewareOptions extends ScopeOptions {
  /** How many memories go into the prompt (default 5). */
  topK?: number
  /** Minimum score of a memory that goes into the prompt (default none). */
  threshold?: number
  /** Search and add memories to the prompt (default true). */
  retrieve?: boolean
  /** Store each exchange after the model answered (default true). */
  store?: boolean
  /** Passed to `add` (default: the memory's own default, i.e. true when it has an LLM). */
  infer?: boolean
  /** Narrows what is retrieved (docs/filters.md), e.g. `{ kind: 'note' }`. */
  filters?: Filter
  /** Recorded with the stored exchanges (besides `role`), e.g. `{ source: 'chat' }`. */
  metadata?: JsonObject
  /** The system message the memories become (default: a short preamble and one line per memory). */
  formatMemories?: (memories: MemoryItem[]) => string
  /**
   * Called when searching or storing fails. Default: the error is thrown (the call fails; nothing is
   * lost silently). Pass a handler to let the model answer without memories instead.
   */
  onError?: (error: unknown, stage: 'retrieve' | 'store') => void
}

export function defaultFormatMemories(memories: MemoryItem[]): string {
  return [
    'Relevant memories from earlier conversations (use them when they help; they may be outdated):',
    ...memories.map((m) => `- ${m.memory}`),
  ].join('\n')
}

/** The text of the last user message of the prompt, or undefined (a prompt ending with tool results still has one earlier). */
function lastUserText(prompt: readonly PromptMessage[]): string | undefined {
  for (let i = prompt.length - 1; i >= 0; i--) {
    const message = prompt[i]!
    if (message.role !== 'user') continue
    const text = message.content
      .filter((part): part is Extract<typeof part, { type: 'text' }> => part.type === 'text')
      .map((part) => part.text)
      .join('\n')
      .trim()
    return text.length > 0 ? text : undefined
  }
  return undefined
}

export function memoryMiddleware(memory: MemoryApi, options: MemoryMiddlewareOptions): LanguageModelMiddleware {
  const scope: ScopeOptions = {
    ...(options.userId !== undefined ? { userId: options.userId } : {}),
    ...(options.agentId !== undefined ? { agentId: options.agentId } : {}),
    ...(options.runId !== undefined ? { runId: options.runId } : {}),
  }
  if (Object.keys(scope).length === 0) throw new TypeError('memoryMiddleware: give userId, agentId or runId (whose memories)')
  const format = options.formatMemories ?? defaultFormatMemories
  const fail = (error: unknown, stage: 'retrieve' | 'store'): void => {
    if (!options.onError) throw error
    options.onError(error, stage)
  }

  const storeExchange = async (params: CallOptions, answer: string): Promise<void> => {
    // A step that only called tools has no answer yet: the exchange is stored with the step that answers.
    if (options.store === false || answer.trim().length === 0) return
    const question = lastUserText(params.prompt)
    const messages: Message[] = [
      ...(question !== undefined ? [{ role: 'user', content: question }] : []),
      { role: 'assistant', content: answer },
    ]
    try {
      await memory.add(messages, {
        ...scope,
        ...(options.metadata !== undefined ? { metadata: options.metadata } : {}),
        ...(options.infer !== undefined ? { infer: options.infer } : {}),
      })
    } catch (err) {
      fail(err, 'store')
    }
  }

  return {
    specificationVersion: 'v4',

    async transformParams({ params }) {
      if (options.retrieve === false) return params
      const query = lastUserText(params.prompt)
      if (query === undefined) return params
      let found: MemoryItem[]
      try {
        found = (
          await memory.search(query, {
            ...scope,
            topK: options.topK ?? 5,
            ...(options.threshold !== undefined ? { threshold: options.threshold } : {}),
            ...(options.filters !== undefined ? { filters: options.filters } : {}),
          })
        ).results
      } catch (err) {
        fail(err, 'retrieve')
        return params
      }
      if (found.length === 0) return params
      // After the caller's own system messages, so their instructions stay first.
      const prompt = [...params.prompt]
      let at = 0
      while (at < prompt.length && prompt[at]!.role === 'system') at++
      prompt.splice(at, 0, { role: 'system', content: format(found) })
      return { ...params, prompt }
    },

    async wrapGenerate({ doGenerate, params }) {
      const result: GenerateResult = await doGenerate()
      const answer = result.content
        .filter((part): part is Extract<typeof part, { type: 'text' }> => part.type === 'text')
        .map((part) => part.text)
        .join('')
      await storeExchange(params, answer)
      return result
    },

    async wrapStream({ doStream, params }) {
      const { stream, ...rest } = await doStream()
      let answer = ''
      let failed = false
      const watched = stream.pipeThrough(
        new TransformStream<StreamPart, StreamPart>({
          transform(part, controller) {
            if (part.type === 'text-delta') answer += part.delta
            else if (part.type === 'error') failed = true
            controller.enqueue(part)
          },
          // The stream ends once the exchange is stored: a caller that awaited the stream sees it stored.
          async flush() {
            if (!failed) await storeExchange(params, answer)
          },
        }),
      )
      return { stream: watched, ...rest }
    },
  }
}
