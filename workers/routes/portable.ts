import { createRoute, z, type OpenAPIHono } from '@hono/zod-openapi'
import { encodeJsonLines } from '../../src/index.workerd.ts'
import { streamChunks } from '../../src/internal.ts'
import type { AppEnv } from '../app-env.ts'
import { ApiError } from '../http/errors.ts'
import { AUTHENTICATED_ERRORS, errorResponses, jsonResponse, SECURITY } from '../http/responses.ts'
import { ScopeQuerySchema } from '../http/schemas.ts'
import { scopeOptions } from '../http/wire.ts'
import { operationsOf } from '../operations.ts'

// The portable format over HTTP (docs/format.md, docs/worker.md#export-and-import): the caller's
// tenant's memories out as a JSON Lines stream, and JSON Lines in.

const NDJSON = 'application/x-ndjson'
const tags = ['portable']

const ExportQuerySchema = ScopeQuerySchema.extend({
  vectors: z
    .enum(['true', 'false'])
    .optional()
    .openapi({ param: { name: 'vectors', in: 'query' }, description: "include each memory's vector (default false)" }),
})

const ImportQuerySchema = z.object({
  on_conflict: z
    .enum(['skip', 'overwrite', 'error'])
    .optional()
    .openapi({
      param: { name: 'on_conflict', in: 'query' },
      description: 'a memory stored with other content: skip (default), overwrite, or error',
    }),
  reembed: z
    .enum(['auto', 'always', 'never'])
    .optional()
    .openapi({
      param: { name: 'reembed', in: 'query' },
      description: "auto (default): reuse the file's vectors when its embedder is this server's",
    }),
})

const ImportResultSchema = z
  .object({
    imported: z.number().int(),
    skipped: z.number().int(),
    overwritten: z.number().int(),
    reembedded: z.number().int(),
    history: z.number().int(),
    entities: z.number().int(),
    relations: z.number().int(),
  })
  .openapi('ImportResult')

const exportRoute = createRoute({
  method: 'get',
  path: '/export',
  tags,
  summary: "Stream the tenant's memories as JSON Lines (the portable format)",
  description:
    'A header line, then each memory followed by its history (docs/format.md). With user_id, agent_id or run_id, that scope only; without, every memory of the tenant. Expired memories are included.',
  security: SECURITY,
  request: { query: ExportQuerySchema },
  responses: {
    200: { description: 'one JSON record per line', content: { [NDJSON]: { schema: z.string() } } },
    ...errorResponses(...AUTHENTICATED_ERRORS),
  },
})

const importRoute = createRoute({
  method: 'post',
  path: '/import',
  tags,
  summary: 'Import JSON Lines of the portable format into the tenant',
  description:
    'Content-Type application/x-ndjson, at most MAX_BODY_BYTES (split larger files: importing is idempotent). Every line is validated before anything is written (400 naming the line); memories are written in batches that land whole.',
  security: SECURITY,
  request: { query: ImportQuerySchema, body: { required: true, content: { [NDJSON]: { schema: z.string() } } } },
  responses: { 200: jsonResponse(ImportResultSchema, 'what was written'), ...errorResponses(...AUTHENTICATED_ERRORS, 502) },
})

export function registerPortableRoutes(app: OpenAPIHono<AppEnv>): void {
  app.openapi(exportRoute, async (c) => {
    const query = c.req.valid('query')
    const records = await operationsOf(c).export({ ...scopeOptions(query), vectors: query.vectors === 'true' })
    const lines = encodeJsonLines(records)[Symbol.asyncIterator]()
    const encoder = new TextEncoder()
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        const next = await lines.next()
        if (next.done) controller.close()
        else controller.enqueue(encoder.encode(next.value))
      },
      async cancel() {
        await lines.return?.(undefined)
      },
    })
    return new Response(body, { status: 200, headers: { 'Content-Type': `${NDJSON}; charset=utf-8` } }) as never
  })

  app.openapi(importRoute, async (c) => {
    const type = c.req.header('content-type') ?? ''
    if (!/^application\/(x-ndjson|jsonl|x-jsonlines)\b/i.test(type)) {
      throw new ApiError(
        400,
        'VALIDATION',
        `the body must be JSON Lines sent with "Content-Type: ${NDJSON}" (got ${type ? `"${type}"` : 'no Content-Type'})`,
      )
    }
    const query = c.req.valid('query')
    const body = c.req.raw.body
    const result = await operationsOf(c).import(body ? streamChunks(body) : [], {
      ...(query.on_conflict !== undefined ? { onConflict: query.on_conflict } : {}),
      ...(query.reembed !== undefined ? { reembed: query.reembed } : {}),
    })
    return c.json(result, 200)
  })
}
