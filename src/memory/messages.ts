import { ValidationError } from '../errors.ts'
import type { Message } from '../types.ts'
import { hasLoneSurrogate } from '../util/unicode.ts'

const MAX_MESSAGES = 1000
const MAX_MESSAGE_CHARS = 100_000

/** Accepts a string (one user message) or an array of messages; validates shape and size. */
export function normalizeMessages(input: unknown): Message[] {
  if (typeof input === 'string') input = [{ role: 'user', content: input }]
  if (!Array.isArray(input)) throw new ValidationError('messages must be a string or an array of { role, content } objects')
  if (input.length === 0) throw new ValidationError('messages must not be empty')
  if (input.length > MAX_MESSAGES) throw new ValidationError(`at most ${MAX_MESSAGES} messages per add, got ${input.length}`)
  return input.map((raw: unknown, i) => {
    const m = raw as Partial<Message> | null
    if (typeof m !== 'object' || m === null || typeof m.role !== 'string' || m.role.length === 0 || typeof m.content !== 'string') {
      throw new ValidationError(`messages[${i}] must be an object with string "role" and "content"`)
    }
    if (hasLoneSurrogate(m.content)) {
      throw new ValidationError(`messages[${i}].content must be well-formed Unicode text: it holds a lone UTF-16 surrogate`)
    }
    if (m.content.length > MAX_MESSAGE_CHARS) {
      throw new ValidationError(`messages[${i}].content is longer than ${MAX_MESSAGE_CHARS} characters`)
    }
    if (m.name !== undefined && typeof m.name !== 'string') throw new ValidationError(`messages[${i}].name must be a string`)
    const message: Message = { role: m.role, content: m.content }
    if (m.name !== undefined) message.name = m.name
    return message
  })
}

/** Messages that carry memory content: not system prompts, not blank. */
export function contentMessages(messages: Message[]): Message[] {
  return messages.filter((m) => m.role !== 'system' && m.content.trim().length > 0)
}
