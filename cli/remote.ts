// An edgemem Worker as a store of the data commands: its GET /export (a JSON Lines stream) and POST
// /import (JSON Lines bodies of at most MAX_BODY_BYTES) routes (docs/worker.md), with the tenant key of
// the config's `remote` (the options RemoteMemory validates). Streamed with fetch: an export is never
// held whole, and an import batch is sent in bodies under the Worker's size limit.
import { errorFromRemote } from '../src/client/errors.ts'
import { RemoteError } from '../src/errors.ts'
import { decodeJsonLines } from '../src/portable/jsonl.ts'
import type { PortableRecord } from '../src/portable/records.ts'

export interface WorkerEndpoint {
  url: string
  apiKey: string
  headers: Record<string, string>
  /** Largest request body sent (the Worker's MAX_BODY_BYTES; default 256 KiB as in wrangler.toml). */
  maxRequestBytes: number
}

const SERVICE = 'edgemem Worker'

function endpoint(worker: WorkerEndpoint, path: string, query: Record<string, string | undefined>): string {
  const url = new URL(`${worker.url.replace(/\/+$/, '')}${path}`)
  for (const [key, value] of Object.entries(query)) if (value !== undefined) url.searchParams.set(key, value)
  return url.toString()
}

/** fetch, with the Worker's error answers as the core's typed errors (errorFromRemote) and no answer as RemoteError status 0. */
async function call(worker: WorkerEndpoint, url: string, init: RequestInit): Promise<Response> {
  let response: Response
  try {
    response = await fetch(url, { ...init, headers: { ...worker.headers, Authorization: `Bearer ${worker.apiKey}`, ...init.headers } })
  } catch (err) {
    throw new RemoteError(SERVICE, 0, err instanceof Error ? err.message : String(err), { cause: err })
  }
  if (response.ok) return response
  const text = await response.text().catch(() => '')
  let body: unknown
  try {
    body = JSON.parse(text)
  } catch {
    body = undefined
  }
  const message = (body as { error?: { message?: unknown } } | undefined)?.error?.message
  const hint = response.status === 401 ? 'check the apiKey: the Worker does not know it, or it was revoked' : undefined
  throw errorFromRemote(
    new RemoteError(SERVICE, response.status, typeof message === 'string' ? message : text.slice(0, 500), {
      body,
      ...(hint ? { hint } : {}),
    }),
  )
}

/** The Worker's export of the tenant (or of a scope), record by record as the stream arrives. */
export async function* exportFromWorker(
  worker: WorkerEndpoint,
  settings: { userId?: string | undefined; agentId?: string | undefined; runId?: string | undefined; vectors: boolean },
): AsyncGenerator<PortableRecord> {
  const url = endpoint(worker, '/export', {
    user_id: settings.userId,
    agent_id: settings.agentId,
    run_id: settings.runId,
    vectors: settings.vectors ? 'true' : undefined,
  })
  const response = await call(worker, url, { method: 'GET' })
  if (!response.body) return
  yield* decodeJsonLines(response.body as unknown as AsyncIterable<Uint8Array>)
}

/**
 * Imports a batch (header first) in as few requests as the size limit allows: each body is the header
 * and whole memories (a memory with its history never split). Returns the summed counts.
 */
export async function importIntoWorker(
  worker: WorkerEndpoint,
  records: PortableRecord[],
  settings: { onConflict: string; reembed: string },
): Promise<Record<string, number>> {
  const [header, ...rest] = records
  const headerLine = `${JSON.stringify(header)}\n`
  const url = endpoint(worker, '/import', { on_conflict: settings.onConflict, reembed: settings.reembed })
  const counts: Record<string, number> = {}
  const send = async (lines: string[]): Promise<void> => {
    if (lines.length === 0) return
    const response = await call(worker, url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-ndjson' },
      body: headerLine + lines.join(''),
    })
    const result = (await response.json()) as Record<string, unknown>
    for (const [name, value] of Object.entries(result)) if (typeof value === 'number') counts[name] = (counts[name] ?? 0) + value
  }
  const encoder = new TextEncoder()
  let body: string[] = []
  let bytes = encoder.encode(headerLine).length
  let group: string[] = []
  let groupBytes = 0
  const closeGroup = async (): Promise<void> => {
    if (bytes + groupBytes > worker.maxRequestBytes && body.length > 0) {
      await send(body)
      body = []
      bytes = encoder.encode(headerLine).length
    }
    body.push(...group)
    bytes += groupBytes
    group = []
    groupBytes = 0
  }
  for (const record of rest) {
    if (record.type !== 'history' && group.length > 0) await closeGroup()
    const line = `${JSON.stringify(record)}\n`
    group.push(line)
    groupBytes += encoder.encode(line).length
  }
  if (group.length > 0) await closeGroup()
  await send(body)
  return counts
}
