import { inject } from 'vitest'
import { describeEmbedderConformance } from '../conformance/embedder.ts'
import { describeLLMConformance } from '../conformance/llm.ts'
import { describeRerankerConformance } from '../conformance/reranker.ts'
import { embedderFixtures, llmFixtures, rerankerFixtures } from '../support/ai-fixtures.ts'

// The fetch-only LLMs and embedders inside workerd, against the fakes started from Node
// (ai-servers.setup.ts): the same conformance suites as in Node (test/unit/providers/ai/conformance.test.ts).

const urls = inject('aiServices')
for (const [name, fixture] of Object.entries(llmFixtures(urls))) describeLLMConformance(`${name} (workerd)`, fixture)
for (const [name, fixture] of Object.entries(embedderFixtures(urls))) describeEmbedderConformance(`${name} (workerd)`, fixture)
for (const [name, fixture] of Object.entries(rerankerFixtures(urls))) describeRerankerConformance(`${name} (workerd)`, fixture)
