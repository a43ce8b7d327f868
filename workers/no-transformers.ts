/**
 * Stands in for @huggingface/transformers in the Worker bundle (wrangler.toml `[alias]`).
 * transformers.js cannot run in workerd (it compiles WebAssembly from bytes), and the `transformers`
 * embedder is refused at config time there (ConfigError naming the `openai` embedder), so the library
 * is never loaded; without the alias wrangler would still inline its 4 MB through the lazy import.
 */
import { ConfigError } from '../src/internal.ts'

function unavailable(): never {
  throw new ConfigError(
    'embedder',
    'transformers.js cannot run in Cloudflare Workers; use { provider: "openai", config: { baseURL, model } } with any OpenAI-compatible endpoint',
  )
}

export const env = new Proxy({}, { get: unavailable, set: unavailable })
export const pipeline = unavailable
export const ModelRegistry = new Proxy({}, { get: unavailable })
