/**
 * The MCP tools of edgemem, in one place for both servers: the Worker's remote server at `/mcp`
 * (workers/routes/mcp.ts, Streamable HTTP) and the package's local one (`edgemem mcp`, cli/commands/mcp.ts,
 * stdio). They differ only in transport and in how they find the memories; the tools, their argument
 * schemas, results and errors are defined here. Tool names and arguments follow mem0's hosted MCP server
 * (`add_memory`, `search_memories`, ...), results are the REST API's snake_case shapes (src/memory/wire.ts).
 * Not part of the core: importing it imports @modelcontextprotocol/sdk. See docs/mcp.md.
 */
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js'
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js'
import * as z from 'zod'
import { isEdgememError, NotFoundError, ValidationError } from '../errors.ts'
import { requiredEqualities } from '../filters/ast.ts'
import { DEFAULT_SEARCH_TOP_K, MAX_TOP_K } from '../memory/limits.ts'
import { parseUserFilters } from '../memory/scope.ts'
import { scopeOptions, wireAddRelations, wireEvent, wireGraph, wireItem, wireRelation } from '../memory/wire.ts'
import type {
  AddOptions,
  AddResult,
  EntitySummary,
  GetAllOptions,
  GraphOptions,
  GraphResult,
  JsonObject,
  Message,
  MemoryItem,
  ScopeOptions,
  SearchOptions,
  SearchResult,
} from '../types.ts'

/**
 * The memory operations the tools call: a `Memory` has them, and so have the Worker's operations
 * (workers/operations.ts, the same calls and checks as its REST routes).
 */
export interface MemoryOperations {
  add(messages: Message[], options: AddOptions): Promise<AddResult>
  search(query: string, options: SearchOptions): Promise<SearchResult>
  get(id: string): Promise<MemoryItem | null>
  getAll(options: GetAllOptions): Promise<{ results: MemoryItem[] }>
  update(id: string, data: { text?: string; metadata?: JsonObject }): Promise<MemoryItem>
  delete(id: string): Promise<void>
  deleteAll(options: ScopeOptions): Promise<{ deleted: number }>
  entities(): Promise<EntitySummary[]>
  /** Graph memory's entities and relations of a scope; called only when `graph` is on. */
  graph(options: GraphOptions): Promise<GraphResult>
}

export interface MemoryMcpServerOptions {
  /** The memories the tools read and write (one tenant's in the Worker). */
  memory: MemoryOperations
  /**
   * The user scope of calls that name no user, agent or run (mem0's MCP server does the same with its
   * default user id). Unset: such calls are refused as the REST API refuses them.
   */
  defaultUserId?: string
  /** Whether `add_memory` extracts facts with an LLM when the call does not say (`infer`): true when one is configured. */
  inferByDefault: boolean
  /** The largest `limit` / `page_size` accepted (the Worker's MAX_TOP_K). Default: the core's maximum. */
  maxTopK?: number
  /** Reported to clients in `initialize`. */
  version: string
  /**
   * Graph memory is on (a graphStore in the Memory, GRAPH_STORE in the Worker): adds the graph tools
   * (search_graph, get_graph) and `relations` in add_memory's and search_memories' results.
   */
  graph?: boolean
}

const SCOPE_FIELDS = ['user_id', 'agent_id', 'run_id'] as const
const id = (what: string) => z.string().min(1).max(256).describe(what)
const scopeShape = {
  user_id: id('The user the memories belong to.').optional(),
  agent_id: id('The agent the memories belong to.').optional(),
  run_id: id('The run (session) the memories belong to.').optional(),
}
const filtersSchema = z
  .record(z.string(), z.unknown())
  .describe(
    'edgemem filters (docs/filters.md): field conditions with eq, ne, gt, gte, lt, lte, in, nin, contains, icontains, combined with AND / OR / NOT; metadata fields by name, e.g. {"AND": [{"user_id": "alice"}, {"topic": {"in": ["food", "travel"]}}]}. user_id / agent_id / run_id equalities here scope the call.',
  )
const jsonObject = z.record(z.string(), z.json())

const itemSchema = z.object({
  id: z.string(),
  memory: z.string(),
  hash: z.string(),
  metadata: jsonObject,
  score: z.number().optional(),
  created_at: z.string(),
  updated_at: z.string(),
  user_id: z.string().optional(),
  agent_id: z.string().optional(),
  run_id: z.string().optional(),
})
const relationSchema = z.object({
  source: z.string(),
  relationship: z.string(),
  target: z.string(),
  score: z.number().optional(),
  valid_from: z.string(),
  invalidated_at: z.string().nullable(),
  memory_ids: z.array(z.string()),
})
const eventSchema = z.object({
  id: z.string(),
  memory: z.string(),
  event: z.enum(['ADD', 'UPDATE', 'DELETE']),
  previous_memory: z.string().optional(),
})

function ok<T extends Record<string, unknown>>(result: T): CallToolResult {
  return { content: [{ type: 'text', text: JSON.stringify(result) }], structuredContent: result }
}

/**
 * A failed call: an MCP tool error (`isError: true`, as the protocol reports tool failures) whose text is
 * the REST API's error body, `{"error": {"code", "message"}}`, so clients can branch on the core's codes.
 */
function failure(err: unknown): CallToolResult {
  const code = isEdgememError(err)
    ? err.code
    : typeof (err as { code?: unknown })?.code === 'string'
      ? String((err as { code: string }).code)
      : 'INTERNAL'
  const message = err instanceof Error ? err.message : String(err)
  return { content: [{ type: 'text', text: JSON.stringify({ error: { code, message } }) }], isError: true }
}

async function run(work: () => Promise<Record<string, unknown>>): Promise<CallToolResult> {
  try {
    return ok(await work())
  } catch (err) {
    return failure(err)
  }
}

/** Creates an MCP server with edgemem's memory tools bound to `options.memory`; connect it to any transport. */
export function createMemoryMcpServer(options: MemoryMcpServerOptions): McpServer {
  const { memory, defaultUserId } = options
  const maxTopK = Math.min(options.maxTopK ?? MAX_TOP_K, MAX_TOP_K)
  const server = new McpServer(
    { name: 'edgemem', version: options.version },
    {
      instructions:
        'Long-term memory. Search it (search_memories) before answering questions about the user, and store durable facts, preferences and decisions with add_memory.',
    },
  )

  /** The scope of a call: the ids it names, else the default user (when there is one). */
  const scopeOf = (args: { user_id?: string | undefined; agent_id?: string | undefined; run_id?: string | undefined }): ScopeOptions => {
    const given = scopeOptions(args)
    if (Object.keys(given).length > 0 || defaultUserId === undefined) return given
    return { userId: defaultUserId }
  }
  /** Whether the call scopes itself through a user_id / agent_id / run_id equality in its filters. */
  const scopedByFilters = (filters: Record<string, unknown> | undefined, tool: string): boolean => {
    if (filters === undefined) return false
    const equalities = requiredEqualities(parseUserFilters(filters, tool)!)
    return SCOPE_FIELDS.some((field) => equalities.has(field))
  }
  const limitSchema = (what: string, fallback: number) =>
    z
      .number()
      .int()
      .min(1)
      .max(maxTopK)
      .describe(`${what} (default ${Math.min(fallback, maxTopK)}, at most ${maxTopK}).`)

  server.registerTool(
    'add_memory',
    {
      title: 'Add memory',
      description:
        'Store a fact, preference or conversation snippet. Give `text` (one sentence to remember) or `messages` (conversation turns). With inference (an LLM configured on the server), facts are extracted and reconciled with what is already stored (ADD / UPDATE / DELETE events); without, each message is stored as given.',
      inputSchema: {
        text: z.string().min(1).optional().describe('What to remember, as a plain sentence (stored as one user message).'),
        messages: z
          .array(z.object({ role: z.enum(['user', 'assistant', 'system']), content: z.string().min(1) }))
          .min(1)
          .optional()
          .describe('Conversation turns with role and content; used instead of `text` when given.'),
        ...scopeShape,
        metadata: jsonObject.optional().describe('JSON metadata stored with the memories (filterable).'),
        infer: z.boolean().optional().describe('Extract facts with the LLM (true) or store the messages as given (false).'),
      },
      outputSchema: {
        results: z.array(eventSchema),
        relations: z.object({ added: z.array(relationSchema), invalidated: z.array(relationSchema) }).optional(),
      },
      annotations: { destructiveHint: false, idempotentHint: false, openWorldHint: false },
    },
    (args) =>
      run(async () => {
        const messages: Message[] = args.messages ?? (args.text !== undefined ? [{ role: 'user', content: args.text }] : [])
        if (messages.length === 0) throw new ValidationError('add_memory: give `text` or `messages`')
        const { results, relations } = await memory.add(messages, {
          ...scopeOf(args),
          ...(args.metadata !== undefined ? { metadata: args.metadata as JsonObject } : {}),
          infer: args.infer ?? options.inferByDefault,
        })
        return { results: results.map(wireEvent), ...(relations ? { relations: wireAddRelations(relations) } : {}) }
      }),
  )

  server.registerTool(
    'search_memories',
    {
      title: 'Search memories',
      description:
        'Find the stored memories most relevant to a question, best first (hybrid semantic and keyword search). Scope it with user_id / agent_id / run_id or with filters.',
      inputSchema: {
        query: z.string().min(1).describe('What to look for, in natural language.'),
        ...scopeShape,
        filters: filtersSchema.optional(),
        limit: limitSchema('Maximum number of results', DEFAULT_SEARCH_TOP_K).optional(),
        threshold: z.number().optional().describe('Minimum relevance score of a result.'),
      },
      outputSchema: { results: z.array(itemSchema), relations: z.array(relationSchema).optional() },
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    (args) =>
      run(async () => {
        const scope = scopedByFilters(args.filters, 'search_memories') ? scopeOptions(args) : scopeOf(args)
        const { results, relations } = await memory.search(args.query, {
          ...scope,
          ...(args.filters !== undefined ? { filters: args.filters as SearchOptions['filters'] } : {}),
          topK: args.limit ?? Math.min(DEFAULT_SEARCH_TOP_K, maxTopK),
          ...(args.threshold !== undefined ? { threshold: args.threshold } : {}),
        })
        return { results: results.map(wireItem), ...(relations ? { relations: relations.map(wireRelation) } : {}) }
      }),
  )

  const defaultPageSize = Math.min(50, maxTopK)
  server.registerTool(
    'get_memories',
    {
      title: 'List memories',
      description: 'List the memories of a user, agent or run (or those matching filters), newest first, a page at a time.',
      inputSchema: {
        ...scopeShape,
        filters: filtersSchema.optional(),
        page: z.number().int().min(1).optional().describe('1-based page number (default 1).'),
        page_size: limitSchema('Memories per page', defaultPageSize).optional(),
      },
      outputSchema: { results: z.array(itemSchema), page: z.number(), page_size: z.number(), has_more: z.boolean() },
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    (args) =>
      run(async () => {
        const page = args.page ?? 1
        const pageSize = args.page_size ?? defaultPageSize
        const start = (page - 1) * pageSize
        // One more than the page shows whether another page follows.
        if (start >= maxTopK) {
          throw new ValidationError(
            `get_memories: page ${page} × page_size ${pageSize} is beyond the ${maxTopK} newest memories this server lists`,
          )
        }
        const scope = scopedByFilters(args.filters, 'get_memories') ? scopeOptions(args) : scopeOf(args)
        const { results } = await memory.getAll({
          ...scope,
          ...(args.filters !== undefined ? { filters: args.filters as GetAllOptions['filters'] } : {}),
          topK: Math.min(start + pageSize + 1, maxTopK),
        })
        const items = results.slice(start, start + pageSize)
        return { results: items.map(wireItem), page, page_size: pageSize, has_more: results.length > start + pageSize }
      }),
  )

  server.registerTool(
    'get_memory',
    {
      title: 'Get memory',
      description: 'Fetch one memory by its memory_id.',
      inputSchema: { memory_id: id('The id of the memory.') },
      outputSchema: itemSchema.shape,
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    (args) =>
      run(async () => {
        const item = await memory.get(args.memory_id)
        if (!item) throw new NotFoundError(`no memory with id "${args.memory_id}"`)
        return { ...wireItem(item) }
      }),
  )

  server.registerTool(
    'update_memory',
    {
      title: 'Update memory',
      description: 'Replace the text of a memory (re-embedded) and/or merge metadata into it (a null value removes a key).',
      inputSchema: {
        memory_id: id('The id of the memory.'),
        text: z.string().min(1).optional().describe('The new text.'),
        metadata: jsonObject.optional().describe('Metadata to merge; null removes a key.'),
      },
      outputSchema: itemSchema.shape,
      annotations: { destructiveHint: true, idempotentHint: true, openWorldHint: false },
    },
    (args) =>
      run(async () => {
        if (args.text === undefined && args.metadata === undefined)
          throw new ValidationError('update_memory: give `text`, `metadata` or both')
        const item = await memory.update(args.memory_id, {
          ...(args.text !== undefined ? { text: args.text } : {}),
          ...(args.metadata !== undefined ? { metadata: args.metadata as JsonObject } : {}),
        })
        return { ...wireItem(item) }
      }),
  )

  server.registerTool(
    'delete_memory',
    {
      title: 'Delete memory',
      description: 'Delete one memory by its memory_id (its history stays).',
      inputSchema: { memory_id: id('The id of the memory.') },
      outputSchema: { message: z.string(), memory_id: z.string() },
      annotations: { destructiveHint: true, idempotentHint: false, openWorldHint: false },
    },
    (args) =>
      run(async () => {
        await memory.delete(args.memory_id)
        return { message: 'Memory deleted successfully', memory_id: args.memory_id }
      }),
  )

  server.registerTool(
    'delete_all_memories',
    {
      title: 'Delete all memories of a scope',
      description:
        'Delete every memory of the given user, agent and/or run (all the ids given must match). With no id, the default user of this server.',
      inputSchema: scopeShape,
      outputSchema: { message: z.string(), deleted: z.number() },
      annotations: { destructiveHint: true, idempotentHint: true, openWorldHint: false },
    },
    (args) =>
      run(async () => {
        const { deleted } = await memory.deleteAll(scopeOf(args))
        return { message: 'Memories deleted successfully', deleted }
      }),
  )

  server.registerTool(
    'list_entities',
    {
      title: 'List entities',
      description: 'List the users, agents and runs that have memories, with how many each has.',
      outputSchema: {
        count: z.number(),
        results: z.array(
          z.object({
            type: z.enum(['user', 'agent', 'run']),
            id: z.string(),
            total_memories: z.number(),
            created_at: z.string(),
            updated_at: z.string(),
          }),
        ),
      },
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    () =>
      run(async () => {
        const entities = await memory.entities()
        return {
          count: entities.length,
          results: entities.map((e) => ({
            type: e.type,
            id: e.id,
            total_memories: e.memories,
            created_at: e.createdAt,
            updated_at: e.updatedAt,
          })),
        }
      }),
  )

  server.registerTool(
    'delete_entities',
    {
      title: 'Delete entities',
      description:
        'Delete users, agents and/or runs with all their memories (and, with graph memory, their graph entities and relations): each id given is deleted on its own (user_id "a" and agent_id "b" deletes every memory of a and every memory of b).',
      inputSchema: scopeShape,
      outputSchema: {
        message: z.string(),
        deleted: z.number(),
        entities: z.array(z.object({ type: z.enum(['user', 'agent', 'run']), id: z.string(), deleted: z.number() })),
      },
      annotations: { destructiveHint: true, idempotentHint: true, openWorldHint: false },
    },
    (args) =>
      run(async () => {
        const named: { type: 'user' | 'agent' | 'run'; scope: ScopeOptions; id: string }[] = []
        if (args.user_id !== undefined) named.push({ type: 'user', scope: { userId: args.user_id }, id: args.user_id })
        if (args.agent_id !== undefined) named.push({ type: 'agent', scope: { agentId: args.agent_id }, id: args.agent_id })
        if (args.run_id !== undefined) named.push({ type: 'run', scope: { runId: args.run_id }, id: args.run_id })
        if (named.length === 0) throw new ValidationError('delete_entities: give user_id, agent_id and/or run_id')
        const entities: { type: 'user' | 'agent' | 'run'; id: string; deleted: number }[] = []
        for (const { type, scope, id } of named) entities.push({ type, id, deleted: (await memory.deleteAll(scope)).deleted })
        const deleted = entities.reduce((sum, e) => sum + e.deleted, 0)
        return { message: 'Entities deleted successfully', deleted, entities }
      }),
  )

  if (options.graph) registerGraphTools(server, memory, scopeOf, limitSchema)
  return server
}

const entityOutSchema = z.object({ name: z.string(), type: z.string().optional(), memory_ids: z.array(z.string()), created_at: z.string() })

/** The graph memory tools (docs/mcp.md): relations for a question, and the whole graph of a scope. */
function registerGraphTools(
  server: McpServer,
  memory: MemoryOperations,
  scopeOf: (args: { user_id?: string | undefined; agent_id?: string | undefined; run_id?: string | undefined }) => ScopeOptions,
  limitSchema: (what: string, fallback: number) => z.ZodNumber,
): void {
  server.registerTool(
    'search_graph',
    {
      title: 'Search the memory graph',
      description:
        'Find the relations (source, relationship, target) around the people, places and things a question mentions, best first, with the memories they were learnt from. No LLM call.',
      inputSchema: {
        query: z.string().min(1).describe('The question or the names to look for.'),
        ...scopeShape,
        limit: limitSchema('Maximum number of relations', DEFAULT_SEARCH_TOP_K).optional(),
      },
      outputSchema: { relations: z.array(relationSchema) },
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    (args) =>
      run(async () => {
        const { relations } = await memory.search(args.query, {
          ...scopeOf(args),
          ...(args.limit !== undefined ? { topK: args.limit } : {}),
        })
        return { relations: (relations ?? []).map(wireRelation) }
      }),
  )

  server.registerTool(
    'get_graph',
    {
      title: 'Get the memory graph',
      description:
        'The entities and relations learnt in a user, agent or run scope, in creation order (valid relations only unless include_invalidated), each list cut to `limit`; total_* count before the cut.',
      inputSchema: {
        ...scopeShape,
        limit: limitSchema('Maximum number of entities and of relations', 100).optional(),
        include_invalidated: z.boolean().optional().describe('Also the relations later memories contradicted (kept as history).'),
      },
      outputSchema: {
        entities: z.array(entityOutSchema),
        relations: z.array(relationSchema),
        total_entities: z.number(),
        total_relations: z.number(),
      },
      annotations: { readOnlyHint: true, openWorldHint: false },
    },
    (args) =>
      run(async () => {
        const graph = await memory.graph({
          ...scopeOf(args),
          ...(args.limit !== undefined ? { limit: args.limit } : {}),
          ...(args.include_invalidated !== undefined ? { includeInvalidated: args.include_invalidated } : {}),
        })
        return { ...wireGraph(graph) }
      }),
  )
}
