import { LLMError, RemoteError, ValidationError } from '../../errors.ts'
import type { LLM, LLMRequest } from '../../interfaces/llm.ts'
import { type AzureTarget, OpenAIConnection, OPENAI_BASE_URL, unreadable } from './client.ts'
import { openaiLLMSchema, parseConfig, type OpenAILLMConfig, type ResolvedOpenAILLMConfig } from './config.ts'

const ROLES = new Set(['system', 'user', 'assistant'])

/**
 * OpenAI deprecated `max_tokens` (its reasoning models reject it) for `max_completion_tokens`, while many
 * compatible servers still read only `max_tokens`; so the name depends on who is on the other end.
 */
export function maxTokensField(baseURL: string | undefined): 'max_completion_tokens' | 'max_tokens' {
  return new URL(baseURL ?? OPENAI_BASE_URL).hostname === 'api.openai.com' ? 'max_completion_tokens' : 'max_tokens'
}

/**
 * The `openai` llm: POST /chat/completions on api.openai.com or any OpenAI-compatible server (`baseURL`),
 * returning the answer text. An answer that cannot be used (refused, filtered, empty, or JSON cut off by
 * the token limit) is an LLMError; a failed HTTP exchange is a RemoteError.
 */
export class OpenAILLM implements LLM {
  private readonly config: ResolvedOpenAILLMConfig
  private readonly connection: OpenAIConnection

  /** `azure`: the azure-openai provider (src/providers/azure-openai/), which validates its own config first. */
  constructor(config: OpenAILLMConfig, azure?: AzureTarget) {
    this.config = parseConfig(openaiLLMSchema, config, azure ? 'azure-openai llm' : 'openai llm')
    this.connection = new OpenAIConnection(this.config, 'chat', azure)
  }

  ready(): Promise<void> {
    return this.connection.ready()
  }

  async complete(request: LLMRequest): Promise<string> {
    checkRequest(request)
    const { model, jsonMode } = this.config
    const temperature = this.config.temperature ?? request.temperature
    const maxTokens = this.config.maxTokens ?? request.maxTokens
    const body = {
      model,
      messages: request.messages.map(({ role, content }) => ({ role, content })),
      ...(temperature === undefined ? {} : { temperature }),
      ...(maxTokens === undefined ? {} : { [maxTokensField(this.config.baseURL)]: maxTokens }),
      ...(request.json && jsonMode ? { response_format: { type: 'json_object' as const } } : {}),
    }
    const response: unknown = await this.connection
      .call((client, options) => client.chat.completions.create(body, options), request.signal)
      .catch((err: unknown) => {
        if (err instanceof RemoteError || request.signal?.aborted) throw err
        throw new LLMError(`${this.connection.service}: ${unreadable(err)}`, { cause: err })
      })
    return this.readAnswer(response, request.json === true)
  }

  private readAnswer(response: unknown, json: boolean): string {
    const service = this.connection.service
    const choices = response !== null && typeof response === 'object' && 'choices' in response ? response.choices : undefined
    const choice: unknown = Array.isArray(choices) ? choices[0] : undefined
    if (choice === null || typeof choice !== 'object') {
      throw new LLMError(
        `${service} sent no choices in its chat completion response; check that baseURL points at an OpenAI-compatible /v1 endpoint`,
      )
    }
    const finishReason = 'finish_reason' in choice ? choice.finish_reason : undefined
    const message = 'message' in choice && choice.message !== null && typeof choice.message === 'object' ? choice.message : {}
    const refusal = 'refusal' in message ? message.refusal : undefined
    const content = 'content' in message ? message.content : undefined
    if (typeof refusal === 'string' && refusal.trim() !== '') throw new LLMError(`${service}: the model refused to answer: ${refusal}`)
    if (finishReason === 'content_filter') throw new LLMError(`${service}: the answer was withheld by the content filter`)
    if (typeof content !== 'string' || content.trim() === '') {
      const why = finishReason === 'length' ? ' (it hit the token limit before writing any text; raise maxTokens)' : ''
      throw new LLMError(`${service}: the model returned an empty answer${why}`)
    }
    if (json && finishReason === 'length') {
      throw new LLMError(`${service}: the JSON answer was cut off by the token limit (finish_reason "length"); raise maxTokens`)
    }
    return content
  }
}

function checkRequest(request: LLMRequest): void {
  if (request === null || typeof request !== 'object' || !Array.isArray(request.messages) || request.messages.length === 0) {
    throw new ValidationError('complete(request): request.messages must be a non-empty array of {role, content}')
  }
  request.messages.forEach((message, i) => {
    if (message === null || typeof message !== 'object' || !ROLES.has(message.role)) {
      throw new ValidationError(`complete(request): messages[${i}].role must be "system", "user" or "assistant"`)
    }
    if (typeof message.content !== 'string') throw new ValidationError(`complete(request): messages[${i}].content must be a string`)
  })
}

export function createOpenAILLM(config: OpenAILLMConfig | Record<string, unknown>): OpenAILLM {
  return new OpenAILLM(config as OpenAILLMConfig)
}
