import { ConfigError, RerankError } from '../../errors.ts'
import type { ChatMessage, LLM } from '../../interfaces/llm.ts'
import type { Reranker } from '../../interfaces/reranker.ts'
import { extractJson } from '../../memory/infer/parse.ts'
import { type ProviderContext, resolveProvider } from '../../registry.ts'
import { parseConfig } from '../../util/zod-errors.ts'
import { llmRerankerSchema, type LLMRerankerConfig } from './config.ts'

const PROMPT = `You rate how well each numbered memory answers or relates to a search query.
Give every memory a score from 0 (unrelated) to 10 (exactly what the query asks for).
Answer with JSON only: {"scores": [<score of memory 1>, <score of memory 2>, ...]}, one number per memory, in order.`

/**
 * The `llm` reranker: one LLM call rates every candidate 0-10 (JSON answer); scores are returned as
 * 0-1. An answer without one number per candidate is asked for once more, then a RerankError.
 */
export class LLMReranker implements Reranker {
  private readonly llm: LLM
  private readonly instructions: string | undefined

  constructor(llm: LLM, instructions?: string) {
    this.llm = llm
    this.instructions = instructions
  }

  async rerank(query: string, documents: string[], options: { signal?: AbortSignal } = {}): Promise<number[]> {
    if (documents.length === 0) return []
    const listing = documents.map((d, i) => `${i + 1}. ${d.replace(/\s+/g, ' ')}`).join('\n')
    const messages: ChatMessage[] = [
      { role: 'system', content: this.instructions ? `${PROMPT}\n${this.instructions}` : PROMPT },
      { role: 'user', content: `Query: ${query}\n\nMemories:\n${listing}` },
    ]
    let problem = ''
    for (let attempt = 1; attempt <= 2; attempt++) {
      const answer = await this.llm.complete({ messages, json: true, temperature: 0, signal: options.signal })
      const scores = (extractJson(answer) as { scores?: unknown } | undefined)?.scores
      if (Array.isArray(scores) && scores.length === documents.length && scores.every((s) => typeof s === 'number' && Number.isFinite(s))) {
        return scores.map((s: number) => Math.min(10, Math.max(0, s)) / 10)
      }
      problem = `expected {"scores": [...]} with ${documents.length} numbers, got ${JSON.stringify(answer.slice(0, 200))}`
      messages.push({ role: 'assistant', content: answer }, { role: 'user', content: `That was not usable: ${problem}. Answer again.` })
    }
    throw new RerankError(`llm reranker: the llm answered with unusable scores twice (${problem})`)
  }
}

export async function createLLMReranker(
  config: LLMRerankerConfig | Record<string, unknown>,
  context: ProviderContext,
): Promise<LLMReranker> {
  const parsed = parseConfig(llmRerankerSchema, config ?? {}, 'llm reranker')
  if (parsed.llm) {
    const own = await resolveProvider('llm', parsed.llm.provider, parsed.llm.config, 'reranker.config.llm').create(context)
    return new LLMReranker(own, parsed.instructions)
  }
  if (!context.llm) throw new ConfigError('reranker.config.llm', 'the llm reranker needs an llm: set llm in the Memory config, or llm here')
  return new LLMReranker(context.llm, parsed.instructions)
}
