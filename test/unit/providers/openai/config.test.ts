/** Config validation of the `openai` embedder and llm, through the registry (as a Memory config) and directly. */
import { ConfigError } from '../../../../src/errors.ts'
import { OpenAIEmbedder } from '../../../../src/providers/openai/embedder.ts'
import { maxTokensField, OpenAILLM } from '../../../../src/providers/openai/llm.ts'
import { registerBuiltinProviders } from '../../../../src/builtins.ts'
import { resolveProvider } from '../../../../src/registry.ts'
import { beforeAll, describe, expect, it } from '../../../harness.ts'

beforeAll(() => registerBuiltinProviders())

function configError(fn: () => unknown): ConfigError {
  try {
    fn()
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError)
    return err as ConfigError
  }
  throw new Error('expected a ConfigError')
}

describe('openai provider config', () => {
  it('fills in the defaults', () => {
    expect(resolveProvider('embedder', 'openai', { apiKey: 'sk-x' }, 'embedder').config).toEqual({
      apiKey: 'sk-x',
      model: 'text-embedding-3-small',
      batchSize: 128,
      timeoutMs: 30_000,
      maxRetries: 3,
      circuitBreaker: {},
      encodingFormat: 'base64',
    })
    expect(resolveProvider('llm', 'openai', { apiKey: 'sk-x' }, 'llm').config).toEqual({
      apiKey: 'sk-x',
      model: 'gpt-4.1-mini',
      timeoutMs: 30_000,
      maxRetries: 3,
      circuitBreaker: {},
      jsonMode: true,
    })
  })

  it('accepts a baseURL without apiKey (local servers) and creates working instances through the factory', async () => {
    const embedder = await resolveProvider(
      'embedder',
      'openai',
      { baseURL: 'http://localhost:11434/v1', model: 'nomic-embed-text', dimensions: 768 },
      'embedder',
    ).create({
      collection: 'c',
      storage: undefined,
    })
    expect(embedder).toBeInstanceOf(OpenAIEmbedder)
    expect(embedder.dimensions).toBe(768)
    const llm = await resolveProvider('llm', 'openai', { baseURL: 'http://localhost:1234/v1' }, 'llm').create({
      collection: 'c',
      storage: undefined,
    })
    expect(llm).toBeInstanceOf(OpenAILLM)
  })

  it('unknown key → ConfigError naming the field', () => {
    const err = configError(() => resolveProvider('embedder', 'openai', { apiKey: 'sk-x', dimension: 512 }, 'embedder'))
    expect(err.field).toBe('embedder.config.dimension')
    expect(err.message).toMatch(/unknown key "dimension"/)
    expect(configError(() => resolveProvider('llm', 'openai', { apiKey: 'sk-x', max_tokens: 5 }, 'llm')).field).toBe(
      'llm.config.max_tokens',
    )
  })

  it('wrong type → ConfigError naming the field and what was expected', () => {
    const cases: [Record<string, unknown>, string, RegExp][] = [
      [{ apiKey: 42 }, 'embedder.config.apiKey', /expected string/],
      [{ apiKey: 'sk-x', dimensions: '512' }, 'embedder.config.dimensions', /expected number/],
      [{ apiKey: 'sk-x', dimensions: 1.5 }, 'embedder.config.dimensions', /whole number/],
      [{ apiKey: 'sk-x', batchSize: 0 }, 'embedder.config.batchSize', /positive/],
      [{ apiKey: 'sk-x', batchSize: 5000 }, 'embedder.config.batchSize', /at most 2048/],
      [{ apiKey: 'sk-x', baseURL: 'localhost:11434' }, 'embedder.config.baseURL', /http\(s\) URL/],
      [{ apiKey: 'sk-x', headers: { a: 1 } }, 'embedder.config.headers.a', /expected string/],
      [{ apiKey: 'sk-x', encodingFormat: 'binary' }, 'embedder.config.encodingFormat', /.+/],
      [{ apiKey: '' }, 'embedder.config.apiKey', /non-empty/],
    ]
    for (const [config, field, message] of cases) {
      const err = configError(() => resolveProvider('embedder', 'openai', config, 'embedder'))
      expect(err.field, JSON.stringify(config)).toBe(field)
      expect(err.message, JSON.stringify(config)).toMatch(message)
    }
    expect(configError(() => resolveProvider('llm', 'openai', { apiKey: 'sk-x', temperature: 3 }, 'llm')).field).toBe(
      'llm.config.temperature',
    )
    expect(configError(() => resolveProvider('llm', 'openai', { apiKey: 'sk-x', jsonMode: 'yes' }, 'llm')).field).toBe(
      'llm.config.jsonMode',
    )
    expect(configError(() => resolveProvider('llm', 'openai', { apiKey: 'sk-x', maxRetries: -1 }, 'llm')).field).toBe(
      'llm.config.maxRetries',
    )
  })

  it('missing apiKey without baseURL → ConfigError on apiKey', () => {
    for (const kind of ['embedder', 'llm'] as const) {
      const err = configError(() => resolveProvider(kind, 'openai', {}, kind))
      expect(err.field).toBe(`${kind}.config.apiKey`)
      expect(err.message).toMatch(/apiKey is required for api\.openai\.com.*baseURL/)
    }
  })

  it('constructing a provider directly validates the same way', () => {
    expect(configError(() => new OpenAIEmbedder({} as never)).field).toBe('openai embedder.apiKey')
    expect(configError(() => new OpenAILLM({ apiKey: 'sk-x', temprature: 0 } as never)).field).toBe('openai llm.temprature')
    expect(configError(() => new OpenAIEmbedder(null as never)).message).toMatch(/expected a config object/)
    expect(configError(() => new OpenAIEmbedder({ apiKey: 42 } as never)).message).toMatch(/apiKey: expected string, got number/)
  })

  it('does not read the environment: an apiKey in process.env does not satisfy the config', () => {
    const saved = process.env.OPENAI_API_KEY
    process.env.OPENAI_API_KEY = 'sk-from-env'
    try {
      expect(configError(() => resolveProvider('llm', 'openai', {}, 'llm')).field).toBe('llm.config.apiKey')
    } finally {
      if (saved === undefined) delete process.env.OPENAI_API_KEY
      else process.env.OPENAI_API_KEY = saved
    }
  })

  it('uses max_completion_tokens for api.openai.com and max_tokens for compatible servers', () => {
    expect(maxTokensField(undefined)).toBe('max_completion_tokens')
    expect(maxTokensField('https://api.openai.com/v1')).toBe('max_completion_tokens')
    expect(maxTokensField('http://localhost:11434/v1')).toBe('max_tokens')
  })
})
