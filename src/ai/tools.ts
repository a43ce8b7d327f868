import { type Tool, tool } from 'ai'
import * as z from 'zod/mini'
import type { Filter, JsonObject, MemoryApi, MemoryEventType, MemoryItem, ScopeOptions } from '../types.ts'

/**
 * Memory tools for tool-calling agents (Vercel AI SDK `tool()` definitions), bound to one memory and one
 * scope. The model chooses what to remember, look up, correct or forget; it never chooses whose
 * memories: the scope is fixed here, and an id of another scope is treated as unknown. Named as mem0's
 * hosted MCP server names its tools (and edgemem's /mcp), so prompts written for one fit the other.
 */

export interface MemoryToolsOptions extends ScopeOptions {
  /** Passed to `add` (default: the memory's own default, i.e. true when it has an LLM). */
  infer?: boolean
  /** Results of `search_memories` when the model does not say (default 5). */
  topK?: number
  /** Metadata recorded with every memory the tools add (e.g. `{ source: 'agent' }`). */
  metadata?: JsonObject
}

/** What a tool returns for a memory: the fields a model needs, compact. */
export interface ToolMemory {
  id: string
  memory: string
  score?: number
  metadata?: JsonObject
  createdAt: string
}

function toolMemory(item: MemoryItem): ToolMemory {
  const out: ToolMemory = { id: item.id, memory: item.memory, createdAt: item.createdAt }
  if (item.score !== undefined) out.score = Math.round(item.score * 1000) / 1000
  const { role: _role, name: _name, ...rest } = item.metadata
  if (Object.keys(rest).length > 0) out.metadata = rest
  return out
}

function inScope(item: MemoryItem | null, scope: ScopeOptions): item is MemoryItem {
  return (
    item !== null &&
    (scope.userId === undefined || item.userId === scope.userId) &&
    (scope.agentId === undefined || item.agentId === scope.agentId) &&
    (scope.runId === undefined || item.runId === scope.runId)
  )
}

type ToolMetadata = Record<string, string | number | boolean>

/** The tools, typed by their input and output (named as mem0's MCP tools). */
// A type literal, not an interface: assignable to the AI SDK's ToolSet (an index signature).
export type MemoryTools = {
  add_memory: Tool<
    { text: string; metadata?: ToolMetadata | undefined },
    { results: { id: string; memory: string; event: MemoryEventType }[] }
  >
  search_memories: Tool<
    { query: string; topK?: number | undefined; filters?: Record<string, unknown> | undefined },
    { results: ToolMemory[] }
  >
  get_memories: Tool<{ topK?: number | undefined }, { results: ToolMemory[] }>
  update_memory: Tool<{ id: string; text: string }, ToolMemory>
  delete_memory: Tool<{ id: string }, { deleted: string }>
}

const metadataSchema = z.optional(z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])))

/**
 * `{ add_memory, search_memories, get_memories, update_memory, delete_memory }` for `generateText`/
 * `streamText`'s `tools`, working on `memory` (a `Memory` or a `RemoteMemory`) within the scope given.
 * Errors of the memory (a bad filter, an unknown id) reach the model as tool errors, which the AI SDK
 * reports to it, so it can correct itself.
 */
export function memoryTools(memory: MemoryApi, options: MemoryToolsOptions): MemoryTools {
  const scope: ScopeOptions = {
    ...(options.userId !== undefined ? { userId: options.userId } : {}),
    ...(options.agentId !== undefined ? { agentId: options.agentId } : {}),
    ...(options.runId !== undefined ? { runId: options.runId } : {}),
  }
  if (Object.keys(scope).length === 0) throw new TypeError('memoryTools: give userId, agentId or runId (the scope the tools work in)')
  const defaultTopK = options.topK ?? 5

  /** The memory when it exists in this scope; otherwise the same error as for an unknown id. */
  const ownMemory = async (id: string): Promise<MemoryItem> => {
    const item = await memory.get(id)
    if (!inScope(item, scope)) throw new Error(`no memory with id "${id}"; search_memories or get_memories give the ids`)
    return item
  }

  return {
    add_memory: tool({
      description:
        'Remember something for later conversations: a fact, preference or detail about the user or the task, as one short self-contained sentence.',
      inputSchema: z.object({
        text: z.string().check(z.minLength(1)).check(z.describe('what to remember, e.g. "Prefers vegetarian food"')),
        metadata: metadataSchema.check(z.describe('optional labels usable in filters, e.g. {"topic": "food"}')),
      }),
      execute: async ({ text, metadata }) => {
        const { results } = await memory.add([{ role: 'user', content: text }], {
          ...scope,
          ...(options.metadata !== undefined || metadata !== undefined ? { metadata: { ...options.metadata, ...metadata } } : {}),
          ...(options.infer !== undefined ? { infer: options.infer } : {}),
        })
        return { results: results.map((r) => ({ id: r.id, memory: r.memory, event: r.event })) }
      },
    }),
    search_memories: tool({
      description: 'Search the memories of earlier conversations by meaning; best matches first.',
      inputSchema: z.object({
        query: z.string().check(z.minLength(1)).check(z.describe('what to look for, in natural language')),
        topK: z.optional(z.int().check(z.gte(1), z.lte(50))).check(z.describe(`how many results (default ${defaultTopK})`)),
        filters: z.optional(z.record(z.string(), z.any())).check(z.describe('metadata filter, e.g. {"topic": "food"}')),
      }),
      execute: async ({ query, topK, filters }) => {
        const { results } = await memory.search(query, {
          ...scope,
          topK: topK ?? defaultTopK,
          ...(filters !== undefined ? { filters: filters as Filter } : {}),
        })
        return { results: results.map(toolMemory) }
      },
    }),
    get_memories: tool({
      description: 'List the stored memories, newest first.',
      inputSchema: z.object({
        topK: z.optional(z.int().check(z.gte(1), z.lte(100))).check(z.describe('how many (default 20)')),
      }),
      execute: async ({ topK }) => {
        const { results } = await memory.getAll({ ...scope, topK: topK ?? 20 })
        return { results: results.map(toolMemory) }
      },
    }),
    update_memory: tool({
      description: 'Correct a stored memory: replace its text (give the id from search_memories or get_memories).',
      inputSchema: z.object({
        id: z.string().check(z.minLength(1)),
        text: z.string().check(z.minLength(1)).check(z.describe('the new text')),
      }),
      execute: async ({ id, text }) => {
        await ownMemory(id)
        const item = await memory.update(id, text)
        return toolMemory(item)
      },
    }),
    delete_memory: tool({
      description: 'Forget a stored memory that is wrong or that the user asked to forget (give its id).',
      inputSchema: z.object({ id: z.string().check(z.minLength(1)) }),
      execute: async ({ id }) => {
        await ownMemory(id)
        await memory.delete(id)
        return { deleted: id }
      },
    }),
  }
}
