import type { Embedder } from '../../interfaces/embedder.ts'
import type { LLM, LLMRequest } from '../../interfaces/llm.ts'
import type { HttpClient } from '../../provider-utils/http-client.ts'
import { parseConfig } from '../../util/zod-errors.ts'
import { answerText, BatchingEmbedder, checkLLMRequest, field, llmCall, type RemoteConfig, remoteClient } from '../common/remote.ts'
import { geminiEmbedderSchema, geminiLLMSchema, type GeminiEmbedderConfig, type GeminiLLMConfig } from './config.ts'

export const GEMINI_BASE_URL = 'https://generativelanguage.googleapis.com/v1beta'

function geminiClient(config: RemoteConfig, what: string): HttpClient {
  const baseUrl = config.baseURL ?? GEMINI_BASE_URL
  return remoteClient(config, {
    service: `gemini ${what} (${baseUrl})`,
    baseUrl,
    // The key in a header, never in the URL (?key= would end up in logs).
    headers: config.apiKey ? { 'x-goog-api-key': config.apiKey } : {},
    hint: (status) =>
      status === 400 || status === 403 ? 'check the apiKey and model' : status === 404 ? 'check the model name' : undefined,
  })
}

const modelPath = (model: string, method: string) => `/models/${encodeURIComponent(model.replace(/^models\//, ''))}:${method}`

/**
 * The `gemini` llm: POST /models/{model}:generateContent. System messages become `systemInstruction`,
 * assistant turns the `model` role; a JSON answer is asked for with `responseMimeType: application/json`.
 */
export class GeminiLLM implements LLM {
  private readonly config
  private readonly http: HttpClient

  constructor(config: GeminiLLMConfig) {
    this.config = parseConfig(geminiLLMSchema, config ?? {}, 'gemini llm')
    this.http = geminiClient(this.config, 'generateContent')
  }

  async complete(request: LLMRequest): Promise<string> {
    checkLLMRequest(request)
    const system = request.messages.filter((m) => m.role === 'system').map((m) => ({ text: m.content }))
    const contents = request.messages
      .filter((m) => m.role !== 'system')
      .map((m) => ({ role: m.role === 'assistant' ? 'model' : 'user', parts: [{ text: m.content }] }))
    const temperature = this.config.temperature ?? request.temperature
    const maxTokens = this.config.maxTokens ?? request.maxTokens
    const json = request.json === true
    const body = {
      contents: contents.length > 0 ? contents : [{ role: 'user', parts: [{ text: '(start)' }] }],
      ...(system.length > 0 ? { systemInstruction: { parts: system } } : {}),
      generationConfig: {
        ...(temperature === undefined ? {} : { temperature }),
        ...(maxTokens === undefined ? {} : { maxOutputTokens: maxTokens }),
        ...(json && this.config.jsonMode ? { responseMimeType: 'application/json' } : {}),
      },
    }
    const response = await llmCall(this.http.service, request.signal, () =>
      this.http.request({ method: 'POST', path: modelPath(this.config.model, 'generateContent'), body, signal: request.signal }),
    )
    const blockReason = field(field(response, 'promptFeedback'), 'blockReason')
    const candidate = (field(response, 'candidates') as unknown[] | undefined)?.[0]
    const finish = field(candidate, 'finishReason')
    const parts = field(field(candidate, 'content'), 'parts')
    const text = Array.isArray(parts)
      ? parts
          .filter((p) => typeof field(p, 'text') === 'string' && field(p, 'thought') !== true)
          .map((p) => field(p, 'text') as string)
          .join('')
      : undefined
    const blocked =
      typeof blockReason === 'string'
        ? `prompt blocked: ${blockReason}`
        : finish === 'SAFETY' || finish === 'RECITATION' || finish === 'PROHIBITED_CONTENT' || finish === 'BLOCKLIST'
          ? `finishReason ${finish}`
          : undefined
    return answerText(this.http.service, text, { json, truncated: finish === 'MAX_TOKENS', blocked })
  }
}

/** The `gemini` embedder: POST /models/{model}:batchEmbedContents, up to 100 texts per request. */
export class GeminiEmbedder extends BatchingEmbedder implements Embedder {
  protected readonly service: string
  private readonly config
  private readonly http: HttpClient

  constructor(config: GeminiEmbedderConfig) {
    const parsed = parseConfig(geminiEmbedderSchema, config ?? {}, 'gemini embedder')
    super(parsed.batchSize, parsed.dimensions)
    this.config = parsed
    this.http = geminiClient(parsed, 'embeddings')
    this.service = this.http.service
  }

  protected async embedBatch(batch: string[]): Promise<unknown[]> {
    const { model, dimensions, taskType } = this.config
    const name = `models/${model.replace(/^models\//, '')}`
    const body = {
      requests: batch.map((text) => ({
        model: name,
        content: { parts: [{ text }] },
        ...(taskType ? { taskType } : {}),
        ...(dimensions === undefined ? {} : { outputDimensionality: dimensions }),
      })),
    }
    const response = await this.http.request({ method: 'POST', path: modelPath(model, 'batchEmbedContents'), body })
    const embeddings = field(response, 'embeddings')
    if (!Array.isArray(embeddings)) throw this.unusable('expected an object with an "embeddings" array')
    return embeddings.map((e) => field(e, 'values'))
  }
}

export const createGeminiLLM = (config: GeminiLLMConfig | Record<string, unknown>): GeminiLLM => new GeminiLLM(config as GeminiLLMConfig)
export const createGeminiEmbedder = (config: GeminiEmbedderConfig | Record<string, unknown>): GeminiEmbedder =>
  new GeminiEmbedder(config as GeminiEmbedderConfig)
