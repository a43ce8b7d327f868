import type { LLM, LLMRequest } from '../../interfaces/llm.ts'
import type { HttpClient } from '../../provider-utils/http-client.ts'
import { parseConfig } from '../../util/zod-errors.ts'
import { answerText, checkLLMRequest, field, llmCall, remoteClient, splitSystem } from '../common/remote.ts'
import { anthropicLLMSchema, type AnthropicLLMConfig } from './config.ts'

export const ANTHROPIC_BASE_URL = 'https://api.anthropic.com'

/**
 * The `anthropic` llm: POST /v1/messages (the Messages API), fetch only. The API has no JSON mode, so a
 * JSON answer is asked for in the system prompt; the Memory pipeline parses and repairs what comes back.
 */
export class AnthropicLLM implements LLM {
  private readonly config: ReturnType<typeof parseAnthropic>
  private readonly http: HttpClient

  constructor(config: AnthropicLLMConfig) {
    this.config = parseAnthropic(config)
    const baseUrl = this.config.baseURL ?? ANTHROPIC_BASE_URL
    this.http = remoteClient(this.config, {
      service: `anthropic messages (${baseUrl})`,
      baseUrl,
      headers: {
        'anthropic-version': this.config.apiVersion,
        ...(this.config.apiKey ? { 'x-api-key': this.config.apiKey } : {}),
        // Browsers: Anthropic refuses cross-origin calls without this opt-in (the key is the app's choice).
        'anthropic-dangerous-direct-browser-access': 'true',
      },
      hint: (status) => (status === 401 ? 'check the apiKey' : status === 404 ? 'check the model name' : undefined),
    })
  }

  async complete(request: LLMRequest): Promise<string> {
    checkLLMRequest(request)
    const { system, turns } = splitSystem(request.messages, request.json === true)
    const temperature = this.config.temperature ?? request.temperature
    const body = {
      model: this.config.model,
      max_tokens: request.maxTokens ?? this.config.maxTokens,
      ...(system ? { system } : {}),
      messages: turns,
      ...(temperature === undefined ? {} : { temperature: Math.min(temperature, 1) }),
    }
    const response = await llmCall(this.http.service, request.signal, () =>
      this.http.request({ method: 'POST', path: '/v1/messages', body, signal: request.signal }),
    )
    const content = field(response, 'content')
    const text = Array.isArray(content)
      ? content
          .filter((block) => field(block, 'type') === 'text' && typeof field(block, 'text') === 'string')
          .map((block) => field(block, 'text') as string)
          .join('')
      : undefined
    const stop = field(response, 'stop_reason')
    return answerText(this.http.service, text, {
      json: request.json === true,
      truncated: stop === 'max_tokens',
      blocked: stop === 'refusal' ? 'the model refused (stop_reason "refusal")' : undefined,
    })
  }
}

function parseAnthropic(config: unknown) {
  return parseConfig(anthropicLLMSchema, config ?? {}, 'anthropic llm')
}

export function createAnthropicLLM(config: AnthropicLLMConfig | Record<string, unknown>): AnthropicLLM {
  return new AnthropicLLM(config as AnthropicLLMConfig)
}
