import { createExecutionContext, waitOnExecutionContext } from 'cloudflare:test'
import { env, exports } from 'cloudflare:workers'
import { inject } from 'vitest'
import { RemoteMemory, type RemoteMemoryOptions } from '../../src/client/index.ts'
import worker from '../../workers/index.ts'
import type { Env } from '../../workers/env.ts'
import { FakeVectorizeIndex } from '../servers/vectorize.ts'

/**
 * Test helpers for the Worker suites: HTTP requests to the Worker (through its real fetch handler and
 * bindings), tenants with fresh API keys, and env overrides for the other storage modes and limits.
 */
export const ADMIN_KEY = 'test-admin-key'
export const ORIGIN = 'http://edgemem.test'

export interface ApiResponse<T = any> {
  status: number
  headers: Headers
  body: T
}

export interface RequestOptions {
  key?: string
  /** Sends the key as X-API-Key instead of Authorization: Bearer. */
  keyHeader?: 'bearer' | 'x-api-key'
  body?: unknown
  /** A raw body sent as is (no JSON encoding, no Content-Type unless given in headers). */
  rawBody?: BodyInit
  headers?: Record<string, string>
  /** Runs the request against the Worker with these env values changed (other storage modes, limits). */
  env?: Partial<Env>
}

export async function request<T = any>(method: string, path: string, options: RequestOptions = {}): Promise<ApiResponse<T>> {
  const headers = new Headers(options.headers)
  if (options.key !== undefined) {
    if (options.keyHeader === 'x-api-key') headers.set('X-API-Key', options.key)
    else headers.set('Authorization', `Bearer ${options.key}`)
  }
  let body: BodyInit | undefined = options.rawBody
  if (options.body !== undefined) {
    body = JSON.stringify(options.body)
    if (!headers.has('content-type')) headers.set('Content-Type', 'application/json')
  }
  const req = new Request(`${ORIGIN}${path}`, { method, headers, body })
  let response: Response
  if (options.env) {
    const ctx = createExecutionContext()
    // An incoming request carries cf properties the test's own Request lacks; the Worker reads none of them.
    response = await worker.fetch(req as Parameters<typeof worker.fetch>[0], { ...(env as Env), ...options.env }, ctx)
    await waitOnExecutionContext(ctx)
  } else {
    response = await exports.default.fetch(req)
  }
  const text = await response.text()
  let parsed: unknown = text
  try {
    parsed = text === '' ? undefined : JSON.parse(text)
  } catch {
    // not JSON (the /docs page): keep the text
  }
  return { status: response.status, headers: response.headers, body: parsed as T }
}

let counter = 0
/** A tenant name no other test uses (storage persists across the tests of a file). */
export function uniqueTenant(prefix = 't'): string {
  counter++
  return `${prefix}-${Date.now().toString(36)}-${counter}-${Math.random().toString(36).slice(2, 6)}`
}

export async function createKey(tenant: string, env?: Partial<Env>): Promise<{ key: string; id: string }> {
  const response = await request('POST', '/admin/keys', { key: ADMIN_KEY, body: { tenant }, ...(env ? { env } : {}) })
  if (response.status !== 201) throw new Error(`creating a key failed: ${response.status} ${JSON.stringify(response.body)}`)
  return { key: response.body.key, id: response.body.id }
}

/** A new tenant and a key for it. */
export async function newTenant(prefix = 't', env?: Partial<Env>): Promise<{ tenant: string; key: string; id: string }> {
  const tenant = uniqueTenant(prefix)
  return { tenant, ...(await createKey(tenant, env)) }
}

export type StorageModeName = 'durable-object' | 'kv' | 'upstash' | 'qdrant' | 'pinecone' | 'pgvector' | 'vectorize'
export const ALL_MODES: StorageModeName[] = ['durable-object', 'kv', 'upstash', 'qdrant', 'pinecone', 'pgvector', 'vectorize']

/** The Vectorize index binding of the `vectorize` mode: the fake index (test/servers/vectorize.ts), one per isolate. */
const vectorizeIndex = new FakeVectorizeIndex({
  dimensions: 8,
  metadataIndexes: { user_id: 'string', agent_id: 'string', run_id: 'string', _em_h: 'number' },
  visibilityDelayMs: 5,
})

/**
 * The env changes that put the Worker in a storage mode. The remote modes use the fake services
 * started by remote-servers.setup.ts; they hold 8-dimensional vectors, which the OpenAI-compatible
 * test server produces when asked for `dimensions: 8`.
 */
export function modeEnv(mode: StorageModeName): Partial<Env> {
  const servers = inject('remoteServers')
  const remoteEmbeddings = { EMBEDDING_DIMENSIONS: String(servers.dimensions) }
  switch (mode) {
    case 'durable-object':
      return { STORAGE_MODE: 'durable-object' }
    case 'kv':
      return { STORAGE_MODE: 'kv' }
    case 'upstash':
      return {
        STORAGE_MODE: 'upstash',
        UPSTASH_VECTOR_REST_URL: servers.upstash.url,
        UPSTASH_VECTOR_REST_TOKEN: servers.upstash.token,
        ...remoteEmbeddings,
      }
    case 'qdrant':
      return {
        STORAGE_MODE: 'qdrant',
        QDRANT_URL: servers.qdrant.url,
        QDRANT_API_KEY: servers.qdrant.apiKey,
        QDRANT_COLLECTION: 'edgemem_worker',
        ...remoteEmbeddings,
      }
    case 'pinecone':
      return {
        STORAGE_MODE: 'pinecone',
        PINECONE_HOST: servers.pinecone.url,
        PINECONE_API_KEY: servers.pinecone.apiKey,
        ...remoteEmbeddings,
      }
    case 'pgvector':
      // A real Postgres (PGlite + pgvector) on 127.0.0.1, as the secret DATABASE_URL.
      return { STORAGE_MODE: 'pgvector', DATABASE_URL: servers.pgvector.connectionString, ...remoteEmbeddings }
    case 'vectorize':
      // The index binding (a fake: wrangler dev cannot emulate Vectorize); embeddings from the test server.
      return { STORAGE_MODE: 'vectorize', VECTORIZE: vectorizeIndex as unknown as Vectorize, ...remoteEmbeddings }
  }
}

/** The Worker without an LLM: `add` stores verbatim by default, as an in-process Memory without one does. */
const NO_LLM = { LLM_BASE_URL: undefined, LLM_MODEL: undefined, LLM_API_KEY: undefined } as Partial<Env>

/** A fetch into the Worker (what a service binding's fetch is in production), with env overrides. */
export function workerFetch(overrides: Partial<Env> = NO_LLM): NonNullable<RemoteMemoryOptions['fetch']> {
  return async (url, init) => {
    const ctx = createExecutionContext()
    const request = new Request(url, init)
    const response = await worker.fetch(request as Parameters<typeof worker.fetch>[0], { ...(env as Env), ...overrides }, ctx)
    await waitOnExecutionContext(ctx)
    return response
  }
}

/** A RemoteMemory (edgemem/client) on the Worker without an LLM, for a new tenant unless a key is given. */
export async function remoteMemory(apiKey?: string): Promise<RemoteMemory> {
  const key = apiKey ?? (await newTenant('rm')).key
  return new RemoteMemory({ url: ORIGIN, apiKey: key, fetch: workerFetch(), maxRetries: 0 })
}
