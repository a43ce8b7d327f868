import type { ChatMessage } from '../../interfaces/llm.ts'
import type { Message } from '../../types.ts'

/** Where a procedural memory's type is kept: metadata `memory_type`, filterable like any metadata key (mem0's value). */
export const PROCEDURAL_MEMORY_TYPE = 'procedural_memory'

const SYSTEM = `You write the procedural memory of an AI agent: a summary of one run of the agent (the
conversation below: its task, the steps it took, the tools it called and what they returned) from which
the agent can resume or repeat the work later without the original conversation.

Write it as plain text, in this order:
1. Task: what the agent was asked to do, in one or two sentences.
2. Progress: done, partly done or blocked, and what remains.
3. Steps: numbered, in the order they happened. For each: the action (and tool or command, with the
   arguments that matter), its result (keep exact values the work depends on: ids, URLs, file names,
   numbers, error messages), and what it taught the agent.
4. Context: anything else needed to continue (decisions, constraints, the user's preferences for this task).

Keep facts exact; do not invent steps or results that are not in the conversation. No preamble.`

/** The one LLM call of add(..., { memoryType: 'procedural' }): the run as it happened, then the request. */
export function buildProceduralPrompt(messages: readonly Message[]): ChatMessage[] {
  const run = messages.map((m) => `${m.role}${m.name ? ` (${m.name})` : ''}: ${m.content}`).join('\n')
  return [
    { role: 'system', content: SYSTEM },
    { role: 'user', content: `The agent's run:\n${run}\n\nWrite the procedural memory of this run.` },
  ]
}
