/**
 * The edgemem Worker: the REST API (mem0-server compatible) over Cloudflare Workers. wrangler.toml
 * points here. The Durable Object classes are exported for the bindings declared there.
 */
import { createApp } from './app.ts'
import type { Env } from './env.ts'

export { MemoryShard } from './durable/memory-shard.ts'
export { RateLimiter } from './durable/rate-limiter.ts'
export type { Env } from './env.ts'

const app = createApp()

export default {
  fetch: (request, env, ctx) => app.fetch(request, env, ctx),
} satisfies ExportedHandler<Env>
