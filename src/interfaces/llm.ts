/** A chat-completion model. Memory only needs text in and text out; JSON mode is a hint. */
export interface ChatMessage {
  role: 'system' | 'user' | 'assistant'
  content: string
}

export interface LLMRequest {
  messages: ChatMessage[]
  /** Ask for a JSON object answer (OpenAI `response_format: json_object`) where the endpoint supports it. */
  json?: boolean
  temperature?: number
  maxTokens?: number
  signal?: AbortSignal
}

export interface LLM {
  complete(request: LLMRequest): Promise<string>
  close?(): Promise<void>
}
