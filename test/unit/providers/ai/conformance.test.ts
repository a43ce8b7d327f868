import { afterAll, beforeAll } from 'vitest'
import { createOpenAIEmbedder } from '../../../../src/providers/openai/embedder.ts'
import { createOpenAILLM } from '../../../../src/providers/openai/llm.ts'
import { describeEmbedderConformance, type EmbedderFixture } from '../../../conformance/embedder.ts'
import { describeLLMConformance, type LLMFixture } from '../../../conformance/llm.ts'
import { type AIServiceUrls, AI_DIMENSIONS, startAIServices } from '../../../servers/ai-services.ts'
import { openAIError, type OpenAITestServer, startOpenAITestServer } from '../../../servers/openai.ts'
import type { Recorded, ScriptControl, ScriptedReply } from '../../../servers/scripted-service.ts'
import { describeRerankerConformance } from '../../../conformance/reranker.ts'
import { embedderFixtures, llmFixtures, rerankerFixtures } from '../../../support/ai-fixtures.ts'

// Every LLM and embedder against its fake, in Node (test/workers/ai-providers.test.ts: the same in workerd).

let services: { urls: AIServiceUrls; close(): Promise<void> }
let openai: OpenAITestServer
const ready = new Promise<AIServiceUrls>((resolve) => {
  beforeAll(async () => {
    services = await startAIServices()
    openai = await startOpenAITestServer({ apiKey: 'sk-test', dimensions: AI_DIMENSIONS })
    resolve(services.urls)
  })
})
afterAll(async () => {
  await services?.close()
  await openai?.close()
})

/** The conformance suites' neutral replies, in the openai test server's terms. */
function openaiScript(endpoint: 'chat' | 'embeddings'): ScriptControl {
  const convert = (reply: ScriptedReply): object => {
    const delay = reply.delayMs === undefined ? {} : { delayMs: reply.delayMs }
    if ('text' in reply) {
      const finishReason = reply.finish === 'length' ? 'length' : reply.finish === 'blocked' ? 'content_filter' : 'stop'
      return { content: reply.text, finishReason, ...delay }
    }
    if ('error' in reply)
      return openAIError(reply.error, reply.message ?? 'error', {
        ...(reply.retryAfter ? { headers: { 'retry-after': reply.retryAfter } } : {}),
        ...delay,
      })
    if ('raw' in reply) return { ...reply.raw, ...delay }
    return reply
  }
  return {
    enqueue: async (...replies) => (openai[endpoint].enqueue as (...r: object[]) => void)(...replies.map(convert)),
    requests: async () =>
      openai[endpoint].requests.map((r): Recorded => ({ method: r.method, path: r.path, query: {}, headers: r.headers, body: r.body })),
    reset: async () => openai.reset(),
  }
}

describeLLMConformance('openai', async () => {
  await ready
  return {
    script: openaiScript('chat'),
    make: (t) => createOpenAILLM({ apiKey: 'sk-test', baseURL: openai.baseURL, ...t }),
    asksForJson: (r) => (r.body as { response_format?: { type?: string } }).response_format?.type === 'json_object',
  } satisfies LLMFixture
})
describeEmbedderConformance('openai', async () => {
  await ready
  return {
    dimensions: AI_DIMENSIONS,
    script: openaiScript('embeddings'),
    make: (o) => createOpenAIEmbedder({ apiKey: 'sk-test', baseURL: openai.baseURL, ...o }),
  } satisfies EmbedderFixture
})

for (const name of ['anthropic', 'gemini', 'bedrock', 'azure-openai', 'workers-ai']) {
  describeLLMConformance(name, async () => llmFixtures(await ready)[name]!())
}
for (const name of [
  'gemini',
  'cohere',
  'voyage',
  'jina',
  'bedrock (titan)',
  'bedrock (cohere)',
  'azure-openai',
  'huggingface',
  'workers-ai',
]) {
  describeEmbedderConformance(name, async () => embedderFixtures(await ready)[name]!())
}
for (const name of ['cohere', 'jina', 'voyage', 'llm (anthropic)']) {
  describeRerankerConformance(name, async () => rerankerFixtures(await ready)[name]!())
}
