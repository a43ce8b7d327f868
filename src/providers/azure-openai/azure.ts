import { parseConfig } from '../../util/zod-errors.ts'
import { OpenAIEmbedder } from '../openai/embedder.ts'
import { OpenAILLM } from '../openai/llm.ts'
import { azureOpenAIEmbedderSchema, azureOpenAILLMSchema, type AzureOpenAIEmbedderConfig, type AzureOpenAILLMConfig } from './config.ts'

/**
 * The `azure-openai` llm and embedder: the openai providers (same answer checks, same retry policy) over
 * the openai package's AzureOpenAI client, which routes to /openai/deployments/{deployment}/... with
 * `?api-version=` and the key in `api-key`.
 */
export function createAzureOpenAILLM(config: AzureOpenAILLMConfig | Record<string, unknown>): OpenAILLM {
  const { endpoint, deployment, apiVersion, ...rest } = parseConfig(azureOpenAILLMSchema, config ?? {}, 'azure-openai llm')
  return new OpenAILLM({ ...rest, baseURL: endpoint, model: deployment }, { apiVersion, deployment })
}

export function createAzureOpenAIEmbedder(config: AzureOpenAIEmbedderConfig | Record<string, unknown>): OpenAIEmbedder {
  const { endpoint, deployment, apiVersion, ...rest } = parseConfig(azureOpenAIEmbedderSchema, config ?? {}, 'azure-openai embedder')
  return new OpenAIEmbedder({ ...rest, baseURL: endpoint, model: deployment }, { apiVersion, deployment })
}
