import type { TestProject } from 'vitest/node'
import { type AIServiceUrls, startAIServices } from '../servers/ai-services.ts'

/** Global setup of the workerd project (runs in Node): the fake LLM/embedding/rerank services for test/workers/ai-providers.test.ts. */
declare module 'vitest' {
  export interface ProvidedContext {
    aiServices: AIServiceUrls
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const services = await startAIServices()
  project.provide('aiServices', services.urls)
  return () => services.close()
}
