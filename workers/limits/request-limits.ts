import type { Message } from '../../src/index.workerd.ts'
import { ApiError } from '../http/errors.ts'
import type { Limits } from '../settings.ts'

/**
 * Per-request limits that depend on the settings (MAX_MESSAGES, MAX_MESSAGE_CHARS, MAX_TOP_K). They
 * protect the Worker and the embedding/LLM budget; they are refused with 400 naming the limit rather
 * than cut silently. The body size limit (413) is enforced before parsing, in app.ts.
 */

function refuse(message: string): ApiError {
  return new ApiError(400, 'VALIDATION', message)
}

export function checkMessages(messages: string | Message[], limits: Limits): void {
  const list = typeof messages === 'string' ? [messages] : messages.map((m) => m.content)
  if (list.length > limits.maxMessages) {
    throw refuse(`messages has ${list.length} entries; this server accepts at most ${limits.maxMessages} (MAX_MESSAGES)`)
  }
  list.forEach((content, i) => {
    if (content.length > limits.maxMessageChars) {
      const where = typeof messages === 'string' ? 'messages' : `messages[${i}].content`
      throw refuse(`${where} has ${content.length} characters; this server accepts at most ${limits.maxMessageChars} (MAX_MESSAGE_CHARS)`)
    }
  })
}

export function checkText(text: string | undefined, field: string, limits: Limits): void {
  if (text !== undefined && text.length > limits.maxMessageChars) {
    throw refuse(`${field} has ${text.length} characters; this server accepts at most ${limits.maxMessageChars} (MAX_MESSAGE_CHARS)`)
  }
}

export function checkTopK(topK: number | undefined, limits: Limits): void {
  if (topK !== undefined && topK > limits.maxTopK) {
    throw refuse(`top_k is ${topK}; this server returns at most ${limits.maxTopK} (MAX_TOP_K)`)
  }
}
