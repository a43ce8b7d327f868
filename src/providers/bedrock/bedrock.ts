import { ConfigError } from '../../errors.ts'
import type { Embedder } from '../../interfaces/embedder.ts'
import type { LLM, LLMRequest } from '../../interfaces/llm.ts'
import { awsCredentialsFrom, sigV4 } from '../../provider-utils/aws-sigv4.ts'
import type { HttpClient } from '../../provider-utils/http-client.ts'
import { parseConfig } from '../../util/zod-errors.ts'
import { answerText, BatchingEmbedder, checkLLMRequest, field, llmCall, remoteClient, splitSystem } from '../common/remote.ts'
import { bedrockEmbedderSchema, bedrockLLMSchema, type BedrockEmbedderConfig, type BedrockLLMConfig } from './config.ts'

interface BedrockConnection {
  region: string
  accessKeyId: string
  secretAccessKey: string
  sessionToken?: string | undefined
  baseURL?: string | undefined
  headers?: Record<string, string> | undefined
  timeoutMs?: number | undefined
  maxRetries?: number | undefined
  retryBaseDelayMs?: number | undefined
}

function bedrockClient(config: BedrockConnection, what: string, field: string): HttpClient {
  const baseUrl = config.baseURL ?? `https://bedrock-runtime.${config.region}.amazonaws.com`
  const credentials = awsCredentialsFrom(config, field)
  return remoteClient(
    { ...config, apiKey: undefined },
    {
      service: `bedrock ${what} (${baseUrl})`,
      baseUrl,
      prepare: sigV4({ ...credentials, service: 'bedrock', region: config.region }),
      hint: (status) =>
        status === 403
          ? 'check the credentials and that the IAM policy allows bedrock:InvokeModel'
          : status === 404 || status === 400
            ? 'check the model id and that access to it is granted in this region'
            : undefined,
    },
  )
}

const modelPath = (model: string, action: string) => `/model/${encodeURIComponent(model)}/${action}`

/**
 * The `bedrock` llm: POST /model/{modelId}/converse (the Converse API, one request shape for every chat
 * model on Bedrock). No JSON mode there: a JSON answer is asked for in the system prompt.
 */
export class BedrockLLM implements LLM {
  private readonly config
  private readonly http: HttpClient

  constructor(config: BedrockLLMConfig) {
    this.config = parseConfig(bedrockLLMSchema, config ?? {}, 'bedrock llm')
    this.http = bedrockClient(this.config, 'converse', 'bedrock llm')
  }

  async complete(request: LLMRequest): Promise<string> {
    checkLLMRequest(request)
    const { system, turns } = splitSystem(request.messages, request.json === true)
    const temperature = this.config.temperature ?? request.temperature
    const body = {
      messages: turns.map((t) => ({ role: t.role, content: [{ text: t.content }] })),
      ...(system ? { system: [{ text: system }] } : {}),
      inferenceConfig: {
        maxTokens: request.maxTokens ?? this.config.maxTokens,
        ...(temperature === undefined ? {} : { temperature: Math.min(temperature, 1) }),
      },
    }
    const response = await llmCall(this.http.service, request.signal, () =>
      this.http.request({ method: 'POST', path: modelPath(this.config.model, 'converse'), body, signal: request.signal }),
    )
    const content = field(field(field(response, 'output'), 'message'), 'content')
    const text = Array.isArray(content)
      ? content
          .filter((block) => typeof field(block, 'text') === 'string')
          .map((block) => field(block, 'text') as string)
          .join('')
      : undefined
    const stop = field(response, 'stopReason')
    return answerText(this.http.service, text, {
      json: request.json === true,
      truncated: stop === 'max_tokens',
      blocked: stop === 'content_filtered' || stop === 'guardrail_intervened' ? `stopReason ${stop}` : undefined,
    })
  }
}

/**
 * The `bedrock` embedder: POST /model/{modelId}/invoke. Titan models embed one text per request
 * (`{inputText}` → `{embedding}`); Cohere models up to 96 (`{texts, input_type}` → `{embeddings}`).
 */
export class BedrockEmbedder extends BatchingEmbedder implements Embedder {
  protected readonly service: string
  private readonly config
  private readonly http: HttpClient
  private readonly family: 'titan' | 'cohere'

  constructor(config: BedrockEmbedderConfig) {
    const parsed = parseConfig(bedrockEmbedderSchema, config ?? {}, 'bedrock embedder')
    const family = /(^|\.)cohere\.embed/.test(parsed.model)
      ? 'cohere'
      : /(^|\.)amazon\.titan-embed/.test(parsed.model)
        ? 'titan'
        : undefined
    if (!family)
      throw new ConfigError(
        'bedrock embedder.model',
        'expected an Amazon Titan (amazon.titan-embed-*) or Cohere (cohere.embed-*) embedding model',
      )
    if (family === 'cohere' && parsed.dimensions !== undefined) {
      throw new ConfigError('bedrock embedder.dimensions', 'only Titan Text Embeddings V2 takes dimensions; remove it for Cohere models')
    }
    super(family === 'titan' ? 1 : parsed.batchSize, parsed.dimensions)
    this.config = parsed
    this.family = family
    this.http = bedrockClient(parsed, 'embeddings', 'bedrock embedder')
    this.service = this.http.service
  }

  protected async embedBatch(batch: string[]): Promise<unknown[]> {
    const path = modelPath(this.config.model, 'invoke')
    if (this.family === 'cohere') {
      const response = await this.http.request({ method: 'POST', path, body: { texts: batch, input_type: 'search_document' } })
      const embeddings = field(response, 'embeddings')
      if (!Array.isArray(embeddings)) throw this.unusable('expected an object with an "embeddings" array')
      return embeddings
    }
    const [text] = batch
    const v2 = this.config.model.includes('titan-embed-text-v2')
    const body = {
      inputText: text,
      ...(v2 ? { normalize: true } : {}),
      ...(this.config.dimensions === undefined ? {} : { dimensions: this.config.dimensions }),
    }
    const response = await this.http.request({ method: 'POST', path, body })
    return [field(response, 'embedding')]
  }
}

export const createBedrockLLM = (config: BedrockLLMConfig | Record<string, unknown>): BedrockLLM =>
  new BedrockLLM(config as BedrockLLMConfig)
export const createBedrockEmbedder = (config: BedrockEmbedderConfig | Record<string, unknown>): BedrockEmbedder =>
  new BedrockEmbedder(config as BedrockEmbedderConfig)
