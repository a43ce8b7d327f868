import { cloudflareTest } from '@cloudflare/vitest-plugin'
import { defineConfig } from 'vitest/config'

// The Worker app (workers/) inside real workerd with its real bindings from wrangler.toml: KV, the
// MemoryShard and RateLimiter Durable Objects. Embeddings and the LLM come from the OpenAI-compatible
// test server started in Node (worker-servers.setup.ts); the remote-mode suites use the fake
// Upstash/Qdrant/Pinecone servers (remote-servers.setup.ts). nodejs_compat only for vitest's runner.
export default defineConfig({
  plugins: [
    cloudflareTest(({ inject }) => ({
      main: './workers/index.ts',
      wrangler: { configPath: './wrangler.toml' },
      miniflare: {
        compatibilityFlags: ['nodejs_compat'],
        bindings: {
          ADMIN_KEY: 'test-admin-key',
          EMBEDDING_BASE_URL: inject('workerServers').openaiBaseURL,
          EMBEDDING_MODEL: 'test-embedding',
          LLM_BASE_URL: inject('workerServers').openaiBaseURL,
          LLM_MODEL: 'test-llm',
          DO_SHARDS: '4',
          // Rate limiting is tested on its own with explicit settings (worker-limits.test.ts).
          RATE_LIMIT_PER_MINUTE: '0',
        },
      },
    })),
  ],
  test: {
    name: 'worker',
    include: ['test/workers/worker-*.test.ts'],
    globalSetup: ['test/workers/worker-servers.setup.ts', 'test/workers/remote-servers.setup.ts', 'test/workers/ai-servers.setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
})
