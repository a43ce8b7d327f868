/**
 * edgemem for Cloudflare Workers (package.json "exports" condition `workerd`): the same API as
 * src/index.ts, with only the light providers built in (src/providers/light.ts). wrangler inlines every
 * dynamic import, so a registry that lazily imported every provider would put all of them (and
 * transformers.js) into each Worker; here a Worker carries what it imports. The other built-in providers
 * register when their module is imported (`import 'edgemem/hnsw'`, `import 'edgemem/adapters/qdrant'`);
 * a config naming one that is not imported fails with a ConfigError that names the import.
 */
import { LIGHT_PROVIDERS } from './providers/light.ts'
import { registerProvider } from './registry.ts'

for (const provider of LIGHT_PROVIDERS) registerProvider(provider)

export * from './api.ts'
