import { startAnthropicServer } from './services/anthropic.ts'
import { startAzureOpenAIServer } from './services/azure-openai.ts'
import { startBedrockServer } from './services/bedrock.ts'
import { startCohereServer } from './services/cohere.ts'
import { startGeminiServer } from './services/gemini.ts'
import { startHuggingfaceServer } from './services/huggingface.ts'
import { startJinaServer } from './services/jina.ts'
import { startVoyageServer } from './services/voyage.ts'
import { startWorkersAIServer } from './services/workers-ai.ts'

/** The fakes of every LLM, embedding and rerank service, started together (Node tests, the workerd global setup). */
export const AI_SERVICES = [
  'anthropic',
  'gemini',
  'bedrock',
  'azure-openai',
  'cohere',
  'voyage',
  'jina',
  'huggingface',
  'workers-ai',
] as const
export type AIService = (typeof AI_SERVICES)[number]
export type AIServiceUrls = Record<AIService, string>

/** Vector size of the fakes' default embeddings. */
export const AI_DIMENSIONS = 24

export async function startAIServices(): Promise<{ urls: AIServiceUrls; close(): Promise<void> }> {
  const dimensions = AI_DIMENSIONS
  const servers = await Promise.all([
    startAnthropicServer(),
    startGeminiServer({ dimensions }),
    startBedrockServer({ dimensions }),
    startAzureOpenAIServer({ dimensions }),
    startCohereServer({ dimensions }),
    startVoyageServer({ dimensions }),
    startJinaServer({ dimensions }),
    startHuggingfaceServer({ token: 'hf_test', dimensions }),
    startWorkersAIServer({ dimensions }),
  ])
  const urls = Object.fromEntries(AI_SERVICES.map((name, i) => [name, servers[i]!.url])) as AIServiceUrls
  return { urls, close: async () => void (await Promise.all(servers.map((s) => s.close()))) }
}
