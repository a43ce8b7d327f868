import { createAnthropicLLM } from '../../src/providers/anthropic/llm.ts'
import { createAzureOpenAIEmbedder, createAzureOpenAILLM } from '../../src/providers/azure-openai/azure.ts'
import { createBedrockEmbedder, createBedrockLLM } from '../../src/providers/bedrock/bedrock.ts'
import { createCohereEmbedder } from '../../src/providers/cohere/embedder.ts'
import { JSON_INSTRUCTION } from '../../src/providers/common/remote.ts'
import { createGeminiEmbedder, createGeminiLLM } from '../../src/providers/gemini/gemini.ts'
import { createHuggingfaceEmbedder } from '../../src/providers/huggingface/embedder.ts'
import { createWorkersAIEmbedder, createWorkersAILLM } from '../../src/providers/workers-ai/workers-ai.ts'
import { WORKERS_AI_ACCOUNT, WORKERS_AI_TOKEN } from '../servers/services/workers-ai.ts'
import { createJinaEmbedder } from '../../src/providers/jina/embedder.ts'
import { createVoyageEmbedder } from '../../src/providers/voyage/embedder.ts'
import type { EmbedderFixture } from '../conformance/embedder.ts'
import type { LLMFixture } from '../conformance/llm.ts'
import type { RerankerFixture } from '../conformance/reranker.ts'
import { createCohereReranker, createJinaReranker, createVoyageReranker } from '../../src/providers/rerankers/api.ts'
import { LLMReranker } from '../../src/providers/rerankers/llm.ts'
import { AI_DIMENSIONS, type AIServiceUrls } from '../servers/ai-services.ts'
import { type Recorded, scriptControl } from '../servers/scripted-service.ts'

/**
 * Conformance fixtures of every fetch-only LLM and embedder against the fakes (test/servers/services/),
 * by provider name; they only use fetch, so Node and workerd run the same ones.
 */
export const AWS_TEST_CREDENTIALS = {
  region: 'us-east-1',
  accessKeyId: 'AKIDEXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
}

const body = (r: Recorded) => r.body as Record<string, unknown>
const systemText = (r: Recorded): string => JSON.stringify(body(r).system ?? '')
const workersAIRest = (urls: AIServiceUrls) => ({
  accountId: WORKERS_AI_ACCOUNT,
  apiToken: WORKERS_AI_TOKEN,
  baseURL: `${urls['workers-ai']}/client/v4`,
})
const workersAIAsksForJson = (r: Recorded) => (body(r).response_format as { type?: string } | undefined)?.type === 'json_object'

export function llmFixtures(urls: AIServiceUrls): Record<string, () => Promise<LLMFixture>> {
  return {
    anthropic: async () => ({
      script: scriptControl(urls.anthropic),
      make: (t) => createAnthropicLLM({ apiKey: 'sk-ant-test', baseURL: urls.anthropic, ...t, retryBaseDelayMs: 50 }),
      asksForJson: (r) => systemText(r).includes(JSON_INSTRUCTION),
    }),
    gemini: async () => ({
      script: scriptControl(urls.gemini),
      make: (t) => createGeminiLLM({ apiKey: 'gemini-test-key', baseURL: `${urls.gemini}/v1beta`, ...t, retryBaseDelayMs: 50 }),
      asksForJson: (r) => (body(r).generationConfig as { responseMimeType?: string }).responseMimeType === 'application/json',
    }),
    bedrock: async () => ({
      script: scriptControl(urls.bedrock),
      make: (t) =>
        createBedrockLLM({
          ...AWS_TEST_CREDENTIALS,
          baseURL: urls.bedrock,
          model: 'anthropic.claude-3-5-haiku-20241022-v1:0',
          ...t,
          retryBaseDelayMs: 50,
        }),
      asksForJson: (r) => systemText(r).includes(JSON_INSTRUCTION),
    }),
    'workers-ai': async () => ({
      script: scriptControl(urls['workers-ai']),
      make: (t) => createWorkersAILLM({ ...workersAIRest(urls), ...t, retryBaseDelayMs: 50 }),
      asksForJson: workersAIAsksForJson,
    }),
    'azure-openai': async () => ({
      script: scriptControl(urls['azure-openai']),
      make: (t) => createAzureOpenAILLM({ endpoint: urls['azure-openai'], apiKey: 'azure-test-key', deployment: 'gpt-4o-mini', ...t }),
      asksForJson: (r) => (body(r).response_format as { type?: string } | undefined)?.type === 'json_object',
    }),
  }
}

export function embedderFixtures(urls: AIServiceUrls): Record<string, () => Promise<EmbedderFixture>> {
  const base = { dimensions: AI_DIMENSIONS }
  return {
    gemini: async () => ({
      ...base,
      script: scriptControl(urls.gemini),
      make: (o) => createGeminiEmbedder({ apiKey: 'gemini-test-key', baseURL: `${urls.gemini}/v1beta`, ...o, retryBaseDelayMs: 50 }),
    }),
    cohere: async () => ({
      ...base,
      script: scriptControl(urls.cohere),
      make: (o) => createCohereEmbedder({ apiKey: 'cohere-test-key', baseURL: urls.cohere, ...o, retryBaseDelayMs: 50 }),
    }),
    voyage: async () => ({
      ...base,
      script: scriptControl(urls.voyage),
      make: (o) => createVoyageEmbedder({ apiKey: 'pa-test-key', baseURL: `${urls.voyage}/v1`, ...o, retryBaseDelayMs: 50 }),
    }),
    jina: async () => ({
      ...base,
      script: scriptControl(urls.jina),
      make: (o) => createJinaEmbedder({ apiKey: 'jina_test_key', baseURL: `${urls.jina}/v1`, ...o, retryBaseDelayMs: 50 }),
    }),
    'bedrock (titan)': async () => ({
      ...base,
      script: scriptControl(urls.bedrock),
      perRequest: () => 1,
      make: (o) => createBedrockEmbedder({ ...AWS_TEST_CREDENTIALS, baseURL: urls.bedrock, ...o, retryBaseDelayMs: 50 }),
    }),
    'bedrock (cohere)': async () => ({
      ...base,
      script: scriptControl(urls.bedrock),
      make: (o) =>
        createBedrockEmbedder({
          ...AWS_TEST_CREDENTIALS,
          baseURL: urls.bedrock,
          model: 'cohere.embed-english-v3',
          ...o,
          retryBaseDelayMs: 50,
        }),
    }),
    'azure-openai': async () => ({
      ...base,
      script: scriptControl(urls['azure-openai']),
      make: ({ batchSize, timeoutMs, maxRetries }) =>
        createAzureOpenAIEmbedder({
          endpoint: urls['azure-openai'],
          apiKey: 'azure-test-key',
          deployment: 'text-embedding-3-small',
          batchSize,
          timeoutMs,
          maxRetries,
        }),
    }),
    huggingface: async () => ({
      ...base,
      script: scriptControl(urls.huggingface),
      make: (o) => createHuggingfaceEmbedder({ apiKey: 'hf_test', baseURL: urls.huggingface, ...o, retryBaseDelayMs: 50 }),
    }),
    'workers-ai': async () => ({
      dimensions: 384,
      script: scriptControl(urls['workers-ai']),
      make: (o) => createWorkersAIEmbedder({ ...workersAIRest(urls), ...o, retryBaseDelayMs: 50 }),
    }),
  }
}

export function rerankerFixtures(urls: AIServiceUrls): Record<string, () => Promise<RerankerFixture>> {
  const api = (scores: number[]) => ({ scores })
  return {
    cohere: async () => ({
      script: scriptControl(urls.cohere),
      scores: api,
      make: (t) => createCohereReranker({ apiKey: 'cohere-test-key', baseURL: urls.cohere, ...t, retryBaseDelayMs: 50 }),
    }),
    jina: async () => ({
      script: scriptControl(urls.jina),
      scores: api,
      make: (t) => createJinaReranker({ apiKey: 'jina_test_key', baseURL: `${urls.jina}/v1`, ...t, retryBaseDelayMs: 50 }),
    }),
    voyage: async () => ({
      script: scriptControl(urls.voyage),
      scores: api,
      make: (t) => createVoyageReranker({ apiKey: 'pa-test-key', baseURL: `${urls.voyage}/v1`, ...t, retryBaseDelayMs: 50 }),
    }),
    'llm (anthropic)': async () => ({
      script: scriptControl(urls.anthropic),
      scores: (scores) => ({ text: JSON.stringify({ scores: scores.map((s) => Math.round(s * 10)) }) }),
      make: (t) => new LLMReranker(createAnthropicLLM({ apiKey: 'sk-ant-test', baseURL: urls.anthropic, ...t, retryBaseDelayMs: 50 })),
    }),
  }
}
