import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { decodeJsonLines, encodeJsonLines, isEdgememError, type Memory } from '../../src/index.ts'

/**
 * The portable routes of an edgemem Worker (docs/worker.md "Export and import", workers/routes/portable.ts)
 * on 127.0.0.1, over a real Memory standing for the tenant: Bearer tenant keys (401 otherwise), GET
 * /export?user_id&agent_id&run_id&vectors streaming `application/x-ndjson`, POST /import?on_conflict&reembed
 * taking JSON Lines (415-like 400 without the NDJSON Content-Type, 413 over MAX_BODY_BYTES), every error
 * as the Worker's `{"error": {"code", "message"}}`. For the CLI's Worker stores, which a test cannot run
 * against wrangler dev in a unit-test budget.
 */

export interface FakeWorker {
  url: string
  apiKey: string
  /** Request bodies POST /import received, in bytes (to check the CLI keeps them under the limit). */
  importBodies: number[]
  close(): Promise<void>
}

const send = (res: ServerResponse, status: number, body: unknown): void => {
  res.writeHead(status, { 'Content-Type': 'application/json' })
  res.end(JSON.stringify(body))
}
const fail = (res: ServerResponse, status: number, code: string, message: string): void => send(res, status, { error: { code, message } })

async function readBody(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  const chunks: Buffer[] = []
  let size = 0
  for await (const chunk of req) {
    size += (chunk as Buffer).length
    if (size > limit) return undefined
    chunks.push(chunk as Buffer)
  }
  return Buffer.concat(chunks)
}

export async function startFakeWorker(memory: Memory, options: { apiKey?: string; maxBodyBytes?: number } = {}): Promise<FakeWorker> {
  const apiKey = options.apiKey ?? 'em_test_key'
  const maxBodyBytes = options.maxBodyBytes ?? 262_144
  const importBodies: number[] = []
  const server = createServer(async (req, res) => {
    try {
      if (req.headers.authorization !== `Bearer ${apiKey}`) return fail(res, 401, 'UNAUTHORIZED', 'missing or unknown API key')
      const url = new URL(req.url ?? '/', 'http://127.0.0.1')
      const scope = Object.fromEntries(
        (
          [
            ['user_id', 'userId'],
            ['agent_id', 'agentId'],
            ['run_id', 'runId'],
          ] as const
        ).flatMap(([query, option]) => (url.searchParams.has(query) ? [[option, url.searchParams.get(query)!]] : [])),
      )
      if (req.method === 'GET' && url.pathname === '/export') {
        const records = memory.export({ ...scope, vectors: url.searchParams.get('vectors') === 'true' })
        res.writeHead(200, { 'Content-Type': 'application/x-ndjson; charset=utf-8' })
        for await (const line of encodeJsonLines(records)) if (!res.write(line)) await new Promise((resolve) => res.once('drain', resolve))
        return res.end()
      }
      if (req.method === 'POST' && url.pathname === '/import') {
        if (!/^application\/(x-ndjson|jsonl|x-jsonlines)\b/i.test(req.headers['content-type'] ?? '')) {
          return fail(res, 400, 'VALIDATION', 'the body must be JSON Lines sent with "Content-Type: application/x-ndjson"')
        }
        const body = await readBody(req, maxBodyBytes)
        if (body === undefined)
          return fail(res, 413, 'PAYLOAD_TOO_LARGE', `request body is larger than ${maxBodyBytes} bytes (MAX_BODY_BYTES)`)
        importBodies.push(body.length)
        const onConflict = url.searchParams.get('on_conflict') ?? undefined
        const reembed = url.searchParams.get('reembed') ?? undefined
        const result = await memory.import(decodeJsonLines([body]), {
          ...(onConflict ? { onConflict: onConflict as 'skip' } : {}),
          ...(reembed ? { reembed: reembed as 'auto' } : {}),
        })
        return send(res, 200, result)
      }
      return fail(res, 404, 'NOT_FOUND', `no route ${req.method} ${url.pathname}`)
    } catch (err) {
      if (res.headersSent) return res.destroy(err as Error)
      if (isEdgememError(err)) return fail(res, err.code === 'VALIDATION' ? 400 : 500, err.code, err.message)
      return fail(res, 500, 'INTERNAL', 'internal error')
    }
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}`,
    apiKey,
    importBodies,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  }
}
