import type { TestProject } from 'vitest/node'
import { defaultEmbeddings } from '../servers/openai-protocol.ts'
import { openAIError, startOpenAITestServer, type ChatCompletionRequest, type ChatReply } from '../servers/openai.ts'

/**
 * Global setup of the Worker suites (runs in Node): one OpenAI-compatible test server for embeddings
 * (deterministic hash embeddings, 64 dimensions) and the LLM. Its URL reaches the Worker and its
 * Durable Objects as bindings (vitest.worker.config.ts).
 */
export const WORKER_EMBEDDING_DIMENSIONS = 64
/** A user message containing this makes the test LLM fail (not retried: HTTP 400). */
export const LLM_FAILURE_MARKER = 'please-fail-the-llm'
/** Texts containing this are embedded 512-d instead of 64-d by the same model (a flapping endpoint). */
export const WRONG_SIZE_EMBEDDING_MARKER = 'please-answer-512-dimensions'
/** Texts containing these make the embedding endpoint answer 429 with `Retry-After: 120`, or hang for 60 s. */
export const RATE_LIMITED_EMBEDDING_MARKER = 'please-rate-limit-embeddings'
export const HANGING_EMBEDDING_MARKER = 'please-hang-embeddings'

declare module 'vitest' {
  export interface ProvidedContext {
    workerServers: { openaiBaseURL: string }
  }
}

/** Sentences the stand-in reads as relations ("Alice lives in Berlin"): source, verb, target. */
const RELATION_SENTENCE = /^([A-Z][\w-]*(?: [A-Z][\w-]*)*) (lives in|works at|likes|knows) ([A-Z][\w-]*(?: [A-Z][\w-]*)*)\.?$/

/**
 * The graph part of the stand-in's answer (graph memory on: the prompt lists "Stored relations"): each
 * user line "<Name> lives in|works at|likes|knows <Name>" is a relation between two entities, and a
 * stored relation with the same source and relationship but another target is contradicted.
 */
function extractGraph(prompt: string, lines: string[]) {
  const shownJson = /Stored relations:\n(.*)\n/.exec(prompt)?.[1] ?? '(none yet)'
  const shown: { id: string; source: string; relationship: string; target: string }[] = shownJson.startsWith('[')
    ? JSON.parse(shownJson)
    : []
  const entities: { name: string; type: string }[] = []
  const relations: { source: string; relationship: string; target: string }[] = []
  const contradicted: string[] = []
  for (const said of lines) {
    const match = RELATION_SENTENCE.exec(said)
    if (!match) continue
    const [, source, verb, target] = match as unknown as [string, string, string, string]
    const relationship = verb.replace(/ /g, '_')
    entities.push({ name: source, type: 'person' }, { name: target, type: 'thing' })
    relations.push({ source, relationship, target })
    for (const r of shown) {
      const same = r.source.toLowerCase() === source.toLowerCase() && r.relationship === relationship
      if (same && r.target.toLowerCase() !== target.toLowerCase() && !contradicted.includes(r.id)) contradicted.push(r.id)
    }
  }
  return { entities, relations, contradicted }
}

/**
 * A deterministic stand-in for fact extraction: every user line of the conversation becomes the fact
 * "User said: <text>"; a fact equal to a stored memory is NONE, and "forget <text>" DELETEs the stored
 * memory "User said: <text>". Enough to drive ADD, DELETE and NONE through the real pipeline. With
 * graph memory on, it also answers entities, relations and contradictions (extractGraph).
 */
export function extractFacts(body: ChatCompletionRequest): ChatReply {
  const prompt = body.messages.find((m) => m.role === 'user')?.content ?? ''
  if (prompt.includes(LLM_FAILURE_MARKER)) return openAIError(400, 'the test LLM was asked to fail')
  const storedJson = /Stored memories:\n(.*)\n/.exec(prompt)?.[1] ?? '(none yet)'
  const stored: { id: string; text: string }[] = storedJson.startsWith('[') ? JSON.parse(storedJson) : []
  const conversation = prompt.split('Conversation:\n')[1]?.split('\n\n')[0] ?? ''
  const operations: Record<string, string>[] = []
  const lines: string[] = []
  for (const line of conversation.split('\n')) {
    const said = /^user(?: \([^)]*\))?: (.*)$/.exec(line)?.[1]
    if (!said) continue
    lines.push(said)
    const forget = /^forget (.*)$/.exec(said)?.[1]
    if (forget) {
      const match = stored.find((s) => s.text === `User said: ${forget}`)
      if (match) operations.push({ event: 'DELETE', id: match.id })
      continue
    }
    const fact = `User said: ${said}`
    const same = stored.find((s) => s.text === fact)
    operations.push(same ? { event: 'NONE', id: same.id } : { event: 'ADD', text: fact })
  }
  if (!prompt.includes('Stored relations:')) return { content: JSON.stringify({ operations }) }
  return { content: JSON.stringify({ operations, ...extractGraph(prompt, lines) }) }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const openai = await startOpenAITestServer({ dimensions: WORKER_EMBEDDING_DIMENSIONS, chat: extractFacts })
  openai.embeddings.handler = (body) => {
    const texts = JSON.stringify(body.input)
    if (texts.includes(RATE_LIMITED_EMBEDDING_MARKER)) return openAIError(429, 'Rate limit reached', { headers: { 'retry-after': '120' } })
    if (texts.includes(HANGING_EMBEDDING_MARKER)) return { delayMs: 60_000 }
    return {
      vectors: texts.includes(WRONG_SIZE_EMBEDDING_MARKER)
        ? defaultEmbeddings({ ...body, dimensions: 512 }, 512)
        : defaultEmbeddings(body, WORKER_EMBEDDING_DIMENSIONS),
    }
  }
  project.provide('workerServers', { openaiBaseURL: openai.baseURL })
  return () => openai.close()
}
