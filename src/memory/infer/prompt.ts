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

/** Appended to the system prompt with graph memory on: the same answer also carries the graph. */
const GRAPH = `Also extract the knowledge graph of the conversation, in the same answer:
- "entities": the people, places, organisations, things and concepts the facts are about, each
  {"name": "...", "type": "person|place|organisation|thing|concept|event|..."}. Refer to the user by name
  when the conversation gives it, else as "user".
- "relations": what the facts say about those entities, each {"source": "...", "relationship": "...",
  "target": "..."}, source and target being entity names and relationship a short snake_case verb phrase
  ("lives_in", "works_at", "is_allergic_to").
- "contradicted": the ids ("r1", "r2", ...) of stored relations that the conversation shows are no longer
  true (e.g. the user moved: the old "lives_in" relation is contradicted). Only ids from the stored
  relations list.
The JSON object then has four keys: {"operations": [...], "entities": [...], "relations": [...], "contradicted": [...]}`

export interface RelationCandidate {
  ref: string
  source: string
  relationship: string
  target: string
}

function formatConversation(messages: Message[]): string {
  return messages.map((m) => `${m.name ? `${m.role} (${m.name})` : m.role}: ${m.content}`).join('\n')
}

export function buildPrompt(options: {
  messages: Message[]
  candidates: Candidate[]
  today: string
  customInstructions?: string
  /** Graph memory on: the stored relations the model may mark as contradicted. */
  relations?: RelationCandidate[]
}): ChatMessage[] {
  const stored =
    options.candidates.length === 0
      ? '(none yet)'
      : JSON.stringify(
          options.candidates.map((c) => ({ id: c.ref, text: c.text })),
          null,
          0,
        )
  const parts = [`Today's date: ${options.today}`, `Stored memories:\n${stored}`]
  if (options.relations) {
    const shown = options.relations.map((r) => ({ id: r.ref, source: r.source, relationship: r.relationship, target: r.target }))
    parts.push(`Stored relations:\n${shown.length === 0 ? '(none yet)' : JSON.stringify(shown)}`)
  }
  parts.push(`Conversation:\n${formatConversation(options.messages)}`)
  if (options.customInstructions?.trim()) parts.push(`Additional instructions from the application:\n${options.customInstructions.trim()}`)
  return [
    { role: 'system', content: options.relations ? `${SYSTEM}\n\n${GRAPH}` : SYSTEM },
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
