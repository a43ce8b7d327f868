import type { ChatMessage } from '../../interfaces/llm.ts'
import type { Message } from '../../types.ts'

export interface Candidate {
  /** Short temporary id shown to the model ("1", "2", ...); never a real memory id. */
  ref: string
  text: string
}

const SYSTEM = `You keep the long-term memory of an AI assistant. You receive the memories already stored
(each with a short id) and a new conversation. Extract the facts worth remembering from the conversation
and reconcile them with the stored memories, in one answer.

Worth remembering: facts about the people in the conversation (identity, relationships, work, places,
health, possessions), their preferences and opinions, plans and goals, important events with their dates,
decisions, and anything someone explicitly asks to remember. Not worth remembering: greetings, small
talk, questions asked of the assistant, the assistant's own suggestions unless the user accepted them,
and general knowledge.

Write each fact as one short, self-contained statement that makes sense without the conversation
(name the subject, e.g. "Alice is vegetarian", or "Is vegetarian" when it is about the user). Keep the
language the conversation is written in. Turn relative dates ("yesterday", "next Friday") into absolute
dates using today's date.

Decide for each fact, against the stored memories:
- ADD: new information that no stored memory covers.
- UPDATE: the fact refines, corrects or extends a stored memory about the same thing. Give that
  memory's id and the complete new text, merging what is still true from the old one.
- DELETE: the conversation says a stored memory is no longer true, or asks to forget it, and there is
  nothing to replace it with. Give its id.
- NONE: a stored memory already says this. Give its id.
Only use ids from the stored memories list, each at most once. When the conversation holds nothing
worth remembering, return no operations.

Answer with a single JSON object and nothing else, in exactly this shape:
{"operations": [
  {"event": "ADD", "text": "..."},
  {"event": "UPDATE", "id": "2", "text": "..."},
  {"event": "DELETE", "id": "3"},
  {"event": "NONE", "id": "1"}
]}`

function formatConversation(messages: Message[]): string {
  return messages.map((m) => `${m.name ? `${m.role} (${m.name})` : m.role}: ${m.content}`).join('\n')
}

export function buildPrompt(options: {
  messages: Message[]
  candidates: Candidate[]
  today: string
  customInstructions?: string
}): ChatMessage[] {
  const stored =
    options.candidates.length === 0
      ? '(none yet)'
      : JSON.stringify(
          options.candidates.map((c) => ({ id: c.ref, text: c.text })),
          null,
          0,
        )
  const parts = [`Today's date: ${options.today}`, `Stored memories:\n${stored}`, `Conversation:\n${formatConversation(options.messages)}`]
  if (options.customInstructions?.trim()) parts.push(`Additional instructions from the application:\n${options.customInstructions.trim()}`)
  return [
    { role: 'system', content: SYSTEM },
    { role: 'user', content: parts.join('\n\n') },
  ]
}

/** The follow-up turn when an answer could not be used: the model sees exactly what was wrong. */
export function buildRetry(previous: ChatMessage[], answer: string, problem: string): ChatMessage[] {
  return [
    ...previous,
    { role: 'assistant', content: answer },
    {
      role: 'user',
      content: `That answer could not be used: ${problem}\nReply again with only the JSON object in the required shape.`,
    },
  ]
}
