import { z } from '@hono/zod-openapi'
import { hasLoneSurrogate } from '../../src/internal.ts'
import { TENANT_PATTERN } from '../auth/keys.ts'

/**
 * The REST shapes (mem0-server compatible, snake_case), validated on the way in and described in the
 * OpenAPI document. Unknown body fields are ignored (mem0 clients send a few extras, e.g. `version`);
 * limits that depend on the Worker's settings (message count and length, top_k cap) are checked by
 * the routes (limits.ts) and documented in docs/worker.md.
 */

/** YYYY-MM-DD naming a real day (checked here so REST clients get the snake_case field name). */
function isCalendarDate(value: string): boolean {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value)
  if (!match) return false
  const ms = Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3]))
  return new Date(ms).toISOString().slice(0, 10) === value
}

const scopeId = (what: string) =>
  z
    .string()
    .min(1)
    .max(256)
    .refine((id) => !hasLoneSurrogate(id), 'must be well-formed Unicode text (it holds a lone UTF-16 surrogate)')
    .openapi({ description: `${what} id of the scope` })
const json = z.any().openapi({ description: 'any JSON value' })

export const ErrorSchema = z
  .object({
    error: z.object({
      code: z.string().openapi({
        example: 'VALIDATION',
        description:
          'VALIDATION, FILTER, NOT_FOUND, UNAUTHORIZED, FORBIDDEN, PAYLOAD_TOO_LARGE, RATE_LIMITED, CONFIG, DIMENSION_MISMATCH, STORAGE, EMBEDDING, LLM, REMOTE, INTERNAL',
      }),
      message: z.string(),
    }),
  })
  .openapi('Error')

export const MessageSchema = z
  .object({
    role: z.string().min(1).max(64).openapi({ example: 'user' }),
    content: z.string().openapi({ example: "I'm vegetarian and allergic to nuts." }),
    name: z.string().max(256).optional(),
  })
  .openapi('Message')

export const MetadataSchema = z
  .record(z.string(), json)
  .openapi('Metadata', { description: 'flat JSON object; keys are metadata fields usable in filters' })

export const AddBodySchema = z
  .object({
    messages: z.union([z.string(), z.array(MessageSchema)]).openapi({ description: 'a conversation, or one text' }),
    user_id: scopeId('user').optional(),
    agent_id: scopeId('agent').optional(),
    run_id: scopeId('run').optional(),
    metadata: MetadataSchema.optional(),
    infer: z.boolean().optional().openapi({
      description: 'true: extract and reconcile facts with the LLM (default when one is configured); false: store each message as given',
    }),
    expiration_date: z
      .string()
      .refine(isCalendarDate, 'expiration_date must be a calendar date as YYYY-MM-DD')
      .optional()
      .openapi({ description: 'YYYY-MM-DD; hidden from search and get_all after that day', example: '2026-12-31' }),
  })
  .openapi('AddRequest')

export const MemoryEventSchema = z
  .object({
    id: z.string(),
    memory: z.string(),
    event: z.enum(['ADD', 'UPDATE', 'DELETE']),
    previous_memory: z.string().optional(),
  })
  .openapi('MemoryEvent')

export const RelationSchema = z
  .object({
    source: z.string().openapi({ example: 'Alice' }),
    relationship: z.string().openapi({ example: 'lives_in', description: 'snake_case' }),
    target: z.string().openapi({ example: 'Berlin' }),
    score: z.number().optional().openapi({ description: 'search only; higher is more relevant' }),
    valid_from: z.string().openapi({ description: 'ISO 8601: when it was learnt' }),
    invalidated_at: z.string().nullable().openapi({ description: 'ISO 8601 once a later memory contradicted it; null while valid' }),
    memory_ids: z.array(z.string()).openapi({ description: 'the memories it was learnt from' }),
  })
  .openapi('Relation', { description: 'a relation of graph memory (GRAPH_STORE; docs/graph.md)' })

export const AddResponseSchema = z
  .object({
    results: z.array(MemoryEventSchema),
    relations: z
      .object({ added: z.array(RelationSchema), invalidated: z.array(RelationSchema) })
      .optional()
      .openapi({ description: 'with graph memory on (GRAPH_STORE): the relations learnt and those the add invalidated' }),
  })
  .openapi('AddResponse')

export const MemoryItemSchema = z
  .object({
    id: z.string(),
    memory: z.string(),
    hash: z.string().openapi({ description: 'SHA-256 of the text' }),
    metadata: MetadataSchema,
    score: z.number().optional().openapi({ description: 'search only; higher is more relevant' }),
    created_at: z.string().openapi({ example: '2026-05-01T12:00:00.000Z' }),
    updated_at: z.string(),
    user_id: z.string().optional(),
    agent_id: z.string().optional(),
    run_id: z.string().optional(),
    expiration_date: z.string().optional().openapi({ description: 'YYYY-MM-DD, when the memory was added with one' }),
  })
  .openapi('MemoryItem')

export const MemoryListSchema = z.object({ results: z.array(MemoryItemSchema) }).openapi('MemoryList')

export const SearchResponseSchema = z
  .object({
    results: z.array(MemoryItemSchema),
    relations: z
      .array(RelationSchema)
      .optional()
      .openapi({ description: "with graph memory on (GRAPH_STORE): relations around the query's entities, best first" }),
  })
  .openapi('SearchResponse')

export const GraphEntitySchema = z
  .object({
    name: z.string().openapi({ example: 'Alice' }),
    type: z.string().optional().openapi({ example: 'person' }),
    memory_ids: z.array(z.string()),
    created_at: z.string(),
  })
  .openapi('GraphEntity')

export const GraphSchema = z
  .object({
    entities: z.array(GraphEntitySchema),
    relations: z.array(RelationSchema),
    total_entities: z.number().int().openapi({ description: 'before the cut to limit' }),
    total_relations: z.number().int().openapi({ description: 'before the cut to limit' }),
  })
  .openapi('Graph')

const topK = z.coerce.number().int().min(1).openapi({ description: 'at most MAX_TOP_K (default 100)' })

export const ScopeQuerySchema = z.object({
  user_id: scopeId('user')
    .optional()
    .openapi({ param: { name: 'user_id', in: 'query' } }),
  agent_id: scopeId('agent')
    .optional()
    .openapi({ param: { name: 'agent_id', in: 'query' } }),
  run_id: scopeId('run')
    .optional()
    .openapi({ param: { name: 'run_id', in: 'query' } }),
})

export const ListQuerySchema = ScopeQuerySchema.extend({
  top_k: topK.optional().openapi({ param: { name: 'top_k', in: 'query' }, description: 'default 100, at most MAX_TOP_K' }),
  filters: z
    .string()
    .optional()
    .openapi({
      param: { name: 'filters', in: 'query' },
      description: 'a filter of docs/filters.md as JSON, e.g. {"topic":"food"}; user_id/agent_id/run_id equalities in it name the scope',
    }),
})

export const GraphQuerySchema = ScopeQuerySchema.extend({
  limit: topK
    .optional()
    .openapi({ param: { name: 'limit', in: 'query' }, description: 'entities and relations each (default 100, at most MAX_TOP_K)' }),
  include_invalidated: z
    .enum(['true', 'false'])
    .optional()
    .openapi({ param: { name: 'include_invalidated', in: 'query' }, description: 'also the relations later memories contradicted' }),
})

export const SearchBodySchema = z
  .object({
    query: z.string().min(1).openapi({ example: 'what does she eat?' }),
    user_id: scopeId('user').optional(),
    agent_id: scopeId('agent').optional(),
    run_id: scopeId('run').optional(),
    filters: z
      .record(z.string(), json)
      .optional()
      .openapi({ description: 'filter language of docs/filters.md, e.g. {"topic": ["food"], "priority": {"gte": 2}}' }),
    top_k: z.number().int().min(1).optional().openapi({ description: 'default 10, at most MAX_TOP_K' }),
    threshold: z.number().optional().openapi({ description: 'minimum score' }),
    rerank: z.boolean().optional().openapi({ description: 're-order with the RERANKER_PROVIDER (400 when none is configured)' }),
  })
  .openapi('SearchRequest')

export const UpdateBodySchema = z
  .object({
    text: z.string().min(1).optional(),
    metadata: MetadataSchema.optional().openapi({ description: "merged into the memory's metadata; a null value removes the key" }),
  })
  .openapi('UpdateRequest')

export const HistoryEntrySchema = z
  .object({
    id: z.string(),
    memory_id: z.string(),
    event: z.enum(['ADD', 'UPDATE', 'DELETE']),
    previous_value: z.string().nullable(),
    new_value: z.string().nullable(),
    created_at: z.string(),
  })
  .openapi('HistoryEntry')

export const MessageResponseSchema = z.object({ message: z.string() }).openapi('MessageResponse')
export const DeleteAllResponseSchema = z.object({ message: z.string(), deleted: z.number().int() }).openapi('DeleteAllResponse')

export const IdParamSchema = z.object({
  id: z
    .string()
    .min(1)
    .max(512)
    .openapi({ param: { name: 'id', in: 'path' }, example: '3.9b2f0c1e-5a4d-4e8f-9c1a-2b3c4d5e6f70' }),
})

export const TenantSchema = z.string().regex(TENANT_PATTERN, '1-48 letters, digits, "_" or "-"').openapi({ example: 'acme' })

export const CreateKeyBodySchema = z
  .object({
    tenant: TenantSchema,
    name: z.string().min(1).max(128).optional().openapi({ description: 'a label for the key' }),
  })
  .openapi('CreateKeyRequest')

export const ApiKeySchema = z
  .object({
    id: z.string().openapi({ description: 'names the key in the admin API; not the key' }),
    tenant: z.string(),
    name: z.string().nullable(),
    created_at: z.string(),
  })
  .openapi('ApiKey')

export const CreatedKeySchema = ApiKeySchema.extend({
  key: z.string().openapi({ description: 'the API key; shown only in this response' }),
}).openapi('CreatedKey')

export const KeyListSchema = z.object({ results: z.array(ApiKeySchema) }).openapi('ApiKeyList')

export const TenantQuerySchema = z.object({
  tenant: TenantSchema.optional().openapi({ param: { name: 'tenant', in: 'query' } }),
})
