/**
 * `edgemem/providers`: registers the LLMs, embedders and rerankers of other services (anthropic, gemini,
 * bedrock, azure-openai, cohere, voyage, jina, huggingface, the llm reranker) and the `local` graph store.
 * Every entry of edgemem but the workerd one registers them already; a Worker imports this module to use
 * them (its bundle then carries their code: wrangler inlines dynamic imports).
 */
import { registerProvider } from '../registry.ts'
import { SERVICE_PROVIDERS } from '../providers/service-providers.ts'

for (const provider of SERVICE_PROVIDERS) registerProvider(provider)
