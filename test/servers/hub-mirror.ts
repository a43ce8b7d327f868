/**
 * A Hugging Face hub mirror on 127.0.0.1 serving the generated stand-in models (.cache/models) the way
 * the hub lays files out (/<model id>/resolve/<revision>/<file>), with optional aliases: serving a
 * stand-in under the default model id lets tests and benches run `new Memory()` with no config at all,
 * exactly as a user would, without a real hub.
 *
 *   const mirror = await startHubMirror({ aliases: { 'Xenova/all-MiniLM-L6-v2': RANDOM_MODEL } })
 *   env.remoteHost = mirror.url   // transformers.js, process-wide
 */
import { readFile } from 'node:fs/promises'
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { modelsDir, RANDOM_MODEL } from '../support/models.ts'

export const DEFAULT_MODEL_ALIAS = { 'Xenova/all-MiniLM-L6-v2': RANDOM_MODEL }

export interface HubMirror {
  url: string
  /** Paths requested, in order. */
  requests: string[]
  close(): Promise<void>
}

export interface HubMirrorOptions {
  aliases?: Record<string, string>
  modelsDir?: string
}

/** The mirror as a request handler: for a Node server, or a Vite/connect middleware under a prefix. */
export function hubMirrorHandler(
  options: HubMirrorOptions = {},
  requests: string[] = [],
): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  const root = options.modelsDir ?? modelsDir()
  return async (req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://mirror').pathname)
    requests.push(path)
    const match = /^\/(.+?)\/resolve\/[^/]+\/(.+)$/.exec(path)
    const model = match ? (options.aliases?.[match[1]!] ?? match[1]!) : undefined
    const body = model && !path.includes('..') ? await readFile(join(root, model, match![2]!)).catch(() => undefined) : undefined
    if (!body) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('Entry not found')
      return
    }
    res.writeHead(200, { 'content-length': String(body.length), 'content-type': 'application/octet-stream' }).end(body)
  }
}

export async function startHubMirror(options: HubMirrorOptions = {}): Promise<HubMirror> {
  const requests: string[] = []
  const server = createServer(hubMirrorHandler(options, requests))
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    url: `http://127.0.0.1:${port}/`,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}
