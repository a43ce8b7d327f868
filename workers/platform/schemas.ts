import { z } from '@hono/zod-openapi'
import { MessageSchema, MetadataSchema } from '../http/schemas.ts'

/**
 * The mem0 platform request shapes the Worker accepts (mem0-platform-openapi.json's subset that the
 * mem0 clients send), validated on the way in. Unknown fields are ignored (the clients send extras such
 * as `output_format`); fields with a meaning edgemem cannot honour are refused by the routes by name.
 */
const entityId = (what: string) =>
  z
    .string()
    .min(1)
    .max(256)
    .openapi({ description: `${what} id` })
const json = z.any().openapi({ description: 'any JSON value' })
const filtersSchema = z.record(z.string(), json).openapi({
  description:
    'mem0 filters: entity ids (at least one of user_id, agent_id, app_id, run_id), AND/OR/NOT, operators in, nin, gt, gte, lt, lte, ne, contains, icontains, "*", metadata conditions under {"metadata": {...}}, created_at/updated_at ranges',
  example: { AND: [{ user_id: 'alice' }, { metadata: { topic: 'food' } }] },
})

export const PlatformAddBodySchema = z
  .object({
    messages: z.union([z.string(), z.array(MessageSchema)]),
    user_id: entityId('user').optional(),
    agent_id: entityId('agent').optional(),
    app_id: entityId('app').optional(),
    run_id: entityId('run').optional(),
    metadata: MetadataSchema.optional(),
    infer: z.boolean().optional().openapi({ description: 'default: true when the Worker has an LLM' }),
    expiration_date: z.string().nullable().optional().openapi({ description: 'YYYY-MM-DD' }),
    async_mode: z.boolean().optional().openapi({ description: 'true: answer PENDING at once and process in the background' }),
    timestamp: json.optional().openapi({ description: 'not supported (400)' }),
    custom_instructions: z.string().optional().openapi({ description: 'not supported (400)' }),
    enable_graph: z
      .boolean()
      .optional()
      .openapi({ description: 'graph memory is per deployment (GRAPH_STORE): true without it is a 400; otherwise the setting decides' }),
  })
  .openapi('PlatformAddRequest')

export const PlatformAddResponseSchema = z
  .object({
    message: z.string(),
    event_id: z.string().optional(),
    status: z.enum(['PENDING', 'SUCCEEDED', 'FAILED']).optional(),
    error: z.string().optional(),
    results: z.array(z.object({ id: z.string(), data: z.object({ memory: z.string() }), event: z.enum(['ADD', 'UPDATE', 'DELETE']) })),
  })
  .openapi('PlatformAddResponse')

export const PlatformSearchBodySchema = z
  .object({
    query: z.string().min(1),
    filters: filtersSchema,
    top_k: z.number().int().min(1).optional(),
    threshold: z.number().min(0).max(1).optional(),
    rerank: z.boolean().optional().openapi({ description: 'accepted; edgemem always ranks by its hybrid score' }),
    keyword_search: z.boolean().optional().openapi({ description: 'accepted; keyword matching is always part of the score' }),
    fields: z.array(z.string()).optional(),
    show_expired: z.boolean().optional().openapi({ description: 'true is not supported (400)' }),
    metadata: z.record(z.string(), json).optional().openapi({ description: 'metadata conditions ANDed to filters' }),
  })
  .openapi('PlatformSearchRequest')

export const PlatformListBodySchema = z
  .object({
    filters: filtersSchema,
    start_date: z.string().optional().openapi({ description: 'created_at from (ISO-8601)' }),
    end_date: z.string().optional().openapi({ description: 'created_at up to (ISO-8601)' }),
    show_expired: z.boolean().optional().openapi({ description: 'true is not supported (400)' }),
    fields: z.array(z.string()).optional(),
  })
  .openapi('PlatformListRequest')

export const PageQuerySchema = z.object({
  page: z.coerce
    .number()
    .int()
    .min(1)
    .optional()
    .openapi({ param: { name: 'page', in: 'query' }, description: 'from 1' }),
  page_size: z.coerce
    .number()
    .int()
    .min(1)
    .max(1000)
    .optional()
    .openapi({ param: { name: 'page_size', in: 'query' }, description: 'default 100, at most 1000' }),
})

const queryId = (name: string) =>
  entityId(name)
    .optional()
    .openapi({ param: { name: `${name}_id`, in: 'query' } })

export const EntityQuerySchema = z.object({
  user_id: queryId('user'),
  agent_id: queryId('agent'),
  app_id: queryId('app'),
  run_id: queryId('run'),
})

export const MemoryIdParamSchema = z.object({
  memory_id: z
    .string()
    .min(1)
    .max(512)
    .openapi({ param: { name: 'memory_id', in: 'path' } }),
})

export const EventIdParamSchema = z.object({
  event_id: z
    .string()
    .min(1)
    .max(128)
    .openapi({ param: { name: 'event_id', in: 'path' } }),
})

export const EntityParamSchema = z.object({
  entity_type: z.enum(['user', 'agent', 'app', 'run']).openapi({ param: { name: 'entity_type', in: 'path' } }),
  entity_id: z
    .string()
    .min(1)
    .max(256)
    .openapi({ param: { name: 'entity_id', in: 'path' } }),
})

export const PlatformUpdateBodySchema = z
  .object({
    text: z.string().min(1).optional(),
    metadata: MetadataSchema.optional(),
    expiration_date: json.optional().openapi({ description: 'not supported (400)' }),
    timestamp: json.optional().openapi({ description: 'not supported (400)' }),
  })
  .openapi('PlatformUpdateRequest')

const MAX_BATCH = 1000

export const BatchUpdateBodySchema = z
  .object({
    memories: z
      .array(z.object({ memory_id: z.string().min(1).max(512), text: z.string().min(1) }))
      .min(1)
      .max(MAX_BATCH),
  })
  .openapi('BatchUpdateRequest')

export const BatchDeleteBodySchema = z
  .object({
    memories: z
      .array(z.object({ memory_id: z.string().min(1).max(512) }))
      .min(1)
      .max(MAX_BATCH),
  })
  .openapi('BatchDeleteRequest')

const nullableId = z.string().nullable()

export const PlatformMemorySchema = z
  .object({
    id: z.string(),
    memory: z.string(),
    user_id: nullableId,
    agent_id: nullableId,
    app_id: nullableId,
    run_id: nullableId.optional().openapi({ description: 'session_id on POST /v3/memories/' }),
    session_id: nullableId.optional(),
    hash: z.string(),
    metadata: MetadataSchema,
    categories: z.array(z.string()),
    score: z.number().optional(),
    created_at: z.string(),
    updated_at: z.string(),
    expiration_date: z.string().nullable(),
  })
  .openapi('PlatformMemory')

export const PageSchema = z
  .object({
    count: z.number().int(),
    next: z.string().nullable(),
    previous: z.string().nullable(),
    results: z.array(PlatformMemorySchema),
  })
  .openapi('PlatformMemoryPage')

export const PlatformHistorySchema = z
  .object({
    id: z.string(),
    memory_id: z.string(),
    input: z.array(z.object({ role: z.string(), content: z.string() })),
    old_memory: z.string().nullable(),
    new_memory: z.string().nullable(),
    user_id: nullableId,
    agent_id: nullableId,
    app_id: nullableId,
    run_id: nullableId,
    categories: z.array(z.string()),
    event: z.enum(['ADD', 'UPDATE', 'DELETE']),
    metadata: MetadataSchema,
    created_at: z.string(),
    updated_at: z.string(),
  })
  .openapi('PlatformHistoryEntry')

export const EntitySchema = z
  .object({
    id: z.string(),
    name: z.string(),
    type: z.enum(['user', 'agent', 'app', 'run']),
    owner: z.string(),
    total_memories: z.number().int(),
    metadata: z.record(z.string(), json),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .openapi('PlatformEntity')

export const EntityPageSchema = z
  .object({
    count: z.number().int(),
    next: z.string().nullable(),
    previous: z.string().nullable(),
    results: z.array(EntitySchema),
    total_users: z.number().int(),
    total_agents: z.number().int(),
    total_apps: z.number().int(),
    total_runs: z.number().int(),
  })
  .openapi('PlatformEntityPage')

export const EventSchema = z
  .object({
    id: z.string(),
    event_type: z.literal('ADD'),
    status: z.enum(['PENDING', 'RUNNING', 'SUCCEEDED', 'FAILED']),
    results: PlatformAddResponseSchema.shape.results,
    error: z.string().nullable(),
    created_at: z.string(),
    updated_at: z.string(),
    started_at: z.string().nullable(),
    completed_at: z.string().nullable(),
    latency: z.number().nullable(),
  })
  .openapi('PlatformEvent')

export const PingSchema = z
  .object({
    status: z.literal('ok'),
    org_id: z.string().openapi({ description: 'the tenant of the key' }),
    project_id: z.string().openapi({ description: "the tenant's collection" }),
    user_email: z.string().nullable(),
  })
  .openapi('PlatformPing')

export const MessageSchemaOut = z.object({ message: z.string() }).openapi('PlatformMessage')
